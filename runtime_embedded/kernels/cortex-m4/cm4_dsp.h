/* Cortex-M4 DSP-extension helpers shared by the kernels of kernels/cortex-m4/: the SIMD-within-a-register
 * instructions the int8 kernels are built from, and a requantization that is bit-exact with tl_mbqm.
 *
 * With __ARM_FEATURE_DSP (Cortex-M4/M7/M33...) each helper is one instruction; elsewhere a portable C version with
 * the same result, so that the kernels also build and run on the host (make lib TARGET=cortex-m4), where the tests
 * check them under ASan+UBSan. The innermost loops are also written as inline assembly with every register laid
 * out by hand (up to 14 of them: TL_CM4_ASM_LOOPS, GCC only; clang cannot allocate that many to one asm statement
 * and compiles their C versions, which give the same bits).
 *
 * The int8 dot products: a word of 4 int8 values b0..b3 is split by SXTB16 into the int16 pair (b0, b2) and by
 * SXTB16 ROR #8 into (b1, b3) (SXTAB16 adds a packed (-x_zp, -x_zp) on the way: x - x_zp fits int16); SMLAD then
 * adds both pair products to an int32 accumulator. SMLAD's additions wrap modulo 2^32 exactly as the reference's
 * uint32 accumulation, and integer addition modulo 2^32 does not depend on order: any summation order gives the
 * reference's bits.
 */
#ifndef TL_CM4_DSP_H
#define TL_CM4_DSP_H

#include <stdint.h>

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && !defined(__clang__)
#define TL_CM4_ASM_LOOPS 1
#else
#define TL_CM4_ASM_LOOPS 0
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

/* (sext(b0), sext(b2)) of the 4 bytes b0..b3 of x */
static inline uint32_t tl_cm4_sxtb16(uint32_t x)
{
    return (uint32_t)__sxtb16((int32_t)x);
}

/* (sext(b1), sext(b3)) */
static inline uint32_t tl_cm4_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* (a.lo + sext(b0), a.hi + sext(b2)), each half modulo 2^16 */
static inline uint32_t tl_cm4_sxtab16(uint32_t a, uint32_t x)
{
    return (uint32_t)__sxtab16((int32_t)a, (int32_t)x);
}

/* (a.lo + sext(b1), a.hi + sext(b3)) */
static inline uint32_t tl_cm4_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

/* acc + x.lo * y.lo + x.hi * y.hi (int16 halves), modulo 2^32 */
static inline int32_t tl_cm4_smlad(uint32_t x, uint32_t y, int32_t acc)
{
    return __smlad((int32_t)x, (int32_t)y, acc);
}

/* acc + x.lo * y.lo */
static inline int32_t tl_cm4_smlabb(uint32_t x, uint32_t y, int32_t acc)
{
    return __smlabb((int32_t)x, (int32_t)y, acc);
}

/* acc + x.hi * y.hi */
static inline int32_t tl_cm4_smlatt(uint32_t x, uint32_t y, int32_t acc)
{
    return __smlatt((int32_t)x, (int32_t)y, acc);
}

#else /* portable versions: the same bits */

static inline int32_t tl_cm4_half(uint32_t x, int hi) /* int16 half of x, sign-extended */
{
    const uint32_t h = hi ? x >> 16 : x & 0xFFFFu;
    return (int32_t)h - (int32_t)((h & 0x8000u) << 1);
}

static inline uint32_t tl_cm4_pack(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}

static inline int32_t tl_cm4_byte(uint32_t x, int k) /* byte k of x, sign-extended */
{
    const uint32_t b = (x >> (8 * k)) & 0xFFu;
    return (int32_t)b - (int32_t)((b & 0x80u) << 1);
}

static inline uint32_t tl_cm4_sxtb16(uint32_t x)
{
    return tl_cm4_pack(tl_cm4_byte(x, 0), tl_cm4_byte(x, 2));
}

static inline uint32_t tl_cm4_sxtb16_ror8(uint32_t x)
{
    return tl_cm4_pack(tl_cm4_byte(x, 1), tl_cm4_byte(x, 3));
}

static inline uint32_t tl_cm4_sxtab16(uint32_t a, uint32_t x)
{
    return tl_cm4_pack(tl_cm4_half(a, 0) + tl_cm4_byte(x, 0), tl_cm4_half(a, 1) + tl_cm4_byte(x, 2));
}

static inline uint32_t tl_cm4_sxtab16_ror8(uint32_t a, uint32_t x)
{
    return tl_cm4_pack(tl_cm4_half(a, 0) + tl_cm4_byte(x, 1), tl_cm4_half(a, 1) + tl_cm4_byte(x, 3));
}

static inline int32_t tl_cm4_smlad(uint32_t x, uint32_t y, int32_t acc)
{
    return tl_wrap32((uint32_t)acc + (uint32_t)(tl_cm4_half(x, 0) * tl_cm4_half(y, 0)) +
                     (uint32_t)(tl_cm4_half(x, 1) * tl_cm4_half(y, 1)));
}

static inline int32_t tl_cm4_smlabb(uint32_t x, uint32_t y, int32_t acc)
{
    return tl_wrap32((uint32_t)acc + (uint32_t)(tl_cm4_half(x, 0) * tl_cm4_half(y, 0)));
}

static inline int32_t tl_cm4_smlatt(uint32_t x, uint32_t y, int32_t acc)
{
    return tl_wrap32((uint32_t)acc + (uint32_t)(tl_cm4_half(x, 1) * tl_cm4_half(y, 1)));
}

#endif

