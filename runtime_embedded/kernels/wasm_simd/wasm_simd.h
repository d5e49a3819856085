/* Shared pieces of the WebAssembly SIMD128 kernels (kernels/wasm_simd/<op>.c, built with -msimd128 by
 * runtime_wasm/Makefile): per-channel requantization four channels at a time, and the int8 / float dot-product
 * blocks of CONV_2D and FULLY_CONNECTED.
 *
 * Int8 results are bit-exact with the reference kernels: every sum is int32 arithmetic modulo 2^32 (as the
 * reference's wrapping uint32 accumulation), so the order of the additions does not matter; products of int8 values
 * widened to int16 go through i32x4.dot_i16x8_s (two products of at most 2^14 each per lane: no overflow); the
 * requantization computes TFLite's MultiplyByQuantizedMultiplier exactly in 64-bit lanes (see tlw_requant4). Float
 * results accumulate exact float32 products in float64 lanes, as the reference accumulates in double: only the order
 * of the additions differs (error ~1e-16 of the sum of |terms|, far inside the 1e-5 parity bound).
 */
#ifndef TL_WASM_SIMD_H
#define TL_WASM_SIMD_H

#include <wasm_simd128.h>

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

/* Per-channel requantization parameters, TLW_CH4(channels) entries per array: int32 bias, lmul, mult, then double
 * escale (the block is 16-byte aligned since TLW_CH4 is a multiple of 4):
 *   bias    the int32 added to the accumulator first (conv/FC: bias - x_zp * sum(weights), mod 2^32)
 *   lmul    2^left, left = max(shift, 0): the left shift as a wrapping multiply
 *   mult    the multiplier (>= 0, checked by tl_require_quant_params, so SRDHM never saturates)
 *   escale  2^-e, e = max(-shift, 0): RDBPOT's power of two as an exact float64 factor
 * TFLite's MultiplyByQuantizedMultiplier then takes, per lane:
 *   SRDHM   (p + (p >= 0 ? 2^30 : 1 - 2^30)) / 2^31 truncated, p = x * mult, is floor((p + 2^30) / 2^31) for both
 *           signs (for p < 0: trunc(q / 2^31) = floor((q + 2^31 - 1) / 2^31) with q = p + 1 - 2^30); its low 32
 *           bits are those of a logical 64-bit shift.
 *   RDBPOT  s / 2^e rounded half away from zero: y = s * 2^-e is exact in float64 (|s| < 2^31), |y| + 0.5 too,
 *           so sign(y) * floor(|y| + 0.5) is exact, for every e in [0, 31] alike. */
#define TLW_CH4(n) (((uint32_t)(n) + 3u) & ~3u)
enum { TLW_RQ_BIAS = 0, TLW_RQ_LMUL, TLW_RQ_MULT, TLW_RQ_INT_ARRAYS };

/* Bytes of the parameter block for `channels` channels. */
static inline uint32_t tlw_rq_bytes(uint32_t channels)
{
    return TLW_CH4(channels) * (4u * TLW_RQ_INT_ARRAYS + 8u);
}

/* The float64 array 2^-e of a block. */
static inline double *tlw_rq_escale(int32_t *rq, uint32_t n4)
{
    return (double *)(void *)(rq + TLW_RQ_INT_ARRAYS * n4);
}

/* Fill the multiplier/shift arrays of a block from the op's quant_params (bias is left to the caller). Padding
 * channels keep zeros: their results are never stored. */
static inline void tlw_rq_init(int32_t *rq, const tl_quant_params *q, uint32_t channels)
{
    const uint32_t n4 = TLW_CH4(channels);
    double *escale = tlw_rq_escale(rq, n4);
    uint32_t c;
    for (c = 0; c < channels; c++) {
        const int32_t shift = q->output_shift[c];
        const int32_t left = shift > 0 ? shift : 0;
        int32_t e = shift > 0 ? 0 : -shift;
        double f = 1.0;
        rq[TLW_RQ_LMUL * n4 + c] = tl_wrap32((uint32_t)1 << left);
        rq[TLW_RQ_MULT * n4 + c] = q->output_multiplier[c];
        while (e-- > 0) {
            f *= 0.5;
        }
        escale[c] = f;
    }
}

