/* gemmlowp's fixed-point math and TFLite's additions, scalar: exactly converter/reference/gemmlowp.py.
 *
 * A FixedPoint<int32, k> is a raw int32 with k integer bits and 31 - k fractional bits; here a value is its raw
 * int32 and the caller passes k. gemmlowp's plain Add/Sub/Neg wrap (tl_add_wrap etc.), as on the targets.
 */
#ifndef TL_GEMMLOWP_H
#define TL_GEMMLOWP_H

#include <stdint.h>

#include "tl_fixedpoint.h"

#define TL_GL_EXP_MINUS_ONE_EIGHTH 1895147668 /* Q0.31 exp(-1/8) */
#define TL_GL_ONE_THIRD 715827883             /* Q0.31 1/3 */
#define TL_GL_FORTY_EIGHT_OVER_17 1515870810  /* Q2.29 48/17 */
#define TL_GL_MINUS_32_OVER_17 (-1010580540)  /* Q2.29 -32/17 */

/* Raw value of FixedPoint<int32, k>::One(): 1.0, or INT32_MAX when k == 0. */
static inline int32_t tl_gl_one(int integer_bits)
{
    return integer_bits == 0 ? TL_INT32_MAX : (int32_t)((uint32_t)1 << (31 - integer_bits));
}

/* FixedPoint<int32, src> raw -> FixedPoint<int32, dst> raw of the same value (gemmlowp Rescale). */
static inline int32_t tl_gl_rescale(int32_t x, int src_integer_bits, int dst_integer_bits)
{
    return tl_srmbpot(x, src_integer_bits - dst_integer_bits);
}

/* (a + b) / 2 rounded to nearest, ties away from zero (gemmlowp RoundingHalfSum). */
static inline int32_t tl_gl_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t total = (int64_t)a + (int64_t)b;
    return (int32_t)((total + (total >= 0 ? 1 : -1)) / 2);
}

/* Q0.31 a in [-1/4, 0) -> Q0.31 exp(a): 4th-order Taylor expansion around -1/8. */
static inline int32_t tl_gl_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a)
{
    const int32_t x = tl_add_wrap(a, (int32_t)1 << 28); /* a + 1/8 */
    const int32_t x2 = tl_srdhm(x, x);
    const int32_t x3 = tl_srdhm(x2, x);
    const int32_t x4 = tl_srdhm(x2, x2);
    const int32_t x4_over_4 = tl_srmbpot(x4, -2);
    const int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 =
        tl_srmbpot(tl_add_wrap(tl_srdhm(tl_add_wrap(x4_over_4, x3), TL_GL_ONE_THIRD), x2), -1);
    return tl_add_wrap(TL_GL_EXP_MINUS_ONE_EIGHTH,
                       tl_srdhm(TL_GL_EXP_MINUS_ONE_EIGHTH, tl_add_wrap(x, x4_over_24_plus_x3_over_6_plus_x2_over_2)));
}

/* FixedPoint<int32, k> a <= 0 -> Q0.31 exp(a); exp(0) is INT32_MAX; below -32 it is 0 (k > 5). k in [1, 26]. */
static inline int32_t tl_gl_exp_on_negative_values(int32_t a, int integer_bits)
{
    static const int32_t barrel[7][2] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                                         {2, 39332535},    {3, 720401},      {4, 242}};
    const int k = integer_bits;
    const int frac = 31 - k;
    const int32_t one_quarter = (int32_t)1 << (frac - 2);
    const int32_t a_mod_quarter_minus_one_quarter =
        tl_sub_wrap((int32_t)((uint32_t)a & (uint32_t)(one_quarter - 1)), one_quarter);
    int32_t result = tl_gl_exp_on_interval_between_negative_one_quarter_and_0_excl(
        tl_gl_rescale(a_mod_quarter_minus_one_quarter, k, 0));
    const int32_t remainder = tl_sub_wrap(a_mod_quarter_minus_one_quarter, a);
    int i;
    for (i = 0; i < 7; i++) {
        const int exponent = barrel[i][0];
        if (k > exponent && ((uint32_t)remainder & ((uint32_t)1 << (frac + exponent))) != 0) {
            result = tl_srdhm(result, barrel[i][1]);
        }
    }
    if (k > 5 && a < -((int32_t)1 << (36 - k))) {
        result = 0;
    }
    return a == 0 ? TL_INT32_MAX : result;
}

/* Q0.31 a in [0, 1) -> Q0.31 1 / (1 + a) (saturating to INT32_MAX at a == 0): Newton-Raphson on Q2.29. */
static inline int32_t tl_gl_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t half_denominator = tl_gl_rounding_half_sum(a, TL_INT32_MAX);
    int32_t x = tl_add_wrap(TL_GL_FORTY_EIGHT_OVER_17, tl_srdhm(half_denominator, TL_GL_MINUS_32_OVER_17));
    int i;
    for (i = 0; i < 3; i++) {
        const int32_t one_minus_half_denominator_times_x = tl_sub_wrap(tl_gl_one(2), tl_srdhm(half_denominator, x));
        x = tl_add_wrap(x, tl_gl_rescale(tl_srdhm(x, one_minus_half_denominator_times_x), 4, 2));
    }
    return tl_gl_rescale(x, 1, 0);
}

/* FixedPoint<int32, x_integer_digits> x > 0 -> Q0.31 s with 1/x = s * 2^-n, n in *num_bits_over_unit
 * (TFLite GetReciprocal). */
static inline int32_t tl_gl_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit)
{
    const int headroom_plus_one = tl_clz32((uint32_t)x);
    const uint32_t normalized = headroom_plus_one >= 32 ? 0u : ((uint32_t)x << headroom_plus_one);
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    return tl_gl_one_over_one_plus_x_for_x_in_0_1(tl_wrap32(normalized - 0x80000000u));
}

#endif /* TL_GEMMLOWP_H */