/* 4 bytes at p, any alignment (the M4 loads unaligned words; the compiler makes this one LDR) */
static inline uint32_t tl_cm4_load4(const int8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* The first n (0..3) bytes at p as a word, the rest 0 */
static inline uint32_t tl_cm4_load_tail(const int8_t *p, uint32_t n)
{
    uint32_t v = 0, i;
    for (i = 0; i < n; i++) {
        v |= (uint32_t)(uint8_t)p[i] << (8 * i);
    }
    return v;
}

/* (v, v) as two int16 halves (v in int16) */
static inline uint32_t tl_cm4_dup16(int32_t v)
{
    return ((uint32_t)v & 0xFFFFu) * 0x10001u;
}

/* ---- requantization: tl_mbqm(acc, multiplier, shift) + zero point, clamped ----
 *
 * For shift = -e with e >= 2 (every conv/FC layer of the MLPerf Tiny models but a few VWW channels), with
 * m = multiplier >= 0 and s = 1 when acc < 0:
 *   tl_mbqm = RDBPOT(SRDHM(acc, m), e),   SRDHM(a, m) = floor((a*m + 2^30 - s*2^31) / 2^31)   (t < 0 iff s
 *   here, as m >= 0 and |a*m| < 2^62) and RDBPOT(t, e) = floor((t + 2^(e-1) - s) / 2^e), so together
 *   floor((a*m + 2^30 - s*2^31 + 2^(30+e)) / 2^(31+e)) (floor of floor: the added terms are multiples of 2^31);
 *   for acc < 0 with a*m >= -2^30 (t = 0) this is 0 as well. That is the high word of
 *   a*m + (2^(e-2) - s) * 2^32 + 2^30 + s * 2^31, shifted right by e - 1: one SMLAL from the low word
 *   0x40000000 | (acc & 2^31) and the high word 2^(e-2) - s, and the high word stays within +-(2^30 + 2^29).
 * Other shifts (e in {0, 1}, left shifts) take tl_mbqm itself (tl_cm4_rq_any). */

/* Whether every shift[0..n) is <= -2: tl_cm4_rq applies */
static inline int tl_cm4_rq_fast_ok(const int32_t *shift, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (shift[i] > -2) {
            return 0;
        }
    }
    return 1;
}

/* tl_mbqm(acc, m, shift) for shift <= -2 */
static inline int32_t tl_cm4_rq(int32_t acc, int32_t m, int32_t shift)
{
    const int32_t right = ~shift;                                   /* e - 1, in [1, 30] */
    const int32_t round = (int32_t)((1u << (uint32_t)right) >> 1); /* 2^(e-2) */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    uint32_t lo;
    int32_t hi;
    __asm__("and %[lo], %[acc], #0x80000000\n\t"
            "orr %[lo], %[lo], #0x40000000\n\t"
            "add %[hi], %[round], %[acc], asr #31\n\t"
            "smlal %[lo], %[hi], %[acc], %[m]"
            : [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [acc] "r"(acc), [m] "r"(m), [round] "r"(round));
    return hi >> right;
#else
    const int64_t q = (int64_t)acc * m + ((int64_t)1 << 30) - (acc < 0 ? ((int64_t)1 << 31) : 0);
    return tl_asr((int32_t)(q >> 32) + round, (int)right); /* >> of int64: arithmetic in gcc and clang */
#endif
}

/* v clamped to [lo, hi] */
static inline int8_t tl_cm4_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* tl_mbqm(acc, m, shift) + y_zp clamped to [act_min, act_max] (inside int8), for any shift (cm4_gemm.c) */
int8_t tl_cm4_rq_any(int32_t acc, int32_t m, int32_t shift, int32_t y_zp, int32_t act_min, int32_t act_max);

/* v (each byte) */
static inline uint32_t tl_cm4_dup8(int32_t v)
{
    return ((uint32_t)v & 0xFFu) * 0x01010101u;
}

/* v0..v3 saturated to int8, packed (v_k in byte k), each byte then clamped to [lo, hi]: lo4 = tl_cm4_dup8(lo),
 * hi4 = tl_cm4_dup8(hi), -128 <= lo <= hi <= 127. */
static inline uint32_t tl_cm4_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3, uint32_t lo4, uint32_t hi4)
{
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    uint32_t r = (uint32_t)v0, t;
    __asm__("ssat %[r], #8, %[r]\n\t"
            "ssat %[v1], #8, %[v1]\n\t"
            "ssat %[v2], #8, %[v2]\n\t"
            "ssat %[v3], #8, %[v3]\n\t"
            "bfi %[r], %[v1], #8, #8\n\t"
            "bfi %[r], %[v2], #16, #8\n\t"
            "bfi %[r], %[v3], #24, #8\n\t"
            "ssub8 %[t], %[r], %[lo]\n\t" /* GE: r >= lo */
            "sel %[r], %[r], %[lo]\n\t"
            "ssub8 %[t], %[r], %[hi]\n\t" /* GE: r >= hi */
            "sel %[r], %[hi], %[r]"
            : [r] "+&r"(r), [v1] "+&r"(v1), [v2] "+&r"(v2), [v3] "+&r"(v3), [t] "=&r"(t)
            : [lo] "r"(lo4), [hi] "r"(hi4)
            : "cc");
    return r;
#else
    const int32_t lo = tl_cm4_byte(lo4, 0), hi = tl_cm4_byte(hi4, 0);
    const int32_t v[4] = {v0, v1, v2, v3};
    uint32_t r = 0, k;
    for (k = 0; k < 4; k++) {
        const int32_t s = v[k] < -128 ? -128 : (v[k] > 127 ? 127 : v[k]);
        r |= (uint32_t)(uint8_t)tl_cm4_clamp(s, lo, hi) << (8 * k);
    }
    return r;
#endif
}

#endif /* TL_CM4_DSP_H */