/* SRDHM of four int32 lanes by per-lane multipliers m >= 0. */
static inline v128_t tlw_srdhm4v(v128_t x, v128_t m)
{
    const v128_t half = wasm_i64x2_splat((int64_t)1 << 30);
    const v128_t lo = wasm_u64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), half), 31);
    const v128_t hi = wasm_u64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), half), 31);
    return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

/* 1.5 * 2^52: added to an integer-valued float64 r (|r| < 2^51), it leaves r in two's complement in the low 32
 * bits of the result's bit pattern, exactly (the float64-to-int32 conversion without a saturating instruction). */
#define TLW_MAGIC 6755399441055744.0

/* Round half away from zero of two float64 lanes y (exact multiples of 2^-31 below 2^31), plus biased_zp (the zero
 * point + TLW_MAGIC): the int32 results sit in 32-bit lanes 0 and 2. */
static inline v128_t tlw_round_away2(v128_t y, v128_t biased_zp)
{
    const v128_t r = wasm_f64x2_floor(wasm_f64x2_add(wasm_f64x2_abs(y), wasm_f64x2_splat(0.5)));
    return wasm_f64x2_add(wasm_v128_or(r, wasm_v128_and(y, wasm_f64x2_splat(-0.0))), biased_zp);
}

/* Channels c..c+3 of accumulator acc (int32, the bias already added): tl_mbqm(acc, mult, shift) + zp, clamped to
 * [lo, hi], as int32 lanes. rq: the parameter block, n4 its array length; zp: the output zero point as int32 lanes
 * (TFLite's order: requantize, add the zero point, clamp). */
static inline v128_t tlw_requant4(v128_t acc, const int32_t *rq, uint32_t n4, uint32_t c, v128_t zp, v128_t lo,
                                  v128_t hi)
{
#ifdef TLW_FAKE_REQUANT
    return wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_add(acc, zp), lo), hi);
#endif
    const double *escale = (const double *)(const void *)(rq + TLW_RQ_INT_ARRAYS * n4) + c;
    const v128_t x = wasm_i32x4_mul(acc, wasm_v128_load(rq + TLW_RQ_LMUL * n4 + c));
    const v128_t s = tlw_srdhm4v(x, wasm_v128_load(rq + TLW_RQ_MULT * n4 + c));
    const v128_t bzp = wasm_f64x2_add(wasm_f64x2_convert_low_i32x4(zp), wasm_f64x2_splat(TLW_MAGIC));
    const v128_t y0 = wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(s), wasm_v128_load(escale));
    const v128_t y1 = wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(s, s, 2, 3, 0, 1)),
                                     wasm_v128_load(escale + 2));
    const v128_t r = wasm_i32x4_shuffle(tlw_round_away2(y0, bzp), tlw_round_away2(y1, bzp), 0, 2, 4, 6);
    return wasm_i32x4_min(wasm_i32x4_max(r, lo), hi);
}

/* Four int32 lanes (each in [-128, 127]) narrowed to int8 in the low 4 bytes. */
static inline v128_t tlw_narrow4(v128_t v)
{
    const v128_t h = wasm_i16x8_narrow_i32x4(v, v);
    return wasm_i8x16_narrow_i16x8(h, h);
}

/* Store the first `count` (1..4) int8 lanes of a narrowed vector at dst. */
static inline void tlw_store4(int8_t *dst, v128_t bytes, uint32_t count)
{
    if (count == 4) {
        wasm_v128_store32_lane(dst, bytes, 0);
    } else {
        uint32_t i;
        int8_t tmp[16];
        wasm_v128_store(tmp, bytes);
        for (i = 0; i < count; i++) {
            dst[i] = tmp[i];
        }
    }
}

