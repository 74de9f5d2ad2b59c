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

/* ---- Hosts and roles (the pipelined host API) ------------------------------------------------------- */

/* A host owns the batch schedulers every role made on it shares (exponentiations, signature, proof and
 * ring-signature batches), so concurrent requests of different connections and protocols fill the same batches.
 * options_json (may be empty for the defaults): {"batching": true, "batch_signatures": false}. */
typedef struct engine_host engine_host;
engine_status engine_host_create(engine_host **out, const char *options_json, size_t options_len);
/* Stops the schedulers after what is queued. Destroy the host's roles first. */
void engine_host_destroy(engine_host *host);

/* A server role, configured by JSON. Kinds so far:
 *   {"role": "two-server", "server": 1 | 2, "signing_key": "<64 hex: the server's secret scalar>",
 *    "peer_public_key": "<96 hex: the other server's compressed G1 key>", "block": 256,
 *    "data": "<optional: a directory (SQLite) or a PostgreSQL connection string for durable state>"}
 *     Message types: Protocol 2's (SPEC.md section 2.6; 21 GetRound, 18 Upload, 19 Fetch, ...).
 *   {"role": "onion-node", "group": "Modp2048Q256" | "Modp3072Q256" | "BLS12381G1", "id": "relay-1",
 *    "secret_value": "<hex: the node's secret scalar t>", "partial_key": "<hex: the KGC's partial key for it>",
 *    "master_public_key": "<hex: pk_sys>", "max_links": 100000}
 *     A Protocol 1 relay or destination. Message types 1 Setup, 2 Ack, 3 Data, 4 Backward (5 Error in replies);
 *     open each neighbour's connection with its name as the peer; engine_connection_route says where a response
 *     goes. Setups and ACKs join the host's batched exponentiations; data packets allocate nothing.
 *   {"role": "iot-cs", "signing_key": "<hex: the cloud server's secret scalar>",
 *    "operation_centres": [{"id": "oc-1", "signing_key": "<hex>", "encryption_key": "<hex>"}],
 *    "trust": {optional: a trust model as engine serve iot-cs --config reads it}, "data": "<optional, as above>"}
 *     Protocol 3's cloud server (SPEC.md section 3): trust evaluation for the operation centres listed (their
 *     public keys). Message types: Protocol 3's (IotMessageType: 10 Evaluate, 12 Vote, 14 QueryTrust, ...).
 *   {"role": "abe-authority", "name": "HOSP", "admin_public_key": "<96 hex: the data owner's G1 key>",
 *    "encryption": true, "ring": "<optional: the ring id of a signature authority>",
 *    "data": "<a directory (SQLite) or a PostgreSQL connection string>", "state_key": "<64 hex>"}
 *     Protocol 4's attribute and/or signature authority (SPEC.md section 4). Its whole state is sealed with
 *     AES-256-GCM under state_key and committed to data before every answer that changed it; a role made again
 *     from the same data and state_key carries on (ENGINE_VERIFICATION_FAILED if the saved state does not open
 *     under state_key). Message types: RevocationMessageType (1 GetPublicKeys, ...).
 *   {"role": "source-csp", "name": "csp-a", "token_key": "<64 hex: the token signing scalar>",
 *    "ring_public_key": "<hex>", "ring": "<hex>"}
 *     Protocol 4's source CSP: verifies ring signatures (batched on the host) and issues access tokens. The ring
 *     key and ring are the authority's (its GetPublicKeys answer: blob(ABE key) blob(ring key) blob(ring));
 *     hand it newer rings with engine_source_csp_update_ring.
 *   {"role": "iot-oc", ...}: needs engine_role_create_with_transport (below).
 * Keys given as hex are decoded straight from the JSON's bytes (no escapes allowed) and the library's copy of the
 * configuration is wiped before engine_role_create returns; wipe yours after it.
 * A configuration that does not parse is ENGINE_MALFORMED, an unknown kind ENGINE_NOT_FOUND, a bad key its
 * decoding status; nothing is created then. */
typedef struct engine_role engine_role;
engine_status engine_role_create(engine_role **out, engine_host *host, const char *config_json, size_t config_len);
/* Wipes the role's keys and closes its store. No call on the role or its connections may be running. */
void engine_role_destroy(engine_role *role);


