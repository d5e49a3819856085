/* sqrt and log in double without libm (see kernel_math.h). Both split x = m * 2^e from its bits; sqrt runs Newton's
 * iteration on m, log sums the series of 2 atanh((m - 1) / (m + 1)) with m in [sqrt(1/2), sqrt(2)). */
#include <stdint.h>

#include "kernel_math.h"

typedef union {
    double d;
    uint64_t u;
} bits64;

static double from_bits(uint64_t u)
{
    bits64 b;
    b.u = u;
    return b.d;
}

static uint64_t to_bits(double d)
{
    bits64 b;
    b.d = d;
    return b.u;
}

#define EXPONENT_MASK 0x7FF0000000000000ull
#define MANTISSA_MASK 0x000FFFFFFFFFFFFFull
#define QUIET_NAN 0x7FF8000000000000ull
#define POSITIVE_INFINITY 0x7FF0000000000000ull
#define NEGATIVE_INFINITY 0xFFF0000000000000ull

/* 2^k for k in [-1022, 1023], exactly. */
static double pow2(int k)
{
    return from_bits((uint64_t)(k + 1023) << 52);
}

/* x > 0 finite -> m in [1, 2) and e with x = m * 2^e (subnormals included). */
static double split(double x, int *e)
{
    uint64_t u = to_bits(x);
    int adjust = 0;
    if ((u & EXPONENT_MASK) == 0) { /* subnormal: scale it into the normal range first */
        u = to_bits(x * pow2(64));
        adjust = -64;
    }
    *e = (int)((u & EXPONENT_MASK) >> 52) - 1023 + adjust;
    return from_bits((u & MANTISSA_MASK) | ((uint64_t)1023 << 52));
}

double tl_kmath_sqrt(double x)
{
    double m, y;
    int e, i;
    if (x != x || x == 0.0) {
        return x;
    }
    if (x < 0.0) {
        return from_bits(QUIET_NAN);
    }
    if (to_bits(x) == POSITIVE_INFINITY) {
        return x;
    }
    m = split(x, &e);
    if (e % 2 != 0) { /* make e even: m in [1, 4) */
        m *= 2.0;
        e -= 1;
    }
    y = 0.5 * (1.0 + m); /* >= sqrt(m), within 25% */
    for (i = 0; i < 6; i++) {
        y = 0.5 * (y + m / y);
    }
    y *= pow2(e / 2);
    return 0.5 * (y + x / y); /* one step at full scale polishes the last bit */
}

double tl_kmath_log(double x)
{
    static const double ln2 = 0.69314718055994530942;
    static const double sqrt2 = 1.41421356237309504880;
    double m, s, s2, sum;
    int e, n;
    if (x != x) {
        return x;
    }
    if (x == 0.0) {
        return from_bits(NEGATIVE_INFINITY);
    }
    if (x < 0.0) {
        return from_bits(QUIET_NAN);
    }
    if (to_bits(x) == POSITIVE_INFINITY) {
        return x;
    }
    m = split(x, &e);
    if (m > sqrt2) {
        m *= 0.5;
        e += 1;
    }
    s = (m - 1.0) / (m + 1.0); /* |s| <= 0.1716 */
    s2 = s * s;
    sum = 0.0; /* 1 + s2/3 + s2^2/5 + ... + s2^12/25: the rest is below 1e-19 of the sum */
    for (n = 25; n >= 3; n -= 2) {
        sum = (sum + 1.0 / (double)n) * s2;
    }
    return (double)e * ln2 + 2.0 * s * (1.0 + sum);
}
