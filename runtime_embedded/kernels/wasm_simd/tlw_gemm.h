/* The GEMM of the SIMD128 CONV_2D and FULLY_CONNECTED kernels: y[p][c] = bias[c] + sum_k x_p[k] * w[c][k] for
 * rows p (an output pixel's receptive field, or a row of FC input) and the weight matrix w [channels][depth].
 *
 * A row is read where it lies, as `runs` runs of `run` consecutive values: run j of row p starts at
 * base_p + offsets[j] (a conv reads each KW*Ci run of its window straight from a padded copy of the input; an FC
 * row is one run). The weights are packed once at bind into panels of eight output channels, in the order the
 * micro-kernel reads them: one 16-byte load per operand, no shuffles in the inner loop. The micro-kernel takes four
 * rows by eight channels (eight accumulators of four channel lanes, initialised with the bias), or one row by eight
 * channels for the tail; each row value is broadcast to every lane (v128.load32_splat) and multiplied with the
 * eight channels' weights, so the accumulators hold the channels in lanes and go straight to requantization.
 *   int8   rows widened to int16; the panel of a block holds, per pair of k of each run, [w[c0][k] w[c0][k+1] ...
 *          w[c3][k+1]] [same for c4..c7] as int16, zero past the run's end (an odd run reads one value past its
 *          end, which must be readable: the buffers keep TLW_SLACK values of slack) and past the channels;
 *          i32x4.dot_i16x8_s of the broadcast pair (x[k], x[k+1]) with each: exact in int32 (see wasm_simd.h).
 *   float  the panel of a block holds, per k, [w[c0][k] .. w[c7][k]]; f32x4 products summed in float32 (within
 *          1e-5 of the reference's double sums on the conv/FC sizes of tiny models; the parity tests check it).
 */
#ifndef TLW_GEMM_H
#define TLW_GEMM_H

#include "wasm_simd.h"

#define TLW_CH8(n) (((uint64_t)(n) + 7u) & ~(uint64_t)7u)
#define TLW_ROWS 4u  /* rows per micro-kernel call */
#define TLW_SLACK 8u /* values of slack after a widened buffer */

/* How the GEMM reads a row: `runs` runs of `run` values at offsets[j] (in values) from the row's base. */
typedef struct tlw_runs {
    const uint32_t *offsets;
    uint32_t runs, run;
} tlw_runs;

/* Pairs of k per run in an int8 panel. */
static inline uint64_t tlw_run_pairs(uint64_t run)
{
    return (run + 1u) / 2u;
}

/* Bytes of an int8 panel (int16 values) / a float panel, for rows of `runs` runs of `run` values. */
static inline uint64_t tlw_panel_i8_bytes(uint64_t channels, uint64_t runs, uint64_t run)
{
    return TLW_CH8(channels) * runs * tlw_run_pairs(run) * 4u;
}

static inline uint64_t tlw_panel_f32_bytes(uint64_t channels, uint64_t depth)
{
    return TLW_CH8(channels) * depth * 4u;
}

/* Pack int8 weights w [*][runs * run] into panel (tlw_panel_i8_bytes bytes): panel channel c takes the row map[c]
 * (map NULL: c). */
static inline void tlw_pack_i8(int16_t *panel, const int8_t *w, uint32_t channels, uint32_t runs, uint32_t run,
                               const uint32_t *map)
{
    const uint32_t pairs = (uint32_t)tlw_run_pairs(run), all = (uint32_t)TLW_CH8(channels);
    const uint32_t depth = runs * run;
    uint32_t c, j, k;
    for (c = 0; c < all; c++) {
        int16_t *block = panel + (size_t)(c / 8u) * runs * pairs * 16u + (c % 8u) * 2u;
        for (j = 0; j < runs; j++) {
            int16_t *dst = block + (size_t)j * pairs * 16u;
            for (k = 0; k < 2u * pairs; k++) {
                dst[(size_t)(k / 2u) * 16u + (k & 1u)] =
                    (int16_t)(c < channels && k < run ? w[(size_t)(map ? map[c] : c) * depth + (size_t)j * run + k]
                                                      : 0);
            }
        }
    }
}

