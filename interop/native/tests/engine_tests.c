/* C tests of libengine.so through engine.h alone: the published vectors (EIP-2537 pairing and G1 multiplication,
 * RFC 9380 hash to G1/G2, ZCash G1/G2 deserialization) fed as lines by tests/Interop/NativeAbiTests.cs from the
 * vector files, then every status path (NULL pointers, bad points, bad lengths, short outputs).
 * Usage: engine_tests VECTORS_FILE. Prints one line per failure and "c-abi: N passed, M failed"; exit 0 when M == 0. */
#include "engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)
#define STATUS(expr, expected) do { engine_status s_ = (expr); CHECK(s_ == (expected), "%s gave %s, expected %s", #expr, engine_status_name(s_), engine_status_name(expected)); } while (0)

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* Decodes hex ("-" is empty) into a new buffer; returns its length or -1. */
static long unhex(const char *text, uint8_t **out)
{
    size_t n = strcmp(text, "-") == 0 ? 0 : strlen(text);
    if (n % 2) return -1;
    *out = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0) { free(*out); return -1; }
        (*out)[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

/* EIP-2537 pairing input (k pairs of 128 + 256 bytes) through engine_g*_from_eip2537 and engine_pairing_check:
 * the status of the first failure, or ENGINE_OK with *holds set. */
static engine_status eip_pairing(const uint8_t *input, long length, int *holds)
{
    if (length <= 0 || length % 384) return ENGINE_BAD_LENGTH;
    size_t k = (size_t)length / 384;
    uint8_t *g1 = malloc(48 * k), *g2 = malloc(96 * k);
    engine_status s = ENGINE_OK;
    for (size_t i = 0; i < k && s == ENGINE_OK; i++) {
        s = engine_g1_from_eip2537(g1 + 48 * i, input + 384 * i);
        if (s == ENGINE_OK) s = engine_g2_from_eip2537(g2 + 96 * i, input + 384 * i + 128);
    }
    if (s == ENGINE_OK) s = engine_pairing_check(holds, g1, g2, k);
    free(g1); free(g2);
    return s;
}

static void vector_line(char *kind, char **field, int fields)
{
    uint8_t *a = NULL, *b = NULL, *c = NULL;
    long la = fields > 0 ? unhex(field[0], &a) : -1;
    if (strcmp(kind, "pairing") == 0 && fields == 2) {
        int holds = -1;
        engine_status s = eip_pairing(a, la, &holds);
        CHECK(s == ENGINE_OK && holds == atoi(field[1]), "pairing vector: status %s, result %d, expected %s", engine_status_name(s), holds, field[1]);
    } else if (strcmp(kind, "pairing-fail") == 0 && fields == 1) {
        int holds = -1;
        engine_status s = eip_pairing(a, la, &holds);
        CHECK(s != ENGINE_OK, "failing pairing vector accepted (result %d)", holds);
    } else if (strcmp(kind, "g1mul") == 0 && fields == 2) {
        long lb = unhex(field[1], &b);
        uint8_t p[48], expected[48], out[48];
        CHECK(la == 160 && lb == 128, "g1mul vector lengths");
        if (la == 160 && lb == 128) {
            STATUS(engine_g1_from_eip2537(p, a), ENGINE_OK);
            STATUS(engine_g1_from_eip2537(expected, b), ENGINE_OK);
            engine_status s = engine_g1_mul(out, p, a + 128);
            CHECK(s == ENGINE_OK && memcmp(out, expected, 48) == 0, "g1mul vector: %s", engine_status_name(s));
        }
    } else if ((strcmp(kind, "h2g1") == 0 || strcmp(kind, "h2g2") == 0) && fields == 3) {
        int g2 = kind[3] == '2';
        long lb = unhex(field[1], &b), lc = unhex(field[2], &c);
        uint8_t out[96], full[192];
        engine_status s = g2 ? engine_hash_to_g2(out, a, (size_t)la, b, (size_t)lb) : engine_hash_to_g1(out, a, (size_t)la, b, (size_t)lb);
        if (s == ENGINE_OK) s = g2 ? engine_g2_uncompress(full, out) : engine_g1_uncompress(full, out);
        CHECK(s == ENGINE_OK && lc == (g2 ? 192 : 96) && memcmp(full, c, (size_t)lc) == 0, "%s vector (msg %s): %s", kind, field[0], engine_status_name(s));
    } else if ((strcmp(kind, "g1-decode") == 0 || strcmp(kind, "g2-decode") == 0) && fields == 3) {
        int g2 = kind[1] == '2';
        uint8_t full[192];
        engine_status s = g2 ? engine_g2_uncompress(full, a) : engine_g1_uncompress(full, a);
        const char *name = field[2];
        engine_status expected = strcmp(field[1], "ok") == 0 ? ENGINE_OK
                               : strstr(name, "not_in_G") ? ENGINE_NOT_IN_SUBGROUP
                               : strstr(name, "not_in_curve") ? ENGINE_NOT_ON_CURVE
                               : strstr(name, "modulus") ? ENGINE_NOT_CANONICAL : ENGINE_INTERNAL_ERROR;
        if (expected == ENGINE_INTERNAL_ERROR) CHECK(s != ENGINE_OK, "%s accepted", name);
        else CHECK(s == expected, "%s: %s, expected %s", name, engine_status_name(s), engine_status_name(expected));
    } else {
        CHECK(0, "unknown vector line '%s' with %d fields", kind, fields);
    }
    free(a); free(b); free(c);
}

static int run_vectors(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { printf("cannot open %s\n", path); return 0; }
    size_t capacity = 1 << 20;
    char *line = malloc(capacity);
    int lines = 0;
    while (fgets(line, (int)capacity, f)) {
        char *field[8], *kind = strtok(line, " \n");
        int n = 0;
        if (!kind || kind[0] == '#') continue;
        while (n < 8 && (field[n] = strtok(NULL, " \n"))) n++;
        vector_line(kind, field, n);
        lines++;
    }
    free(line);
    fclose(f);
    return lines;
}

static void status_paths(void)
{
    uint8_t g1[48], g2[96], out1[48], out2[96], big[192], scalar[32] = {0}, sk[32] = {0};
    int result = -1, valid = -1;
    const uint8_t dst[] = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    const uint8_t msg[] = "c abi";
    engine_g1_generator(g1);
    engine_g2_generator(g2);
    scalar[31] = 2;

    /* Identity of the library. */
    CHECK(engine_abi_version() == ENGINE_ABI_VERSION, "abi version %u", engine_abi_version());
    CHECK(strcmp(engine_status_name(ENGINE_NOT_IN_SUBGROUP), "not_in_subgroup") == 0, "status name");
    CHECK(strcmp(engine_status_name((engine_status)77), "unknown") == 0, "unknown status name");

    /* [2]G = G + G as the pairing sees it: e([2]G1, G2) * e(-G1, [2]G2)... checked via e([2]G1, G2) = e(G1, [2]G2). */
    STATUS(engine_g1_mul(out1, g1, scalar), ENGINE_OK);
    STATUS(engine_g2_mul(out2, g2, scalar), ENGINE_OK);
    {
        uint8_t p[96], q[192], minus_g1[48];
        /* -G1: flip the sign bit of the compressed generator (y -> p - y). */
        memcpy(minus_g1, g1, 48); minus_g1[0] ^= 0x20;
        memcpy(p, out1, 48); memcpy(p + 48, minus_g1, 48);
        memcpy(q, g2, 96); memcpy(q + 96, out2, 96);
        STATUS(engine_pairing_check(&result, p, q, 2), ENGINE_OK);
        CHECK(result == 1, "e([2]G1, G2) * e(-G1, [2]G2) = 1");
        STATUS(engine_pairing_check(&result, p, q, 1), ENGINE_OK);
        CHECK(result == 0, "e([2]G1, G2) != 1");
    }
    STATUS(engine_pairing_check(&result, NULL, NULL, 0), ENGINE_OK);
    CHECK(result == 1, "empty product is 1");

    /* BLS round trip; a changed message and a changed key fail. */
    sk[31] = 42; sk[0] = 0x11;
    uint8_t pk[48], sig[96];
    STATUS(engine_bls_public_key(pk, sk), ENGINE_OK);
    STATUS(engine_bls_sign(sig, sk, msg, sizeof msg - 1, dst, sizeof dst - 1), ENGINE_OK);
    STATUS(engine_bls_verify(&valid, pk, sig, msg, sizeof msg - 1, dst, sizeof dst - 1), ENGINE_OK);
    CHECK(valid == 1, "signature verifies");
    STATUS(engine_bls_verify(&valid, pk, sig, msg, sizeof msg - 2, dst, sizeof dst - 1), ENGINE_OK);
    CHECK(valid == 0, "another message is rejected");
    STATUS(engine_bls_verify(&valid, g1, sig, msg, sizeof msg - 1, dst, sizeof dst - 1), ENGINE_OK);
    CHECK(valid == 0, "another key is rejected");

    /* NULL pointers. */
    STATUS(engine_g1_mul(NULL, g1, scalar), ENGINE_NULL_ARGUMENT);
    STATUS(engine_g1_mul(out1, NULL, scalar), ENGINE_NULL_ARGUMENT);
    STATUS(engine_g1_mul(out1, g1, NULL), ENGINE_NULL_ARGUMENT);
    STATUS(engine_pairing_check(NULL, g1, g2, 1), ENGINE_NULL_ARGUMENT);
    STATUS(engine_pairing_check(&result, NULL, g2, 1), ENGINE_NULL_ARGUMENT);
    STATUS(engine_hash_to_g1(out1, NULL, 3, dst, 4), ENGINE_NULL_ARGUMENT);
    STATUS(engine_hash_to_g1(out1, NULL, 0, dst, 4), ENGINE_OK);            /* (NULL, 0) is the empty message */
    STATUS(engine_hash_to_g2(out2, msg, 1, dst, 0), ENGINE_BAD_LENGTH);      /* a DST must not be empty */
    STATUS(engine_bls_verify(NULL, pk, sig, msg, 1, dst, 4), ENGINE_NULL_ARGUMENT);
    STATUS(engine_modulus_create(NULL, scalar, 32), ENGINE_NULL_ARGUMENT);
    STATUS(engine_modexp(NULL, big, 192, scalar, 32, scalar, 32, 1), ENGINE_NULL_ARGUMENT);

    /* Bad points and scalars. */
    {
        uint8_t bad[48];
        memcpy(bad, g1, 48); bad[0] &= 0x7f;                                 /* compression flag cleared on 48 bytes */
        STATUS(engine_g1_mul(out1, bad, scalar), ENGINE_MALFORMED);
        memset(bad, 0xff, 48);                                               /* x >= p */
        bad[0] = 0x9f;
        STATUS(engine_g1_uncompress(big, bad), ENGINE_NOT_CANONICAL);
        memcpy(bad, g1, 48); bad[47] ^= 1;                                   /* very likely off the curve */
        engine_status s = engine_g1_uncompress(big, bad);
        CHECK(s == ENGINE_NOT_ON_CURVE || s == ENGINE_NOT_IN_SUBGROUP, "changed x: %s", engine_status_name(s));
        uint8_t high[32];
        memset(high, 0xff, 32);                                              /* scalar >= r */
        STATUS(engine_g1_mul(out1, g1, high), ENGINE_SCALAR_OUT_OF_RANGE);
        uint8_t zero[32] = {0};
        STATUS(engine_bls_public_key(pk, zero), ENGINE_SCALAR_OUT_OF_RANGE);
        uint8_t infinity[48] = {0xc0};
        STATUS(engine_bls_verify(&valid, infinity, sig, msg, 1, dst, 4), ENGINE_IDENTITY_ELEMENT);
        uint8_t pairs_g1[96], pairs_g2[192];
        memcpy(pairs_g1, g1, 48); memcpy(pairs_g1 + 48, bad, 48);
        memcpy(pairs_g2, g2, 96); memcpy(pairs_g2 + 96, g2, 96);
        result = 7;
        s = engine_pairing_check(&result, pairs_g1, pairs_g2, 2);
        CHECK(s != ENGINE_OK && result == 0, "a bad second point fails the whole check: %s, result %d", engine_status_name(s), result);
        STATUS(engine_pairing_check(&result, pairs_g1, pairs_g2, (size_t)1 << 20), ENGINE_BAD_LENGTH);
    }

    /* Modular exponentiation: 3^5 mod 7 = 5 (a one-byte modulus), even modulus, short output, batch. */
    {
        engine_modulus *m = NULL;
        uint8_t seven = 7, eight = 8, three = 3, five = 5, out[4];
        STATUS(engine_modulus_create(&m, &eight, 1), ENGINE_NOT_CANONICAL);
        CHECK(m == NULL, "no handle for an even modulus");
        STATUS(engine_modulus_create(&m, &seven, 1), ENGINE_OK);
        CHECK(engine_modulus_size(m) == 1, "modulus size %zu", engine_modulus_size(m));
        STATUS(engine_modexp(m, out, 0, &three, 1, &five, 1, 1), ENGINE_DESTINATION_TOO_SMALL);
        STATUS(engine_modexp(m, out, 1, &three, 1, &five, 1, 1), ENGINE_OK);
        CHECK(out[0] == 5, "3^5 mod 7 = %u", out[0]);
        STATUS(engine_modexp(m, out, 1, &three, 1, &five, 1, 0), ENGINE_OK);
        CHECK(out[0] == 5, "3^5 mod 7 = %u (variable time)", out[0]);
        uint8_t bases[3] = {2, 3, 6}, exps[3] = {3, 5, 2};
        STATUS(engine_modexp_batch(m, out, 3, bases, exps, 1, 3, 1), ENGINE_OK);
        CHECK(out[0] == 1 && out[1] == 5 && out[2] == 1, "batch: %u %u %u", out[0], out[1], out[2]);
        STATUS(engine_modexp_batch(m, out, 2, bases, exps, 1, 3, 1), ENGINE_DESTINATION_TOO_SMALL);
        bases[1] = 9;
        STATUS(engine_modexp_batch(m, out, 3, bases, exps, 1, 3, 0), ENGINE_NOT_CANONICAL);
        engine_modulus_destroy(m);
        engine_modulus_destroy(NULL);
    }
}

int main(int argc, char **argv)
{
    int lines = argc > 1 ? run_vectors(argv[1]) : 0;
    status_paths();
    printf("c-abi: %d vector lines, capabilities 0x%llx\n", lines, (unsigned long long)engine_capabilities());
    printf("c-abi: %d passed, %d failed\n", passed, failed);
    return failed == 0 && (argc < 2 || lines > 0) ? 0 : 1;
}
