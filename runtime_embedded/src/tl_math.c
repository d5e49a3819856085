/* Double-precision exp, expm1, tanh and erfc without libm (see tl_math.h). Written from the textbook methods:
 * exp by reduction to |r| <= ln2/2 and a Taylor polynomial, erfc by a positive-term series for small arguments
 * and a continued fraction for large ones.
 */
#include "tl_math.h"

typedef union {
    double d;
    uint64_t u;
} tl_bits64;

typedef union {
    float f;
    uint32_t u;
} tl_bits32;

static double tl_infinity(void)
{
    tl_bits64 b;
    b.u = (uint64_t)0x7FF0000000000000ull;
    return b.d;
}

/* 2^k for k in [-1022, 1023], exactly. */
static double tl_pow2(int k)
{
    tl_bits64 b;
    b.u = (uint64_t)(k + 1023) << 52;
    return b.d;
}

double tl_round_half_away(double v)
{
    double a;
    if (tl_isnan(v)) {
        return v;
    }
    a = tl_fabs(v) + 0.5;
    if (a < 4503599627370496.0) { /* 2^52: below it a double may have a fraction */
        a = (double)(int64_t)a;   /* truncation is floor for a >= 0 */
    }
    return v < 0 ? -a : a;
}

double tl_exp(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01; /* ln 2 = ln2_hi + ln2_lo, ln2_hi with zeros at the end */
    static const double ln2_lo = 1.90821492927058770002e-10;
    static const double inv_ln2 = 1.44269504088896338700e+00;
    double kf, r, p;
    int k, n;
    if (tl_isnan(x)) {
        return x;
    }
    if (x > 709.782712893384) {
        return tl_infinity();
    }
    if (x < -745.2) {
        return 0.0;
    }
    kf = x * inv_ln2;
    k = (int)(kf + (kf >= 0 ? 0.5 : -0.5));
    r = (x - (double)k * ln2_hi) - (double)k * ln2_lo; /* |r| <= ~0.347 */
    p = 1.0;                                          /* Taylor to r^16 / 16!: error < 1e-22 */
    for (n = 16; n >= 1; n--) {
        p = 1.0 + p * r / (double)n;
    }
    if (k > 1023) {
        return p * tl_pow2(1023) * tl_pow2(k - 1023);
    }
    if (k < -1022) {
        return p * tl_pow2(k + 1000) * tl_pow2(-1000);
    }
    return p * tl_pow2(k);
}

double tl_expm1(double x)
{
    double sum, term;
    int n;
    if (tl_isnan(x)) {
        return x;
    }
    if (tl_fabs(x) >= 0.5) {
        return tl_exp(x) - 1.0;
    }
    sum = 0.0; /* x + x^2/2! + ... + x^20/20!: |x| < 0.5 leaves an error < 1e-25 */
    term = 1.0;
    for (n = 1; n <= 20; n++) {
        term *= x / (double)n;
        sum += term;
    }
    return sum;
}

double tl_tanh(double x)
{
    double a, t;
    if (tl_isnan(x)) {
        return x;
    }
    a = tl_fabs(x);
    if (a > 22.0) {
        t = 1.0;
    } else {
        const double e = tl_expm1(2.0 * a); /* tanh a = (e^2a - 1) / (e^2a + 1) */
        t = e / (e + 2.0);
    }
    return x < 0 ? -t : t;
}

double tl_erfc(double x)
{
    static const double two_over_sqrt_pi = 1.12837916709551257390;
    static const double one_over_sqrt_pi = 0.56418958354775628695;
    if (tl_isnan(x)) {
        return x;
    }
    if (x < 0) {
        return 2.0 - tl_erfc(-x);
    }
    if (x < 2.5) {
        /* erf x = 2/sqrt(pi) e^-x^2 sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): every term positive */
        const double x2 = x * x;
        double term = x, sum = x;
        int n;
        for (n = 1; n < 200 && term > 1e-17 * sum; n++) {
            term *= 2.0 * x2 / (double)(2 * n + 1);
            sum += term;
        }
        return 1.0 - two_over_sqrt_pi * tl_exp(-x2) * sum;
    }
    {
        /* erfc x = e^-x^2 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))) */
        double f = x;
        int n;
        for (n = 80; n >= 1; n--) {
            f = x + ((double)n * 0.5) / f;
        }
        return one_over_sqrt_pi * tl_exp(-x * x) / f;
    }
}

float tl_half_to_float(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    const uint32_t mantissa = h & 0x3FFu;
    tl_bits32 b;
    if (exponent == 0) { /* zero or subnormal: mantissa * 2^-24, exact in float */
        const float magnitude = (float)mantissa * 5.9604644775390625e-08f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) {
        b.u = sign | 0x7F800000u | (mantissa << 13);
        return b.f;
    }
    b.u = sign | ((exponent - 15u + 127u) << 23) | (mantissa << 13);
    return b.f;
}
