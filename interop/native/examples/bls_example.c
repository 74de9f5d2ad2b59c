/* A BLS signature through libengine.so: key, sign, verify (see README.md, "Native hosts"). */
#include "engine.h"
#include <stdio.h>
#include <string.h>

int main(void)
{
    static const uint8_t dst[] = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    static const uint8_t msg[] = "hello from C";
    uint8_t sk[32] = {0x2a, 0x17}, pk[48], sig[96];   /* use 32 random bytes below r in practice */
    int valid = 0;
    if (engine_abi_version() != ENGINE_ABI_VERSION) { fprintf(stderr, "libengine ABI mismatch\n"); return 1; }
    engine_status s = engine_bls_public_key(pk, sk);
    if (s == ENGINE_OK) s = engine_bls_sign(sig, sk, msg, strlen((const char *)msg), dst, sizeof dst - 1);
    if (s == ENGINE_OK) s = engine_bls_verify(&valid, pk, sig, msg, strlen((const char *)msg), dst, sizeof dst - 1);
    if (s != ENGINE_OK) { fprintf(stderr, "engine: %s\n", engine_status_name(s)); return 1; }
    printf("signature %s\n", valid ? "valid" : "INVALID");
    return valid ? 0 : 1;
}