/* What a role answered: the request's status (ENGINE_OK, or why the role refused it: the response then holds the
 * protocol's Error message), the response's message type, and its length (on ENGINE_DESTINATION_TOO_SMALL, the
 * length needed). */
typedef struct engine_reply {
    engine_status status;
    uint8_t type;
    size_t length;
} engine_reply;

/* One peer's connection to a role (per-connection state: Protocol 2's challenge, an onion node's previous hop).
 * peer: the peer's name, or NULL for "client". The greeting the peer must receive first (Protocol 2's Hello;
 * length 0 for roles without one) is written to greeting, its type in reply->type. A connection is used by one
 * thread at a time; open one per peer. */
typedef struct engine_connection engine_connection;
engine_status engine_connection_open(engine_connection **out, engine_role *role, const char *peer,
                                     uint8_t *greeting, size_t greeting_capacity, engine_reply *reply);
void engine_connection_close(engine_connection *connection);

/* Answers one request of the given message type (the protocol's: TwoServerMessageType for "two-server"). Returns
 * ENGINE_OK when the response was written (see reply->status for the role's verdict), or
 * ENGINE_DESTINATION_TOO_SMALL with reply->length the size needed: the request was processed, and its response
 * is held by the connection for engine_connection_response. The expensive step joins the host's batches with
 * other threads' requests. */
engine_status engine_role_process(engine_connection *connection, uint8_t type, const uint8_t *request, size_t request_len,
                                  uint8_t *response, size_t response_capacity, engine_reply *reply);
/* The connection's last response again; *length is its size (ENGINE_DESTINATION_TOO_SMALL when capacity is less). */
engine_status engine_connection_response(engine_connection *connection, uint8_t *out, size_t capacity, size_t *length);
/* Where the connection's last response goes, for roles that route (an onion node: the next hop's handle, or the
 * peer name of the connection an ACK or backward packet returns on); *length 0 when it goes back on this
 * connection. UTF-8 with a terminating NUL: ENGINE_DESTINATION_TOO_SMALL unless capacity >= *length + 1. */
engine_status engine_connection_route(engine_connection *connection, char *out, size_t capacity, size_t *length);
/* count requests answered together, their expensive steps in the same batches (count <= 65536). replies[i] as
 * above; ENGINE_DESTINATION_TOO_SMALL if any response did not fit (that response is lost: size them generously). */
engine_status engine_role_process_batch(engine_connection *connection, size_t count, const uint8_t *types,
                                        const uint8_t *const *requests, const size_t *request_lens,
                                        uint8_t *const *responses, const size_t *capacities, engine_reply *replies);

/* How a native host carries the library's own requests over its own network stack: a Protocol 2 user's to S1
 * (server 1) and S2 (server 2), an operation centre's to its cloud server (server 0), an accepting CSP's to its
 * authorities (server i: the i-th of its list). type ENGINE_TRANSPORT_OPEN:
 * open the connection and write the server's greeting (none for a cloud server); ENGINE_TRANSPORT_RESEND_LAST:
 * write the last response again (asked after ENGINE_DESTINATION_TOO_SMALL, with reply->length bytes); any other
 * type: send the request and write the response. Return ENGINE_OK with *reply filled, or a status (an operation
 * centre or accepting CSP then opens again before its next request). The library never calls one transport from two threads at once; the
 * call happens inside the engine_role_process (or user call) that needs it. */
#define ENGINE_TRANSPORT_OPEN 0
#define ENGINE_TRANSPORT_RESEND_LAST 255
typedef engine_status (*engine_transport)(void *context, uint32_t server, uint8_t type, const uint8_t *request,
                                          size_t request_len, uint8_t *response, size_t response_capacity,
                                          engine_reply *reply);