/* Pack float weights w [channels][depth] into panel (tlw_panel_f32_bytes bytes). */
static inline void tlw_pack_f32(float *panel, const float *w, uint32_t channels, uint32_t depth)
{
    const uint32_t all = (uint32_t)TLW_CH8(channels);
    uint32_t c, k;
    for (c = 0; c < all; c++) {
        float *dst = panel + (size_t)(c / 8u) * depth * 8u + (c % 8u);
        for (k = 0; k < depth; k++) {
            dst[(size_t)k * 8u] = c < channels ? w[(size_t)c * depth + k] : 0.0f;
        }
    }
}

/* dst[0..n) = src[0..n) widened to int16. */
static inline void tlw_widen(int16_t *dst, const int8_t *src, uint32_t n)
{
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        wasm_v128_store(dst + i, wasm_i16x8_load8x8(src + i));
    }
    for (; i < n; i++) {
        dst[i] = src[i];
    }
}

/* dst[0..n) = value. */
static inline void tlw_fill16(int16_t *dst, int16_t value, uint32_t n)
{
    const v128_t v = wasm_i16x8_splat(value);
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        wasm_v128_store(dst + i, v);
    }
    for (; i < n; i++) {
        dst[i] = value;
    }
}

/* One step of tlw_dot_i8_4x8: the pair of k at x_r + k, the panel's 16 values at w. */
#define TLW_STEP_I8(k, w)                                                                                            \
    do {                                                                                                             \
        const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load((w) + 8);                                           \
        v128_t b = wasm_v128_load32_splat(x0 + (k));                                                                 \
        a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(b, w0));                                                        \
        a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(b, w1));                                                        \
        b = wasm_v128_load32_splat(x1 + (k));                                                                        \
        a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(b, w0));                                                        \
        a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(b, w1));                                                        \
        b = wasm_v128_load32_splat(x2 + (k));                                                                        \
        a4 = wasm_i32x4_add(a4, wasm_i32x4_dot_i16x8(b, w0));                                                        \
        a5 = wasm_i32x4_add(a5, wasm_i32x4_dot_i16x8(b, w1));                                                        \
        b = wasm_v128_load32_splat(x3 + (k));                                                                        \
        a6 = wasm_i32x4_add(a6, wasm_i32x4_dot_i16x8(b, w0));                                                        \
        a7 = wasm_i32x4_add(a7, wasm_i32x4_dot_i16x8(b, w1));                                                        \
    } while (0)

/* Four int16 rows (bases base[0..4)) by one panel block: acc[2r], acc[2r+1] (channels 0..3, 4..7 of the block,
 * holding the bias) += the dot products of row r. One pair per iteration, not unrolled: clang's unrolled and
 * interleaved loop keeps more vectors live than V8's register allocator holds, and it spills accumulators. */
static inline void tlw_dot_i8_4x8(const int16_t *const *base, const tlw_runs *r, const int16_t *w, v128_t *acc)
{
    const uint32_t k_end = 2u * (uint32_t)tlw_run_pairs(r->run);
    v128_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    uint32_t j, k;
    for (j = 0; j < r->runs; j++) {
        const int16_t *x0 = base[0] + r->offsets[j], *x1 = base[1] + r->offsets[j];
        const int16_t *x2 = base[2] + r->offsets[j], *x3 = base[3] + r->offsets[j];
#pragma clang loop unroll(disable)
        for (k = 0; k < k_end; k += 2, w += 16) {
            TLW_STEP_I8(k, w);
        }
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

/* One int16 row (base x) by one panel block (as tlw_dot_i8_4x8, acc[0..1]); two accumulator pairs for independent
 * chains. */
static inline void tlw_dot_i8_1x8(const int16_t *x, const tlw_runs *r, const int16_t *w, v128_t *acc)
{
    const uint32_t k_end = 2u * (uint32_t)tlw_run_pairs(r->run);
    v128_t a0 = acc[0], a1 = acc[1], b0 = wasm_i32x4_splat(0), b1 = b0;
    uint32_t j, k;
    for (j = 0; j < r->runs; j++) {
        const int16_t *x0 = x + r->offsets[j];
#pragma clang loop unroll(disable)
        for (k = 0; k + 4 <= k_end; k += 4, w += 32) {
            const v128_t p = wasm_v128_load32_splat(x0 + k), q = wasm_v128_load32_splat(x0 + k + 2);
            a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w)));
            a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w + 8)));
            b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(q, wasm_v128_load(w + 16)));
            b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(q, wasm_v128_load(w + 24)));
        }
        if (k < k_end) {
            const v128_t p = wasm_v128_load32_splat(x0 + k);
            a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w)));
            a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w + 8)));
            w += 16;
        }
    }
    acc[0] = wasm_i32x4_add(a0, b0);
    acc[1] = wasm_i32x4_add(a1, b1);
}

