/* Times BLS12-381 calls through the C ABI for `dotnet run -c Release --project bench -- compare abi`, which times the
 * same work called from C# in the same run. Usage: abi_bench OPERATION MILLISECONDS, OPERATION g1_mul or
 * pairing_check_2; prints "OPERATION MICROSECONDS_PER_CALL CALLS". */
#define _POSIX_C_SOURCE 199309L
#include "engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: abi_bench g1_mul|pairing_check_2 MILLISECONDS\n"); return 2; }
    const char *op = argv[1];
    double budget = atof(argv[2]) * 1000;
    uint8_t g1[48], g2[96], scalar[32], out[48], p[96], q[192];
    int result = 0;
    engine_g1_generator(g1);
    engine_g2_generator(g2);
    for (int i = 0; i < 32; i++) scalar[i] = (uint8_t)(0x3c + 7 * i);
    scalar[0] = 0x1f;                                   /* < r */
    /* e([k]G1, G2) * e(-[k]G1, G2) = 1: two full pairs, both validated per call. */
    if (engine_g1_mul(p, g1, scalar) != ENGINE_OK) return 1;
    memcpy(p + 48, p, 48); p[48] ^= 0x20;
    memcpy(q, g2, 96); memcpy(q + 96, g2, 96);
    int pairing = strcmp(op, "pairing_check_2") == 0;
    if (!pairing && strcmp(op, "g1_mul") != 0) { fprintf(stderr, "unknown operation %s\n", op); return 2; }

    long calls = 0;
    for (int i = 0; i < 20; i++) pairing ? engine_pairing_check(&result, p, q, 2) : engine_g1_mul(out, g1, scalar);   /* warm-up */
    double start = now_us(), elapsed;
    do {
        for (int i = 0; i < 10; i++) {
            engine_status s = pairing ? engine_pairing_check(&result, p, q, 2) : engine_g1_mul(out, g1, scalar);
            if (s != ENGINE_OK || (pairing && result != 1)) { fprintf(stderr, "%s failed\n", op); return 1; }
        }
        calls += 10;
        elapsed = now_us() - start;
    } while (elapsed < budget);
    printf("%s %.3f %ld\n", op, elapsed / calls, calls);
    return 0;
}
