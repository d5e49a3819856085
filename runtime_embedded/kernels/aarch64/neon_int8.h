/* Shared pieces of the aarch64 NEON kernels (kernels/aarch64/<op>.c, the Raspberry Pi 4 / 5 builds): an int8 GEMM
 * tile of four input rows by four weight rows, its dot products on SDOT where the target has them
 * (__ARM_FEATURE_DOTPROD: -mcpu=cortex-a76) and on SMULL + SADALP otherwise (cortex-a72), and TFLite's per-channel
 * requantization four channels at a time.
 *
 * Bit-exactness with the reference kernels (kernels/<op>.c):
 *   - Sums. The reference accumulates bias + sum (x - x_zp) * w in int32 arithmetic modulo 2^32. Here sum x * w
 *     comes from SDOT (four int8 products added into each int32 lane) or from SMULL (int8 x int8 -> int16, exact:
 *     |p| <= 2^14) and SADALP (pairs of int16 added into int32 lanes), then the lanes are added (ADDP); the zero-point
 *     term is folded into the bias: bias - x_zp * sum w. Every addition is modulo 2^32 and associative, so the
 *     result is the reference's bit for bit.
 *   - Padding. Patches gathered for a padded window hold x_zp where the reference skips a position: x - x_zp is 0
 *     there, so it adds 0, and the folded bias still uses the sum of every weight. Rows are packed into 16-byte
 *     blocks: the last, partial block of a row is the row's last 16 bytes with the lanes already counted zeroed in
 *     x, so the matching weight load (the weight row's last 16 bytes) never leaves the weights.
 *   - SRDHM is SQRDMULH: (p + (p >= 0 ? 2^30 : 1 - 2^30)) / 2^31 truncated equals floor((p + 2^30) / 2^31) for both
 *     signs of p = a * b, i.e. (2ab + 2^31) >> 32; its one saturating case, INT32_MIN * INT32_MIN, cannot occur
 *     (multipliers are >= 0, tl_require_quant_params).
 *   - RDBPOT by e > 0 is SRSHL by -e (floor((x + 2^(e-1)) / 2^e): ties up) after x - 1 for x < 0 (saturating; INT32_MIN
 *     is exact anyway), which turns ties away from zero, as the reference rounds. The left shift is SSHL (wraps, as
 *     tl_shl_wrap); + y_zp saturates where the reference adds in int64: both then clamp inside int8.
 */
#ifndef TL_NEON_INT8_H
#define TL_NEON_INT8_H

#include <arm_neon.h>

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

/* Output channels per pass: the per-pass arrays (folded bias, multipliers, shifts) live on the stack. */
#define TLN_CHUNK 256u
/* Rows per GEMM tile. */
#define TLN_ROWS 4u
/* The largest packed row (depth rounded up to 16 bytes) the kernels take; larger ones run the reference eval. */
#define TLN_MAX_DEPTH 8192u

#if defined(__GNUC__)
#define TLN_UNUSED __attribute__((unused))
#else
#define TLN_UNUSED
#endif

/* acc + the dot products of the 16 int8 lanes of x and w, four at a time into acc's lanes (modulo 2^32). */
static inline int32x4_t tln_dot16(int32x4_t acc, int8x16_t x, int8x16_t w)
{
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, x, w);
#else
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
    return vpadalq_s16(acc, vmull_high_s8(x, w));
#endif
}

/* sum of w[0..n), modulo 2^32 */
static inline int32_t tln_sum_s8(const int8_t *w, uint32_t n)
{
    int32x4_t s = vdupq_n_s32(0);
    int32_t total;
    uint32_t i = 0;
    for (; i + 16u <= n; i += 16u) {
        s = vpadalq_s16(s, vpaddlq_s8(vld1q_s8(w + i)));
    }
    total = vaddvq_s32(s);
    for (; i < n; i++) {
        total += w[i];
    }
    return total;
}

/* The packed form of rows of `depth` int8 values: `blocks` 16-byte blocks per row (depth rounded up to 16). For
 * depth >= 16 the last block of a partial row holds the row's last 16 bytes with the first 16 - depth % 16 lanes
 * zeroed (they were in the block before), and the weight rows are read in place; for depth < 16 the row is zero
 * padded and the weight rows are copied, zero padded, into 16-byte rows (wpad). */
