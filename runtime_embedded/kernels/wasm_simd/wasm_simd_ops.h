/* Shared by the SIMD128 variants of DEPTHWISE_CONV_2D, the pools and ADD: what keeps their code small, and the
 * fixed-point steps of ADD's rescales. wasm_simd.h holds the per-channel requantization and the GEMM blocks. */
#ifndef TL_WASM_SIMD_OPS_H
#define TL_WASM_SIMD_OPS_H

#include "wasm_simd.h"

/* Put before a scalar tail loop or a loop run a few times per call: no unrolled or auto-vectorized copies of it
 * (the kernels are built -O3, where those copies cost kilobytes and save nothing). */
#define TLW_NO_UNROLL _Pragma("clang loop unroll(disable) vectorize(disable)")

/* For a function called once per eval: one copy of it, not one inlined at each call site. */
#define TLW_NOINLINE __attribute__((noinline))

/* RDBPOT of four int32 lanes |x| < 2^30 by an exponent e in [0, 31]: x / 2^e rounded half away from zero, which
 * is floor((x + 2^(e-1) - (x < 0)) / 2^e) for e >= 1 and x for e = 0; the sum stays inside int32. r holds
 * tlw_rdbpot_setup(e). */
typedef struct tlw_rdbpot_k {
    v128_t half; /* 2^(e-1), 0 for e = 0 */
    v128_t neg;  /* all ones for e >= 1: keeps the -1 of negative lanes */
    int e;
} tlw_rdbpot_k;

static inline tlw_rdbpot_k tlw_rdbpot_setup(int e)
{
    tlw_rdbpot_k r;
    r.half = wasm_i32x4_splat(e > 0 ? (int32_t)1 << (e - 1) : 0);
    r.neg = wasm_i32x4_splat(e > 0 ? -1 : 0);
    r.e = e;
    return r;
}

/* e is r->e, passed apart so that a loop can read it where the shift is (from a volatile copy, see ADD): LLVM's
 * wasm backend emits i32x4.shr_s only for a shift count it sees splatted in the same block, and a splat it hoists
 * out of the loop makes it shift lane by lane (extract, shift, replace: four times the work). */
static inline v128_t tlw_rdbpot4_small(v128_t x, const tlw_rdbpot_k *r, int e)
{
    const v128_t sum = wasm_i32x4_add(wasm_i32x4_add(x, r->half), wasm_v128_and(wasm_i32x4_shr(x, 31), r->neg));
    return wasm_i32x4_shr(sum, (uint32_t)e);
}

#endif /* TL_WASM_SIMD_OPS_H */
