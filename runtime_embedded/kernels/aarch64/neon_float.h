/* Float32 dot products for the aarch64 NEON CONV_2D and FULLY_CONNECTED kernels: four weight rows against one input
 * run with FMLA.
 *
 * The reference accumulates float32 products in float64 and rounds the sum to float32 once. Here each lane
 * accumulates with FMLA in float32 (the product exact inside the fused multiply-add, one rounding per step) over
 * at most TLN_F32_RUN values, and those partial sums are added in float64; the worst relative error of a sum is then
 * about TLN_F32_RUN / 4 * 2^-24 of the sum of |x * w| (~1e-6), against the 1e-5 (of the output's largest magnitude)
 * the runtime promises. A partial sum that is not finite (float32 overflowing where float64 does not, Inf - Inf) is
 * recomputed the reference's way, in float64, so Inf and NaN come out as the reference's.
 */
#ifndef TL_NEON_FLOAT_H
#define TL_NEON_FLOAT_H

#include <arm_neon.h>

#include "tl_kernel.h"

#define TLN_F32_RUN 64u /* floats per float32 partial sum (16 per lane) */

/* sum_k x[k] * w[k] in float64, the reference's way */
static inline double tln_dot_f64(const float *x, const float *w, uint32_t n)
{
    double acc = 0.0;
    uint32_t i;
    for (i = 0; i < n; i++) {
        acc += (double)x[i] * (double)w[i];
    }
    return acc;
}

/* acc[j] += sum_k x[k] * w_j[k] for the four rows w_j = w + j * w_stride, k < n. */
static inline void tln_dot4_f32(const float *x, const float *w, size_t w_stride, uint32_t n, double *acc)
{
    const float *w0 = w, *w1 = w + w_stride, *w2 = w + 2u * w_stride, *w3 = w + 3u * w_stride;
    float64x2_t d0 = vdupq_n_f64(0.0), d1 = d0, d2 = d0, d3 = d0;
    uint32_t at = 0;
    int finite;
    while (at < n) {
        const uint32_t end = n - at > TLN_F32_RUN ? at + TLN_F32_RUN : n;
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        uint32_t k = at;
        for (; k + 4u <= end; k += 4u) {
            const float32x4_t xv = vld1q_f32(x + k);
            s0 = vfmaq_f32(s0, xv, vld1q_f32(w0 + k));
            s1 = vfmaq_f32(s1, xv, vld1q_f32(w1 + k));
            s2 = vfmaq_f32(s2, xv, vld1q_f32(w2 + k));
            s3 = vfmaq_f32(s3, xv, vld1q_f32(w3 + k));
        }
        for (; k < end; k++) {
            /* the last n % 4 values: into lane 0 */
            s0 = vsetq_lane_f32(vgetq_lane_f32(s0, 0) + x[k] * w0[k], s0, 0);
            s1 = vsetq_lane_f32(vgetq_lane_f32(s1, 0) + x[k] * w1[k], s1, 0);
            s2 = vsetq_lane_f32(vgetq_lane_f32(s2, 0) + x[k] * w2[k], s2, 0);
            s3 = vsetq_lane_f32(vgetq_lane_f32(s3, 0) + x[k] * w3[k], s3, 0);
        }
        d0 = vaddq_f64(d0, vaddq_f64(vcvt_f64_f32(vget_low_f32(s0)), vcvt_high_f64_f32(s0)));
        d1 = vaddq_f64(d1, vaddq_f64(vcvt_f64_f32(vget_low_f32(s1)), vcvt_high_f64_f32(s1)));
        d2 = vaddq_f64(d2, vaddq_f64(vcvt_f64_f32(vget_low_f32(s2)), vcvt_high_f64_f32(s2)));
        d3 = vaddq_f64(d3, vaddq_f64(vcvt_f64_f32(vget_low_f32(s3)), vcvt_high_f64_f32(s3)));
        at = end;
    }
    {
        const double r0 = vaddvq_f64(d0), r1 = vaddvq_f64(d1), r2 = vaddvq_f64(d2), r3 = vaddvq_f64(d3);
        /* x - x is 0 for every finite x: not 0 means Inf or NaN somewhere in the float32 sums */
        finite = r0 - r0 == 0.0 && r1 - r1 == 0.0 && r2 - r2 == 0.0 && r3 - r3 == 0.0;
        if (finite) {
            acc[0] += r0;
            acc[1] += r1;
            acc[2] += r2;
            acc[3] += r3;
            return;
        }
    }
    acc[0] += tln_dot_f64(x, w0, n);
    acc[1] += tln_dot_f64(x, w1, n);
    acc[2] += tln_dot_f64(x, w2, n);
    acc[3] += tln_dot_f64(x, w3, n);
}

#endif /* TL_NEON_FLOAT_H */