typedef struct tln_pack {
    uint32_t depth, blocks, full; /* full: whole blocks read in place; blocks - full (0 or 1) is the tail block */
    uint32_t w_stride;            /* bytes from one weight row to the next: depth, or 16 in wpad */
    uint32_t tail_at;             /* offset of the tail block in a weight row: depth - 16 */
} tln_pack;

static inline void tln_pack_init(tln_pack *k, uint32_t depth)
{
    k->depth = depth;
    k->blocks = (depth + 15u) / 16u;
    k->full = depth < 16u ? 1u : depth / 16u;
    if (depth < 16u) {
        k->blocks = 1u;
    }
    k->w_stride = depth < 16u ? 16u : depth;
    k->tail_at = depth < 16u ? 0u : depth - 16u;
}

/* dst (k->blocks * 16 bytes) = the packed form of src[0..depth) */
static inline void tln_pack_row(int8_t *dst, const int8_t *src, const tln_pack *k)
{
    uint32_t i;
    if (k->depth < 16u) {
        int8x16_t v = vdupq_n_s8(0);
        vst1q_s8(dst, v);
        for (i = 0; i < k->depth; i++) {
            dst[i] = src[i];
        }
        return;
    }
    for (i = 0; i < k->full; i++) {
        vst1q_s8(dst + 16u * i, vld1q_s8(src + 16u * i));
    }
    if (k->blocks > k->full) {
        /* lanes j < 16 - depth % 16 of the last 16 bytes were in the last full block: zero them */
        static const int8_t ramp[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        const int8x16_t keep = vreinterpretq_s8_u8(
            vcgeq_s8(vld1q_s8(ramp), vdupq_n_s8((int8_t)(16u - k->depth % 16u))));
        vst1q_s8(dst + 16u * k->full, vandq_s8(vld1q_s8(src + k->tail_at), keep));
    }
}

/* The requantization constants of a chunk of output channels, padded to a multiple of 4 channels. */
typedef struct tln_rq {
    int32_t bias[TLN_CHUNK];  /* bias - x_zp * sum(w) (modulo 2^32) */
    int32_t mult[TLN_CHUNK];  /* output_multiplier */
    int32_t left[TLN_CHUNK];  /* max(shift, 0) */
    int32_t right[TLN_CHUNK]; /* min(shift, 0) */
    int any_left;
    int32_t y_zp, act_min, act_max;
} tln_rq;

/* Fill rq for channels [c0, c0 + n) (n <= TLN_CHUNK): w points at channel c0's weight row (rows of `depth`),
 * bias (may be NULL) and the quant params are indexed from c0 here. Channels past n up to a multiple of 4 copy
 * the last one (their results are never stored). */
static inline void tln_rq_init(tln_rq *rq, const tl_quant_params *q, const int32_t *bias, const int8_t *w,
                               uint32_t depth, uint32_t c0, uint32_t n, int32_t x_zp, int32_t y_zp)
{
    uint32_t c;
    rq->any_left = 0;
    for (c = 0; c < ((n + 3u) & ~3u); c++) {
        const uint32_t k = c < n ? c : n - 1u;
        const int32_t shift = q->output_shift[c0 + k];
        const uint32_t s = x_zp ? (uint32_t)tln_sum_s8(w + (size_t)k * depth, depth) : 0u;
        rq->bias[c] = tl_wrap32((bias ? (uint32_t)bias[k] : 0u) - (uint32_t)x_zp * s);
        rq->mult[c] = q->output_multiplier[c0 + k];
        rq->left[c] = shift > 0 ? shift : 0;
        rq->right[c] = shift < 0 ? shift : 0;
        rq->any_left |= shift > 0;
    }
    rq->y_zp = y_zp;
    rq->act_min = q->act_min;
    rq->act_max = q->act_max;
}

/* MultiplyByQuantizedMultiplier(a, mult, shift) + y_zp, clamped to [act_min, act_max], four lanes (channels c..c+3
 * of rq); a already holds the bias. */
static inline int32x4_t tln_requant4(int32x4_t a, const tln_rq *rq, uint32_t c)
{
    const int32x4_t right = vld1q_s32(rq->right + c);
    if (rq->any_left) {
        a = vshlq_s32(a, vld1q_s32(rq->left + c));
    }
    a = vqrdmulhq_s32(a, vld1q_s32(rq->mult + c));
    a = vqaddq_s32(a, vshrq_n_s32(vandq_s32(a, right), 31)); /* x - 1 where x < 0 and e > 0 */
    a = vrshlq_s32(a, right);
    a = vqaddq_s32(a, vdupq_n_s32(rq->y_zp));
    return vminq_s32(vmaxq_s32(a, vdupq_n_s32(rq->act_min)), vdupq_n_s32(rq->act_max));
}

/* Store the low bytes of lanes [0, n) of v (values inside int8) at out. */
static inline void tln_store4(int8_t *out, int32x4_t v, uint32_t n)
{
    const int16x4_t h = vmovn_s32(v);
    const int8x8_t b = vmovn_s16(vcombine_s16(h, h));
    if (n >= 4u) {
        const uint32_t word = vget_lane_u32(vreinterpret_u32_s8(b), 0);
        __builtin_memcpy(out, &word, 4u); /* one unaligned 32-bit store */
        return;
    }
    out[0] = vget_lane_s8(b, 0);
    if (n > 1u) {
        out[1] = vget_lane_s8(b, 1);
    }
    if (n > 2u) {
        out[2] = vget_lane_s8(b, 2);
    }
}

/* One tile: R (1..4, a constant after inlining) packed rows x (row r at x + r * x_stride) against the weight rows
 * of channels c..c+3 (w: channel c's row; channels past nc repeat the last), requantized into out_r[c..c+3]
 * (out_r = out + r * out_stride), only channels < nc stored. */
static inline void tln_tile(const int8_t *x, uint32_t x_stride, uint32_t R, const int8_t *w, const tln_pack *k,
                            uint32_t c, uint32_t nc, const tln_rq *rq, int8_t *out, size_t out_stride)
{
    const size_t ws = k->w_stride;
    const int8_t *w0 = w, *w1 = c + 1u < nc ? w0 + ws : w0;
    const int8_t *w2 = c + 2u < nc ? w1 + ws : w1, *w3 = c + 3u < nc ? w2 + ws : w2;
    const int8_t *x0 = x, *x1 = x + (R > 1u ? x_stride : 0u), *x2 = x + (R > 2u ? 2u * x_stride : 0u);
    const int8_t *x3 = x + (R > 3u ? 3u * x_stride : 0u);
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
    int32x4_t a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
    const int32x4_t bias = vld1q_s32(rq->bias + c);
    uint32_t i, off;
    for (i = 0, off = 0; i < k->blocks; i++, off += 16u) {
        const uint32_t wo = i < k->full ? off : k->tail_at;
        const int8x16_t v0 = vld1q_s8(w0 + wo), v1 = vld1q_s8(w1 + wo), v2 = vld1q_s8(w2 + wo);
        const int8x16_t v3 = vld1q_s8(w3 + wo);
        int8x16_t xv = vld1q_s8(x0 + off);
        a00 = tln_dot16(a00, xv, v0);
        a01 = tln_dot16(a01, xv, v1);
        a02 = tln_dot16(a02, xv, v2);
        a03 = tln_dot16(a03, xv, v3);
        if (R > 1u) {
            xv = vld1q_s8(x1 + off);
            a10 = tln_dot16(a10, xv, v0);
            a11 = tln_dot16(a11, xv, v1);
            a12 = tln_dot16(a12, xv, v2);
            a13 = tln_dot16(a13, xv, v3);
        }
        if (R > 2u) {
            xv = vld1q_s8(x2 + off);
            a20 = tln_dot16(a20, xv, v0);
            a21 = tln_dot16(a21, xv, v1);
            a22 = tln_dot16(a22, xv, v2);
            a23 = tln_dot16(a23, xv, v3);
        }
        if (R > 3u) {
            xv = vld1q_s8(x3 + off);
            a30 = tln_dot16(a30, xv, v0);
            a31 = tln_dot16(a31, xv, v1);
            a32 = tln_dot16(a32, xv, v2);
            a33 = tln_dot16(a33, xv, v3);
        }
    }
    {
        const uint32_t n = nc - c < 4u ? nc - c : 4u;
        tln_store4(out, tln_requant4(vaddq_s32(bias, vpaddq_s32(vpaddq_s32(a00, a01), vpaddq_s32(a02, a03))), rq, c),
                   n);
        if (R > 1u) {
            tln_store4(out + out_stride,
                       tln_requant4(vaddq_s32(bias, vpaddq_s32(vpaddq_s32(a10, a11), vpaddq_s32(a12, a13))), rq, c), n);
        }
        if (R > 2u) {
            tln_store4(out + 2u * out_stride,
                       tln_requant4(vaddq_s32(bias, vpaddq_s32(vpaddq_s32(a20, a21), vpaddq_s32(a22, a23))), rq, c), n);
        }
        if (R > 3u) {
            tln_store4(out + 3u * out_stride,
                       tln_requant4(vaddq_s32(bias, vpaddq_s32(vpaddq_s32(a30, a31), vpaddq_s32(a32, a33))), rq, c), n);
        }
    }
}

/* R packed rows (x, x_stride apart; R <= 4) against nc weight rows (w: channel 0 of the chunk), requantized into
 * out (row r at out + r * out_stride, channel c at + c). */
static TLN_UNUSED void tln_gemm(const int8_t *x, uint32_t x_stride, uint32_t R, const int8_t *w, const tln_pack *k,
                                uint32_t nc, const tln_rq *rq, int8_t *out, size_t out_stride)
{
    uint32_t c;
    for (c = 0; c < nc; c += 4u) {
        const int8_t *wc = w + (size_t)c * k->w_stride;
        switch (R) {
        case 1u:
            tln_tile(x, x_stride, 1u, wc, k, c, nc, rq, out + c, out_stride);
            break;
        case 2u:
            tln_tile(x, x_stride, 2u, wc, k, c, nc, rq, out + c, out_stride);
            break;
        case 3u:
            tln_tile(x, x_stride, 3u, wc, k, c, nc, rq, out + c, out_stride);
            break;
        default:
            tln_tile(x, x_stride, 4u, wc, k, c, nc, rq, out + c, out_stride);
            break;
        }
    }
}

/* For depth < 16: the chunk's weight rows copied into 16-byte rows, zero padded (wpad: nc * 16 bytes). */
static inline void tln_pad_weights(int8_t *wpad, const int8_t *w, uint32_t depth, uint32_t nc)
{
    uint32_t c, i;
    for (c = 0; c < nc; c++) {
        vst1q_s8(wpad + 16u * c, vdupq_n_s8(0));
        for (i = 0; i < depth; i++) {
            wpad[16u * c + i] = w[(size_t)c * depth + i];
        }
    }
}

/* dst[0..n) = src[0..n) (regions apart) */
static inline void tln_copy(int8_t *dst, const int8_t *src, uint32_t n)
{
    uint32_t i = 0;
    for (; i + 16u <= n; i += 16u) {
        vst1q_s8(dst + i, vld1q_s8(src + i));
    }
    for (; i < n; i++) {
        dst[i] = src[i];
    }
}

/* dst[0..n) = v */
static inline void tln_fill(int8_t *dst, int8_t v, uint32_t n)
{
    const int8x16_t f = vdupq_n_s8(v);
    uint32_t i = 0;
    for (; i + 16u <= n; i += 16u) {
        vst1q_s8(dst + i, f);
    }
    for (; i < n; i++) {
        dst[i] = v;
    }
}

/* Turn row[0..depth) into its packed form in place (row has k->blocks * 16 bytes). */
static inline void tln_pack_in_place(int8_t *row, const tln_pack *k)
{
    if (k->depth < 16u) {
        uint32_t i;
        for (i = k->depth; i < 16u; i++) {
            row[i] = 0;
        }
    } else if (k->blocks > k->full) {
        static const int8_t ramp[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        const int8x16_t keep = vreinterpretq_s8_u8(
            vcgeq_s8(vld1q_s8(ramp), vdupq_n_s8((int8_t)(16u - k->depth % 16u))));
        const int8x16_t tail = vandq_s8(vld1q_s8(row + k->tail_at), keep);
        vst1q_s8(row + 16u * k->full, tail);
    }
}

#endif /* TL_NEON_INT8_H */
