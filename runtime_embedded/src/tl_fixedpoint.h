/* TFLite's integer arithmetic, scalar: the primitives every int8 kernel's requantization is built from.
 *
 * Exactly converter/reference/fixedpoint.py: gemmlowp's SaturatingRoundingDoublingHighMul (SRDHM) and
 * RoundingDivideByPOT (RDBPOT), and TFLite's MultiplyByQuantizedMultiplier with the default double rounding.
 * Where C int32 arithmetic would overflow, the reference models two's-complement wrap; here that wrap is done in
 * uint32 arithmetic, so every function is defined behaviour (clean under UBSan) on every target.
 */
#ifndef TL_FIXEDPOINT_H
#define TL_FIXEDPOINT_H

#include <stdint.h>

#define TL_INT32_MIN (-2147483647 - 1)
#define TL_INT32_MAX 2147483647

/* A uint32 bit pattern read as two's-complement int32 (no implementation-defined conversion). */
static inline int32_t tl_wrap32(uint32_t v)
{
    return v <= 0x7FFFFFFFu ? (int32_t)v : (int32_t)(v - 0x80000000u) + TL_INT32_MIN;
}

/* Two's-complement int32 addition, wrapping on overflow (gemmlowp Add). */
static inline int32_t tl_add_wrap(int32_t a, int32_t b)
{
    return tl_wrap32((uint32_t)a + (uint32_t)b);
}

/* Two's-complement int32 subtraction, wrapping on overflow (gemmlowp Sub). */
static inline int32_t tl_sub_wrap(int32_t a, int32_t b)
{
    return tl_wrap32((uint32_t)a - (uint32_t)b);
}

/* x * 2^shift wrapped to int32, shift in [0, 31] (C's x << shift where the reference wraps). */
static inline int32_t tl_shl_wrap(int32_t x, int shift)
{
    return tl_wrap32((uint32_t)x << shift);
}

/* floor(x / 2^shift), shift in [0, 31]: an arithmetic right shift without implementation-defined behaviour. */
static inline int32_t tl_asr(int32_t x, int shift)
{
    return x >= 0 ? (x >> shift) : ~(~x >> shift);
}

/* Leading zero bits of x as uint32; 32 for 0 (TFLite CountLeadingZeros). */
static inline int tl_clz32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return x == 0 ? 32 : __builtin_clz(x);
#else
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* round(a * b / 2^31), ties away from zero; the only overflow, INT32_MIN * INT32_MIN, saturates to INT32_MAX. */
static inline int32_t tl_srdhm(int32_t a, int32_t b)
{
    int64_t product, nudge;
    if (a == TL_INT32_MIN && b == TL_INT32_MIN) {
        return TL_INT32_MAX;
    }
    product = (int64_t)a * (int64_t)b;
    nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((product + nudge) / ((int64_t)1 << 31)); /* C division truncates toward zero */
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31]. */
static inline int32_t tl_rdbpot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)((((uint32_t)1) << exponent) - 1u);
    const int32_t remainder = (int32_t)((uint32_t)x & (uint32_t)mask);
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return tl_asr(x, exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift / 2^31 as TFLite computes it (shift in [-31, 31], > 0 a left shift):
 * left shift with int32 wrap, SRDHM, then RDBPOT. */
static inline int32_t tl_mbqm(int32_t x, int32_t multiplier, int32_t shift)
{
    const int left = shift > 0 ? (int)shift : 0;
    const int right = shift > 0 ? 0 : (int)-shift;
    return tl_rdbpot(tl_srdhm(tl_shl_wrap(x, left), multiplier), right);
}

/* TFLite's int8 output of an int32 accumulator: tl_mbqm(acc, multiplier, shift) + zero_point, clamped to
 * [act_min, act_max] (the sum is taken in 64 bits: nothing wraps). */
static inline int8_t tl_requantize_int8(int32_t acc, int32_t multiplier, int32_t shift, int32_t zero_point,
                                        int32_t act_min, int32_t act_max)
{
    const int64_t v = (int64_t)tl_mbqm(acc, multiplier, shift) + zero_point;
    return (int8_t)(v < act_min ? act_min : (v > act_max ? act_max : v));
}

/* x * 2^exponent, exponent in [-31, 31]: a saturating left shift for exponent > 0, RDBPOT for exponent < 0
 * (gemmlowp SaturatingRoundingMultiplyByPOT). */
static inline int32_t tl_srmbpot(int32_t x, int exponent)
{
    if (exponent > 0) {
        const int64_t threshold = ((int64_t)1 << (31 - exponent)) - 1;
        if ((int64_t)x > threshold) {
            return TL_INT32_MAX;
        }
        if ((int64_t)x < -threshold) {
            return TL_INT32_MIN;
        }
        return tl_shl_wrap(x, exponent);
    }
    return tl_rdbpot(x, -exponent);
}

#endif /* TL_FIXEDPOINT_H */