/* [sum(a), sum(b), sum(c), sum(d)] of four int32x4 vectors. */
static inline v128_t tlw_hsum4(v128_t a, v128_t b, v128_t c, v128_t d)
{
    const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    const v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
    return wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

/* bias[c] = (b ? b[c] : 0) - x_zp * sum_k w[c*depth + k], wrapping (the zero-point term of a dot product whose int8
 * inputs are used raw: sum (x - zp) w = sum x w - zp sum w, exactly, modulo 2^32). */
static inline void tlw_rq_bias(int32_t *rq, const int8_t *w, const int32_t *b, uint32_t channels, uint32_t depth,
                               int32_t x_zp)
{
    uint32_t c, k;
    for (c = 0; c < channels; c++) {
        uint32_t sum = 0u;
        const int8_t *row = w + (size_t)c * depth;
        for (k = 0; k < depth; k++) {
            sum += (uint32_t)(int32_t)row[k];
        }
        rq[c] = tl_wrap32((b ? (uint32_t)b[c] : 0u) - (uint32_t)x_zp * sum);
    }
}

/* One output row pair of an int8 GEMM: for rows xa and xb (int8, `depth` long; xb may equal xa) and the weight
 * matrix w [channels][depth], ya[c] and yb[c] = requant(bias[c] + sum_k x[k] w[c][k]) for every channel c.
 * Two rows by four channels per block: eight i32x4 accumulators, 64 multiply-adds per eight k. */
static inline void tlw_gemm_int8_rows(const int8_t *xa, const int8_t *xb, const int8_t *w, const int32_t *rq,
                                      uint32_t channels, uint32_t depth, int8_t *ya, int8_t *yb, int32_t y_zp,
                                      int32_t act_min, int32_t act_max)
{
    const uint32_t n4 = TLW_CH4(channels), depth8 = depth & ~7u;
    const v128_t zp = wasm_i32x4_splat(y_zp), lo = wasm_i32x4_splat(act_min), hi = wasm_i32x4_splat(act_max);
    uint32_t c, k, j;
    for (c = 0; c < channels; c += 4) {
        const uint32_t valid = channels - c < 4u ? channels - c : 4u;
        const int8_t *w0 = w + (size_t)c * depth;
        const int8_t *w1 = w + (size_t)(c + (valid > 1 ? 1u : 0u)) * depth;
        const int8_t *w2 = w + (size_t)(c + (valid > 2 ? 2u : 0u)) * depth;
        const int8_t *w3 = w + (size_t)(c + (valid > 3 ? 3u : 0u)) * depth;
        v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        v128_t sa, sb;
        for (k = 0; k < depth8; k += 8) {
            const v128_t va = wasm_i16x8_load8x8(xa + k), vb = wasm_i16x8_load8x8(xb + k);
            const v128_t v0 = wasm_i16x8_load8x8(w0 + k), v1 = wasm_i16x8_load8x8(w1 + k);
            const v128_t v2 = wasm_i16x8_load8x8(w2 + k), v3 = wasm_i16x8_load8x8(w3 + k);
            a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(va, v0));
            a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(va, v1));
            a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(va, v2));
            a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(va, v3));
            b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(vb, v0));
            b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(vb, v1));
            b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(vb, v2));
            b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(vb, v3));
        }
        sa = wasm_i32x4_add(tlw_hsum4(a0, a1, a2, a3), wasm_v128_load(rq + TLW_RQ_BIAS * n4 + c));
        sb = wasm_i32x4_add(tlw_hsum4(b0, b1, b2, b3), wasm_v128_load(rq + TLW_RQ_BIAS * n4 + c));
        if (depth8 < depth) {
            uint32_t ta[4] = {0u, 0u, 0u, 0u}, tb[4] = {0u, 0u, 0u, 0u};
            const int8_t *rows[4];
            rows[0] = w0;
            rows[1] = w1;
            rows[2] = w2;
            rows[3] = w3;
            for (j = 0; j < 4; j++) {
                for (k = depth8; k < depth; k++) {
                    ta[j] += (uint32_t)((int32_t)xa[k] * (int32_t)rows[j][k]);
                    tb[j] += (uint32_t)((int32_t)xb[k] * (int32_t)rows[j][k]);
                }
            }
            sa = wasm_i32x4_add(sa, wasm_v128_load(ta));
            sb = wasm_i32x4_add(sb, wasm_v128_load(tb));
        }
        tlw_store4(ya + c, tlw_narrow4(tlw_requant4(sa, rq, n4, c, zp, lo, hi)), valid);
        if (yb != ya) {
            tlw_store4(yb + c, tlw_narrow4(tlw_requant4(sb, rq, n4, c, zp, lo, hi)), valid);
        }
    }
}

