/* engine.h: the C ABI of the privacy engine (libengine.so). Hand-written; it is the contract, and
 * the C# files in interop/Exports implement it (each [UnmanagedCallersOnly] EntryPoint is the C name below).
 *
 * Conventions (as blst.h):
 *  - Memory is the caller's. Outputs come first; fixed sizes are in the prototype, variable ones are
 *    (pointer, size_t length) pairs. Nothing returned needs freeing except the handles below, each with its
 *    _destroy function.
 *  - Every function that can fail returns an engine_status; 0 is success. On failure, outputs are left
 *    unspecified unless the function says otherwise, and no state changes.
 *  - NULL where an input or output is required gives ENGINE_NULL_ARGUMENT; a (NULL, 0) pair is an empty input.
 *  - Points are ZCash-encoded BLS12-381 points (G1: 48 bytes compressed, 96 uncompressed; G2: 96 and 192) and
 *    every point read is fully validated (flags, canonical coordinates, on the curve, in the subgroup) before
 *    any other work. Scalars are 32 bytes big-endian and must be < r.
 *  - Thread safety: every function may be called from any thread at the same time, including on one handle,
 *    except that a handle must not be destroyed while another thread uses it.
 *  - Global state: none visible. The library starts its runtime on the first call (a few milliseconds) and
 *    generates its x64 kernels on first use; ENGINE_NATIVE=0 in the environment keeps the portable code.
 */
#ifndef ENGINE_H
#define ENGINE_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_ABI_VERSION 1

typedef enum engine_status {            /* values frozen: the mirror of EngineStatus (bigint/EngineStatus.cs) */
    ENGINE_OK = 0,
    ENGINE_DESTINATION_TOO_SMALL = 1,   /* an output buffer is too small (sizes say how much is needed) */
    ENGINE_BAD_LENGTH = 2,              /* an input has the wrong length */
    ENGINE_NOT_CANONICAL = 3,           /* an integer or field element is out of its range (>= p, even modulus) */
    ENGINE_NOT_ON_CURVE = 4,
    ENGINE_NOT_IN_SUBGROUP = 5,
    ENGINE_SCALAR_OUT_OF_RANGE = 6,     /* a scalar >= r (or 0 where a secret key is expected) */
    ENGINE_VERIFICATION_FAILED = 7,
    ENGINE_REPLAY = 8,
    ENGINE_EXPIRED = 9,
    ENGINE_FRAME_TOO_LARGE = 10,
    ENGINE_MALFORMED = 11,              /* does not parse (bad flags, bad structure) */
    ENGINE_IDENTITY_ELEMENT = 12,       /* the identity where it is not allowed */
    ENGINE_NOT_INVERTIBLE = 13,
    ENGINE_UNSUPPORTED_VERSION = 14,
    ENGINE_UNKNOWN_MESSAGE_TYPE = 15,
    ENGINE_CAPACITY_EXCEEDED = 16,
    ENGINE_UNREACHABLE = 17,
    ENGINE_NOT_FOUND = 18,
    ENGINE_POLICY_NOT_SATISFIED = 19,
    ENGINE_TIMED_OUT = 20,
    ENGINE_QUOTA_EXCEEDED = 21,
    ENGINE_NULL_ARGUMENT = 100,
    ENGINE_INTERNAL_ERROR = 255         /* a bug: please report it; nothing was changed */
} engine_status;

/* ---- The library ------------------------------------------------------------------------------------ */

/* ENGINE_ABI_VERSION of the library loaded; a host should refuse to run against another. */
uint32_t engine_abi_version(void);

#define ENGINE_CAP_AVX2              (1u << 0)   /* 256-bit vector lanes in use */
#define ENGINE_CAP_AVX512F           (1u << 1)   /* 512-bit vector lanes in use */
#define ENGINE_CAP_BMI2              (1u << 2)
#define ENGINE_CAP_ADX               (1u << 3)
#define ENGINE_CAP_AVX512IFMA        (1u << 4)
#define ENGINE_CAP_GENERATED_KERNELS (1u << 5)   /* run-time generated x64 kernels allowed (ENGINE_NATIVE != 0) */
/* The ENGINE_CAP_* bits of what this process uses. */
uint64_t engine_capabilities(void);

/* A static, NUL-terminated name of a status ("ok", "not_in_subgroup", ...; "unknown" otherwise). Do not free. */
const char *engine_status_name(engine_status status);

/* ---- Big integers: modular exponentiation ------------------------------------------------------------ */

/* A prepared odd modulus (its Montgomery constants). Opaque; create once, use from any thread. */
typedef struct engine_modulus engine_modulus;

/* *out = a handle for the big-endian modulus m: odd, > 1, at most 8192 bits (else ENGINE_NOT_CANONICAL or
 * ENGINE_BAD_LENGTH, and *out = NULL). */
engine_status engine_modulus_create(engine_modulus **out, const uint8_t *modulus, size_t modulus_len);
/* Frees the handle; NULL is ignored. */
void engine_modulus_destroy(engine_modulus *modulus);
/* The byte length of every result under this modulus (its own byte length); 0 for NULL. */
size_t engine_modulus_size(const engine_modulus *modulus);