/* As engine_role_create, for roles that make requests of their own, which go through transport. Kinds:
 *   {"role": "iot-oc", "id": "oc-1", "signing_key": "<64 hex>", "encryption_key": "<64 hex>",
 *    "gamma": "<64 hex: the tag key of the epoch>", "epoch": 1, "enrolment_key": "<hex, >= 16 bytes>",
 *    "admin_key": "<hex, >= 16 bytes>", "cloud_signing_key": "<96 hex: the cloud server's G1 key>",
 *    "threshold": 6000, "data": "<optional: registrations' durable store, as above>"}
 *     Protocol 3's operation centre: registrations, tags (its trust query goes to the cloud server, server 0),
 *     challenges, batched proof verification, key confirmation. ENGINE_NULL_ARGUMENT without a transport.
 *   {"role": "accepting-csp", "name": "csp-b", "signing_key": "<64 hex>", "encryption_key": "<64 hex>",
 *    "owner_public_key": "<96 hex: the data owner's G1 key>", "token_issuers": [{"name": "csp-a", "public_key": "<96 hex>"}],
 *    "authorities": ["HOSP", "INS"], "store": "<a directory (SQLite) or a PostgreSQL connection string>"}
 *     Protocol 4's accepting CSP: stores the owner's ciphertexts, serves them for valid access tokens, and on a
 *     Sync pulls each authority's ciphertext-update keys (authority i of the list is the transport's server i)
 *     and updates every stored ciphertext, each exactly once. The authorities' public keys are fetched through
 *     the transport when the role is made: ENGINE_UNREACHABLE if one does not answer.
 * The other kinds are accepted too (their transport is then unused). context is passed to transport as is. */
engine_status engine_role_create_with_transport(engine_role **out, engine_host *host, const char *config_json, size_t config_len,
                                                engine_transport transport, void *context);

/* ---- Client roles (sans I/O) ---------------------------------------------------------------------------
 * The clients of Protocols 1-4 are roles too (engine_role_create), doing no I/O of their own. On a connection
 * (engine_connection_open; one operation at a time), send a command: engine_role_process with type
 * ENGINE_CLIENT_COMMAND and a UTF-8 JSON {"op": "...", ...}. Each reply is then one of:
 *   - a message for a server: reply->type is its message type, the response its bytes, and engine_connection_route
 *     names the server ("oc", "s1", an authority's name, an onion relay's handle, ...). Deliver it on your
 *     connection to that server and hand back the answer: engine_role_process with the answer's type and bytes.
 *   - ENGINE_CLIENT_OPEN_ROUTE: connect to the route's server and hand back its greeting (its type and bytes; type
 *     0 and no bytes for a server that sends none). Keep that connection for the route: a Protocol 2 server's
 *     challenge is bound to it.
 *   - ENGINE_CLIENT_RESULT: the operation ended; the response holds its result.
 *   - ENGINE_CLIENT_ERROR: it failed; reply->status says why, the response holds the status byte and a UTF-8 reason.
 * A message you cannot deliver: send an empty ENGINE_CLIENT_COMMAND instead of its answer; the operation ends
 * ENGINE_UNREACHABLE. After ENGINE_TIMED_OUT (a step took over 30 s), an empty command waits for it again. Kinds:
 *   {"role": "onion-client", "group": "...", "master_public_key": "<hex>", "list_signing_key": "<hex>"}
 *     ops: {"op":"directory"} -> JSON [{"id","handle","endpoint"}]; {"op":"link","path":["relay-1",...,"dest"],
 *     "lifetime_seconds":600} -> the link id (16 bytes); {"op":"request","message":"<hex>","reencrypt":false}
 *     -> the destination's answer. Routes: "kgc", and the first relay's handle.
 *   {"role": "two-server-user", "id": "alice", "signing_key": "<64 hex>", "s1_public_key": "<96 hex>",
 *    "s2_public_key": "<96 hex>", "block": 256}
 *     ops: register; join {"group"}; send {"group","to","message":"<hex>"} -> round (8 bytes BE); fetch {"group",
 *     "round"} -> messages (4-byte BE length and bytes each). Routes "s1", "s2".
 *   {"role": "iot-device", "id": "sensor-1", "signing_key": "<64 hex>", "encryption_key": "<64 hex>",
 *    "enrolment_key": "<hex>", "operation_centre": {"id","signing_key","encryption_key"}, "cloud_signing_key": "<96 hex>"}
 *     ops: evaluate {"attributes":[{"name","value"}]} -> TL (2 bytes BE); register; tag {"trust_level"} -> epoch
 *     (4 bytes BE); authenticate -> session id (16) and K_enc (32); vote {"subject","approves"}. Routes "cs", "oc".
 *   {"role": "abe-user", "gid": "alice"} (keys made with the role)
 *     ops: public-keys -> signing (48) and encryption (48) keys for the grant; fetch-keys {"authority"};
 *     fetch-updates {"authority"}; token {"authority","policy","audience","resource"} -> token; fetch {"token":"<hex>"}
 *     -> the decrypted record. Routes: the authorities by name, "source", "accepting".
 * engine_connection_close wipes what the client kept for the connection (an onion link's keys). */