/* sum_k x[k] * w[k] over float32 vectors in float64 lanes (exact products), then + bias. */
static inline double tlw_dot_f64(const float *x, const float *w, uint32_t depth)
{
    const uint32_t depth4 = depth & ~3u;
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0;
    double tail = 0.0;
    uint32_t k;
    for (k = 0; k < depth4; k += 4) {
        const v128_t vx = wasm_v128_load(x + k), vw = wasm_v128_load(w + k);
        s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(vx), wasm_f64x2_promote_low_f32x4(vw)));
        s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(vx, vx, 2, 3, 0, 1)),
                                               wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(vw, vw, 2, 3, 0, 1))));
    }
    for (; k < depth; k++) {
        tail += (double)x[k] * (double)w[k];
    }
    s0 = wasm_f64x2_add(s0, s1);
    return wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1) + tail;
}

/* out[j] = sum_k x[k] * w_j[k] for four weight rows at once (each x load shared by the four), in float64 lanes. */
static inline void tlw_dot4_f64(const float *x, const float *w0, const float *w1, const float *w2, const float *w3,
                                uint32_t depth, double *out)
{
    const float *rows[4];
    v128_t acc[4][2];
    uint32_t j, k;
    const uint32_t depth4 = depth & ~3u;
    rows[0] = w0;
    rows[1] = w1;
    rows[2] = w2;
    rows[3] = w3;
    for (j = 0; j < 4; j++) {
        acc[j][0] = wasm_f64x2_splat(0.0);
        acc[j][1] = acc[j][0];
    }
    for (k = 0; k < depth4; k += 4) {
        const v128_t vx = wasm_v128_load(x + k);
        const v128_t x0 = wasm_f64x2_promote_low_f32x4(vx);
        const v128_t x1 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(vx, vx, 2, 3, 0, 1));
        for (j = 0; j < 4; j++) {
            const v128_t vw = wasm_v128_load(rows[j] + k);
            acc[j][0] = wasm_f64x2_add(acc[j][0], wasm_f64x2_mul(x0, wasm_f64x2_promote_low_f32x4(vw)));
            acc[j][1] = wasm_f64x2_add(acc[j][1], wasm_f64x2_mul(
                                                      x1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(vw, vw, 2, 3, 0, 1))));
        }
    }
    for (j = 0; j < 4; j++) {
        const v128_t sum = wasm_f64x2_add(acc[j][0], acc[j][1]);
        double tail = 0.0;
        for (k = depth4; k < depth; k++) {
            tail += (double)x[k] * (double)rows[j][k];
        }
        out[j] = wasm_f64x2_extract_lane(sum, 0) + wasm_f64x2_extract_lane(sum, 1) + tail;
    }
}

/* A float32 fused activation on four lanes, as tl_activate_float (NaN and -0 kept). */
static inline v128_t tlw_activate_f32x4(v128_t v, int32_t activation)
{
    const v128_t zero = wasm_f32x4_splat(0.0f);
    if (activation == TL_ACTIVATION_RELU || activation == TL_ACTIVATION_RELU6) {
        v = wasm_v128_bitselect(zero, v, wasm_f32x4_lt(v, zero));
    }
    if (activation == TL_ACTIVATION_RELU6) {
        const v128_t six = wasm_f32x4_splat(6.0f);
        v = wasm_v128_bitselect(six, v, wasm_f32x4_gt(v, six));
    }
    return v;
}

/* SRDHM of four int32 lanes by one multiplier m >= 0. */
static inline v128_t tlw_srdhm4(v128_t x, int32_t m)
{
    return tlw_srdhm4v(x, wasm_i32x4_splat(m));
}

/* RDBPOT of four int32 lanes by one exponent e in [0, 31] (tl_rdbpot). */
static inline v128_t tlw_rdbpot4(v128_t x, int e)
{
    const int32_t mask = (int32_t)(((uint32_t)1 << e) - 1u);
    const v128_t rem = wasm_v128_and(x, wasm_i32x4_splat(mask));
    const v128_t threshold = wasm_i32x4_sub(wasm_i32x4_splat(mask >> 1), wasm_i32x4_lt(x, wasm_i32x4_splat(0)));
    return wasm_i32x4_sub(wasm_i32x4_shr(x, (uint32_t)e), wasm_i32x4_gt(rem, threshold));
}

#endif /* TL_WASM_SIMD_H */