/* One int16 row (base x) by two panel blocks w and v (acc[0..1] for w, acc[2..3] for v): each broadcast serves
 * sixteen channels, which halves the loop overhead per product of tlw_dot_i8_1x8. */
static inline void tlw_dot_i8_1x16(const int16_t *x, const tlw_runs *r, const int16_t *w, const int16_t *v,
                                   v128_t *acc)
{
    const uint32_t k_end = 2u * (uint32_t)tlw_run_pairs(r->run);
    v128_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    uint32_t j, k;
    for (j = 0; j < r->runs; j++) {
        const int16_t *x0 = x + r->offsets[j];
#pragma clang loop unroll(disable)
        for (k = 0; k < k_end; k += 2, w += 16, v += 16) {
            const v128_t p = wasm_v128_load32_splat(x0 + k);
            a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w)));
            a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(p, wasm_v128_load(w + 8)));
            a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(p, wasm_v128_load(v)));
            a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(p, wasm_v128_load(v + 8)));
        }
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

/* Store the first `count` (any; at most 8 are written) int8 lanes of v at dst. */
static inline void tlw_store8(int8_t *dst, v128_t v, uint32_t count)
{
    if (count >= 8) {
        wasm_v128_store64_lane(dst, v, 0);
    } else {
        tlw_store4(dst, v, count < 4 ? count : 4);
        if (count > 4) {
            tlw_store4(dst + 4, wasm_i32x4_shuffle(v, v, 1, 1, 1, 1), count - 4);
        }
    }
}

/* The int8 GEMM of `count` (1..4) rows with bases base[0..count) into y (row t at y + t * channels), requantized
 * with block rq (bias included, n4 = TLW_CH4(channels), see wasm_simd.h); left: tlw_rq_left. */
