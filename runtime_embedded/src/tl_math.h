/* Double-precision elementary functions for the float32 kernels, with no libm (the core also builds
 * freestanding for wasm32 and bare-metal Cortex-M). Accurate to a few units in the last place of a double on the
 * ranges the kernels use, far inside the 1e-5 float32 parity tolerance. Pure functions, no state.
 */
#ifndef TL_MATH_H
#define TL_MATH_H

#include <stdint.h>

/* e^x; +inf above ~709.8, 0 below ~-745; NaN stays NaN. */
double tl_exp(double x);

/* e^x - 1, accurate near 0. */
double tl_expm1(double x);

/* Hyperbolic tangent. */
double tl_tanh(double x);

/* Complementary error function 1 - erf(x). */
double tl_erfc(double x);

/* 1 when x is NaN. */
static inline int tl_isnan(double x)
{
    return x != x;
}

/* 1 when the float32 x is finite (not NaN, not an infinity). */
static inline int tl_isfinite_f32(float x)
{
    return x >= -3.402823466e+38f && x <= 3.402823466e+38f;
}

/* |x| */
static inline double tl_fabs(double x)
{
    return x < 0 ? -x : x;
}

/* floor(|v| + 0.5) with v's sign: C's round() (half away from zero), for any double. */
double tl_round_half_away(double v);

/* IEEE binary16 bits -> float (exact widening). */
float tl_half_to_float(uint16_t h);

#endif /* TL_MATH_H */
