/* Double-precision square root and natural logarithm for the float32 kernels (LAYER_NORM, LOG_SOFTMAX), with no
 * libm, next to src/tl_math.h's exp/tanh/erfc. Accurate to about one unit in the last place of a double, far
 * inside the 1e-5 float32 parity tolerance. Pure functions, no state. */
#ifndef TL_KERNEL_MATH_H
#define TL_KERNEL_MATH_H

/* sqrt(x): NaN for x < 0 or NaN, +inf for +inf, x for +-0. */
double tl_kmath_sqrt(double x);

/* log(x): NaN for x < 0 or NaN, -inf for +-0, +inf for +inf. */
double tl_kmath_log(double x);

#endif /* TL_KERNEL_MATH_H */