/* out = base^exponent mod m, written as exactly engine_modulus_size(modulus) big-endian bytes (out_len must be at
 * least that, else ENGINE_DESTINATION_TOO_SMALL). base: any length (reduced first); exponent: any length.
 * constant_time != 0: timing depends on the lengths only (secret exponents); 0: sliding window (public ones). */
engine_status engine_modexp(const engine_modulus *modulus, uint8_t *out, size_t out_len,
                            const uint8_t *base, size_t base_len, const uint8_t *exponent, size_t exponent_len,
                            int constant_time);

/* out[k] = bases[k]^exponents[k] mod m for k < count, computed together in vector lanes (8 with AVX-512, 4 with
 * AVX2). bases: count values of engine_modulus_size(modulus) bytes, each < m (else ENGINE_NOT_CANONICAL);
 * exponents: count values of exponent_len bytes; out: count results of engine_modulus_size(modulus) bytes. */
engine_status engine_modexp_batch(const engine_modulus *modulus, uint8_t *out, size_t out_len,
                                  const uint8_t *bases, const uint8_t *exponents, size_t exponent_len,
                                  size_t count, int constant_time);

/* ---- BLS12-381 -------------------------------------------------------------------------------------- */

#define ENGINE_G1_COMPRESSED 48
#define ENGINE_G1_UNCOMPRESSED 96
#define ENGINE_G2_COMPRESSED 96
#define ENGINE_G2_UNCOMPRESSED 192
#define ENGINE_SCALAR_SIZE 32

/* out = [scalar]point, constant time in the scalar (GLV). point: compressed G1, validated; scalar < r. */
engine_status engine_g1_mul(uint8_t out[48], const uint8_t point[48], const uint8_t scalar[32]);
/* out = [scalar]point in G2 (ψ split). */
engine_status engine_g2_mul(uint8_t out[96], const uint8_t point[96], const uint8_t scalar[32]);

/* The standard generators, compressed. */
void engine_g1_generator(uint8_t out[48]);
void engine_g2_generator(uint8_t out[96]);

/* Validate a point and re-encode it (compressed <-> uncompressed). */
engine_status engine_g1_uncompress(uint8_t out[96], const uint8_t in[48]);
engine_status engine_g1_compress(uint8_t out[48], const uint8_t in[96]);
engine_status engine_g2_uncompress(uint8_t out[192], const uint8_t in[96]);
engine_status engine_g2_compress(uint8_t out[96], const uint8_t in[192]);

/* EIP-2537 encodings (each coordinate 64 bytes, zero padded; all zeros is the identity), checked on the curve and
 * in the subgroup, written compressed. G2's x is c0 || c1 there, c1 || c0 in the ZCash form. */
engine_status engine_g1_from_eip2537(uint8_t out[48], const uint8_t in[128]);
engine_status engine_g2_from_eip2537(uint8_t out[96], const uint8_t in[256]);

/* RFC 9380 hash_to_curve, suites BLS12381G1_XMD:SHA-256_SSWU_RO_ and BLS12381G2_XMD:SHA-256_SSWU_RO_, under the
 * caller's domain separation tag (dst_len >= 1; longer than 255 bytes is hashed as the RFC says). */
engine_status engine_hash_to_g1(uint8_t out[48], const uint8_t *msg, size_t msg_len, const uint8_t *dst, size_t dst_len);
engine_status engine_hash_to_g2(uint8_t out[96], const uint8_t *msg, size_t msg_len, const uint8_t *dst, size_t dst_len);

/* *result = 1 when e(g1[0], g2[0]) * ... * e(g1[n-1], g2[n-1]) = 1 in GT, else 0. g1: n compressed G1 points
 * (48 bytes each), g2: n compressed G2 points (96 bytes each), all validated first; n <= 65536. n = 0 gives 1.
 * *result is 0 whenever the status is not ENGINE_OK. One shared final exponentiation. */
engine_status engine_pairing_check(int *result, const uint8_t *g1, const uint8_t *g2, size_t n);

/* BLS signatures, min-pk (public keys in G1, signatures in G2); dst names the ciphersuite, for example
 * "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_". sk: 32 bytes big-endian, 0 < sk < r. */
engine_status engine_bls_public_key(uint8_t pk[48], const uint8_t sk[32]);
engine_status engine_bls_sign(uint8_t sig[96], const uint8_t sk[32], const uint8_t *msg, size_t msg_len,
                              const uint8_t *dst, size_t dst_len);
/* *valid = 1 for a valid signature, else 0; a key or signature that does not decode returns its status, the
 * identity key ENGINE_IDENTITY_ELEMENT. */
engine_status engine_bls_verify(int *valid, const uint8_t pk[48], const uint8_t sig[96], const uint8_t *msg,
                                size_t msg_len, const uint8_t *dst, size_t dst_len);

#ifdef __cplusplus
}
#endif
#endif /* ENGINE_H */