static inline void tlw_gemm_i8_shifts(const int16_t *const *base, uint32_t count, const tlw_runs *r,
                                      const int16_t *panel, const int32_t *rq, int left, uint32_t channels, int8_t *y,
                                      int32_t y_zp, int32_t act_min, int32_t act_max)
{
    const uint32_t n4 = TLW_CH4(channels), block = r->runs * (uint32_t)tlw_run_pairs(r->run) * 16u;
    const v128_t zp = wasm_i16x8_splat((int16_t)y_zp);
    const v128_t lo = wasm_i8x16_splat((int8_t)act_min), hi = wasm_i8x16_splat((int8_t)act_max);
    uint32_t c, t;
    if (count < TLW_ROWS) {
        /* the tail (an FC of one row): one row by sixteen channels while two blocks remain */
        for (t = 0; t < count; t++) {
            int8_t *row = y + (size_t)t * channels;
            for (c = 0; c < channels; c += 16) {
                const int16_t *w = panel + (size_t)(c / 8u) * block;
                v128_t acc[4];
                acc[0] = wasm_v128_load(rq + c);
                acc[1] = wasm_v128_load(rq + c + 4);
                if (c + 8 < channels) {
                    acc[2] = wasm_v128_load(rq + c + 8);
                    acc[3] = wasm_v128_load(rq + c + 12);
                    tlw_dot_i8_1x16(base[t], r, w, w + block, acc);
                    tlw_store8(row + c + 8, tlw_requant8(acc[2], acc[3], rq, n4, c + 8, left, zp, lo, hi),
                               channels - c - 8);
                } else {
                    tlw_dot_i8_1x8(base[t], r, w, acc);
                }
                tlw_store8(row + c, tlw_requant8(acc[0], acc[1], rq, n4, c, left, zp, lo, hi), channels - c);
            }
        }
        return;
    }
    for (c = 0; c < channels; c += 8) {
        const int16_t *w = panel + (size_t)(c / 8u) * block;
        const v128_t b0 = wasm_v128_load(rq + c), b1 = wasm_v128_load(rq + c + 4);
        v128_t acc[2 * TLW_ROWS];
        for (t = 0; t < TLW_ROWS; t++) {
            acc[2 * t] = b0;
            acc[2 * t + 1] = b1;
        }
        tlw_dot_i8_4x8(base, r, w, acc);
        for (t = 0; t < TLW_ROWS; t++) {
            tlw_store8(y + (size_t)t * channels + c,
                       tlw_requant8(acc[2 * t], acc[2 * t + 1], rq, n4, c, left, zp, lo, hi), channels - c);
        }
    }
}

/* tlw_gemm_i8_shifts, compiled apart for ops with and without left shifts (a constant `left`). */
static inline void tlw_gemm_i8(const int16_t *const *base, uint32_t count, const tlw_runs *r, const int16_t *panel,
                               const int32_t *rq, uint32_t channels, int8_t *y, int32_t y_zp,
                               int32_t act_min, int32_t act_max)
{
    if (!tlw_rq_left(rq, TLW_CH4(channels))) {
        tlw_gemm_i8_shifts(base, count, r, panel, rq, 0, channels, y, y_zp, act_min, act_max);
    } else {
        tlw_gemm_i8_shifts(base, count, r, panel, rq, 1, channels, y, y_zp, act_min, act_max);
    }
}

/* One step of tlw_dot_f32_4x8: x_r[k] by the panel's 8 values at w. */
#define TLW_STEP_F32(k, w)                                                                                           \
    do {                                                                                                             \
        const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load((w) + 4);                                           \
        v128_t b = wasm_v128_load32_splat(x0 + (k));                                                                 \
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(b, w0));                                                              \
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(b, w1));                                                              \
        b = wasm_v128_load32_splat(x1 + (k));                                                                        \
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(b, w0));                                                              \
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(b, w1));                                                              \
        b = wasm_v128_load32_splat(x2 + (k));                                                                        \
        a4 = wasm_f32x4_add(a4, wasm_f32x4_mul(b, w0));                                                              \
        a5 = wasm_f32x4_add(a5, wasm_f32x4_mul(b, w1));                                                              \
        b = wasm_v128_load32_splat(x3 + (k));                                                                        \
        a6 = wasm_f32x4_add(a6, wasm_f32x4_mul(b, w0));                                                              \
        a7 = wasm_f32x4_add(a7, wasm_f32x4_mul(b, w1));                                                              \
    } while (0)

/* Four float rows (bases base[0..4)) by one float panel block: acc[2r], acc[2r+1] (holding the bias) += x_r . w.
 * One k per iteration, not unrolled (as tlw_dot_i8_4x8). */