#define ENGINE_CLIENT_OPEN_ROUTE 0x00
#define ENGINE_CLIENT_COMMAND 0xF0
#define ENGINE_CLIENT_RESULT 0xF1
#define ENGINE_CLIENT_ERROR 0xFF

/* ---- Protocol 3 (trust evaluation, anonymous authentication) ----------------------------------------- */

/* Moves an "iot-oc" to its next epoch with a fresh tag key: proofs under older tags fail from now on, devices ask
 * for new tags. *epoch is the new epoch. Persist the new key (engine_iot_oc_export_tag_key) before acknowledging
 * a RotateEpoch request or relying on the rotation: a role made again with an older key refuses newer tags. */
engine_status engine_iot_oc_rotate(engine_role *role, uint32_t *epoch);
/* The current epoch's tag key gamma (32 bytes, big-endian) and the epoch, for the host's protected key store; a
 * role made again with them as "gamma" and "epoch" accepts the tags issued under them. Wipe gamma after use. A
 * RotateEpoch request (type 30) answered with type 31 (Rotated) has rotated too: export after it as well. */
engine_status engine_iot_oc_export_tag_key(engine_role *role, uint8_t gamma[32], uint32_t *epoch);

/* ---- Protocol 4 (multi-authority CP-ABE, ring signatures, revocation) --------------------------------- */

/* Hands a "source-csp" the authority's current ring (encoded as in GetPublicKeys). ENGINE_EXPIRED for another
 * ring or an older epoch: a source CSP never goes back. */
engine_status engine_source_csp_update_ring(engine_role *role, const uint8_t *ring, size_t ring_len);

/* ---- Protocol 2 (two-server XOR messaging) ---------------------------------------------------------- */

/* Closes a "two-server" role's open round (a server closes rounds on its own clock); *open_round is the new one. */
engine_status engine_two_server_close_round(engine_role *role, int64_t *open_round);

/* A Protocol 2 user. config_json: {"id": "alice", "signing_key": "<64 hex>", "s1_public_key": "<96 hex>",
 * "s2_public_key": "<96 hex>", "block": 256}. Opens both connections through transport and refuses servers that
 * do not greet with the trusted keys (ENGINE_VERIFICATION_FAILED). One call at a time per user. */
typedef struct engine_two_server_user engine_two_server_user;
engine_status engine_two_server_user_create(engine_two_server_user **out, const char *config_json, size_t config_len,
                                            engine_transport transport, void *context);
void engine_two_server_user_destroy(engine_two_server_user *user);
/* Registers the key at both servers, each confirming the other's receipt. */
engine_status engine_two_server_user_register(engine_two_server_user *user);
/* Joins a group (UTF-8 name) at both servers. */
engine_status engine_two_server_user_join(engine_two_server_user *user, const char *group);
/* Sends a message to one member in the round open now (both servers must agree on the group); *round is it. */
engine_status engine_two_server_user_send(engine_two_server_user *user, const char *group, const char *to,
                                          const uint8_t *message, size_t message_len, int64_t *round);
/* The messages of a closed round for this user, checked against both servers' signed inboxes, written as a 4-byte
 * big-endian length and the bytes of each; *length is the total (ENGINE_DESTINATION_TOO_SMALL when capacity is
 * less), *count the number. ENGINE_VERIFICATION_FAILED if a server altered an inbox. */
engine_status engine_two_server_user_fetch(engine_two_server_user *user, const char *group, int64_t round,
                                           uint8_t *out, size_t capacity, size_t *length, size_t *count);

#ifdef __cplusplus
}
#endif
#endif /* ENGINE_H */