static inline void tlw_dot_f32_4x8(const float *const *base, const tlw_runs *r, const float *w, v128_t *acc)
{
    v128_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    uint32_t j, k;
    for (j = 0; j < r->runs; j++) {
        const float *x0 = base[0] + r->offsets[j], *x1 = base[1] + r->offsets[j];
        const float *x2 = base[2] + r->offsets[j], *x3 = base[3] + r->offsets[j];
#pragma clang loop unroll(disable)
        for (k = 0; k < r->run; k++, w += 8) {
            TLW_STEP_F32(k, w);
        }
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

/* One float row (base x) by one float panel block (acc[0..1]); even and odd k in two accumulator pairs (float
 * additions have a latency of several cycles). */
static inline void tlw_dot_f32_1x8(const float *x, const tlw_runs *r, const float *w, v128_t *acc)
{
    v128_t a0 = acc[0], a1 = acc[1], b0 = wasm_f32x4_splat(0.0f), b1 = b0;
    uint32_t j, k;
    for (j = 0; j < r->runs; j++) {
        const float *x0 = x + r->offsets[j];
#pragma clang loop unroll(disable)
        for (k = 0; k + 2 <= r->run; k += 2, w += 16) {
            const v128_t p = wasm_v128_load32_splat(x0 + k), q = wasm_v128_load32_splat(x0 + k + 1);
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(p, wasm_v128_load(w)));
            a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(p, wasm_v128_load(w + 4)));
            b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(q, wasm_v128_load(w + 8)));
            b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(q, wasm_v128_load(w + 12)));
        }
        if (k < r->run) {
            const v128_t p = wasm_v128_load32_splat(x0 + k);
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(p, wasm_v128_load(w)));
            a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(p, wasm_v128_load(w + 4)));
            w += 8;
        }
    }
    acc[0] = wasm_f32x4_add(a0, b0);
    acc[1] = wasm_f32x4_add(a1, b1);
}

/* Store channels c..c+7 (fewer at the end) of one float output row after the fused activation. */
static inline void tlw_store_f32x8(float *dst, v128_t a0, v128_t a1, uint32_t count, int32_t activation)
{
    float tmp[8];
    uint32_t i;
    a0 = tlw_activate_f32x4(a0, activation);
    a1 = tlw_activate_f32x4(a1, activation);
    if (count >= 8) {
        wasm_v128_store(dst, a0);
        wasm_v128_store(dst + 4, a1);
        return;
    }
    wasm_v128_store(tmp, a0);
    wasm_v128_store(tmp + 4, a1);
    for (i = 0; i < count; i++) {
        dst[i] = tmp[i];
    }
}

/* The bias of channels c..c+7 as two float vectors (0 beyond channels, or without bias). */
static inline void tlw_bias_f32x8(const float *bias, uint32_t channels, uint32_t c, v128_t *b0, v128_t *b1)
{
    float tmp[8];
    uint32_t i;
    for (i = 0; i < 8; i++) {
        tmp[i] = bias != NULL && c + i < channels ? bias[c + i] : 0.0f;
    }
    *b0 = wasm_v128_load(tmp);
    *b1 = wasm_v128_load(tmp + 4);
}

/* The float GEMM of `count` (1..4) rows with bases base[0..count) into y (row t at y + t * channels), with bias
 * (or NULL) and the fused activation. */
static inline void tlw_gemm_f32(const float *const *base, uint32_t count, const tlw_runs *r, const float *panel,
                                const float *bias, uint32_t channels, float *y, int32_t activation)
{
    const uint32_t depth = r->runs * r->run;
    uint32_t c, t;
    for (c = 0; c < channels; c += 8) {
        const float *w = panel + (size_t)c * depth;
        v128_t b0, b1, acc[2 * TLW_ROWS];
        tlw_bias_f32x8(bias, channels, c, &b0, &b1);
        for (t = 0; t < TLW_ROWS; t++) {
            acc[2 * t] = b0;
            acc[2 * t + 1] = b1;
        }
        if (count == TLW_ROWS) {
            tlw_dot_f32_4x8(base, r, w, acc);
        } else {
            for (t = 0; t < count; t++) {
                tlw_dot_f32_1x8(base[t], r, w, acc + 2 * t);
            }
        }
        for (t = 0; t < count; t++) {
            tlw_store_f32x8(y + (size_t)t * channels + c, acc[2 * t], acc[2 * t + 1], channels - c, activation);
        }
    }
}

#endif /* TLW_GEMM_H */
