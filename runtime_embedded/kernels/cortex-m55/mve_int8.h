/* Shared pieces of the Cortex-M55 Helium (MVE) int8 kernels (kernels/cortex-m55/<op>.c, built with
 * -mcpu=cortex-m55): int8 matrix-vector and small matrix-matrix blocks on VMLADAVA (which accumulates into core
 * registers, and only even ones: at most seven sums live at once), weight sums on VADDVA, and TFLite's per-channel
 * requantization four channels at a time. The blocks are kept out of line (TLM_NOINLINE) so that each gets the
 * whole register file; they read their parameters into locals first (int8 stores may alias anything).
 *
 * Bit-exactness with the reference kernels (kernels/<op>.c):
 *   - Sums. The reference accumulates bias + sum (x - x_zp) * w in int32 arithmetic modulo 2^32. Here
 *     sum x * w comes from VMLADAVA.S8 (16 products of int8 values added into a 32-bit register, modulo 2^32) and
 *     the zero-point term is folded into the bias: bias - x_zp * sum w, also modulo 2^32. Addition modulo 2^32 is
 *     associative, so the result is the reference's bit for bit, whatever the order.
 *   - Padding. Patches gathered for a padded window hold x_zp where the reference skips a position: x - x_zp is 0
 *     there, so the product it adds is 0, and the folded bias still uses the sum of every weight.
 *   - SRDHM. With p = a * b, (p + (p >= 0 ? 2^30 : 1 - 2^30)) / 2^31 truncated toward zero equals
 *     floor((p + 2^30) / 2^31) for both signs (for p < 0 it is -floor((2^30 - 1 - p) / 2^31) =
 *     ceil((p - 2^30 + 1) / 2^31) = floor((p + 2^30) / 2^31)), which is what VQRDMULH.S32 computes:
 *     (2ab + 2^31) >> 32. Its one saturating case, INT32_MIN * INT32_MIN, cannot occur: multipliers are >= 0
 *     (tl_require_quant_params).
 *   - RDBPOT by e > 0. VRSHL by -e computes floor((x + 2^(e-1)) / 2^e): ties go up. The reference rounds ties away
 *     from zero, so negative x first becomes x - 1 (saturating: INT32_MIN stays, and is exact anyway):
 *     floor((x - 1 + 2^(e-1)) / 2^e) is round-half-away for every x < 0. For e = 0 nothing changes.
 *   - The left shift is VSHL (wraps, as tl_shl_wrap); + y_zp saturates (VQADD) where the reference adds in int64:
 *     both then clamp to [act_min, act_max] inside int8, so the byte is the same.
 */
#ifndef TL_MVE_INT8_H
#define TL_MVE_INT8_H

#include <arm_mve.h>

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

/* Output channels handled per pass: the per-pass arrays of the kernels live on the stack (a folded bias and up to
 * three rows of sums: 16 bytes per channel). */
#define TLM_CHUNK 128u
/* Bytes of the patch buffer CONV_2D gathers receptive fields into (on the stack): three patches of KH*KW*Ci bytes
 * when they fit, else one; larger patches run the reference kernel. */
#define TLM_PATCH 2304u

#if defined(__GNUC__)
#define TLM_NOINLINE __attribute__((noinline, unused))
#else
#define TLM_NOINLINE
#endif

/* sum of w[0..n) (int8), modulo 2^32 */
static inline int32_t tlm_sum_s8(const int8_t *w, uint32_t n)
{
    int32_t s = 0;
    for (; n >= 16u; n -= 16u, w += 16) {
        s = vaddvaq_s8(s, vldrbq_s8(w));
    }
    if (n) {
        s = vaddvaq_s8(s, vldrbq_z_s8(w, vctp8q(n)));
    }
    return s;
}

/* bias'[c] = bias[c] - x_zp * sum of channel c's `depth` weights, for n channels (weights rows of `depth`),
 * modulo 2^32 as the reference's int32 accumulation. bias may be NULL (0). */
static inline void tlm_fold_bias(int32_t *folded, const int32_t *bias, const int8_t *w, uint32_t depth, uint32_t n,
                                 int32_t x_zp)
{
    uint32_t c;
    for (c = 0; c < n; c++) {
        const uint32_t s = x_zp ? (uint32_t)tlm_sum_s8(w + (size_t)c * depth, depth) : 0u;
        const uint32_t b = bias ? (uint32_t)bias[c] : 0u;
        folded[c] = tl_wrap32(b - (uint32_t)x_zp * s);
    }
}

/* acc[c] = init[c] + sum_k x[k] * w[c * depth + k] for c < n, modulo 2^32: one input row against n weight rows,
 * four weight rows per pass (one load of x feeds four VMLADAVA). */
static TLM_NOINLINE void tlm_gemv(const int8_t *x, const int8_t *w, uint32_t depth, uint32_t n, const int32_t *init,
                                  int32_t *acc)
{
    const uint32_t blocks = depth / 16u, tail = depth % 16u;
    uint32_t c = 0, i;
    for (; c + 4u <= n; c += 4u) {
        const int8_t *xp = x, *w0 = w + (size_t)c * depth, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
        int32_t a0 = init[c], a1 = init[c + 1u], a2 = init[c + 2u], a3 = init[c + 3u];
        for (i = 0; i < blocks; i++) {
            const int8x16_t xv = vldrbq_s8(xp);
            a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0));
            a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1));
            a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2));
            a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3));
            xp += 16;
            w0 += 16;
            w1 += 16;
            w2 += 16;
            w3 += 16;
        }
        if (tail) {
            const mve_pred16_t p = vctp8q(tail);
            const int8x16_t xv = vldrbq_z_s8(xp, p);
            a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w0, p));
            a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1, p));
            a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2, p));
            a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3, p));
        }
        acc[c] = a0;
        acc[c + 1u] = a1;
        acc[c + 2u] = a2;
        acc[c + 3u] = a3;
    }
    for (; c < n; c++) {
        const int8_t *xp = x, *w0 = w + (size_t)c * depth;
        int32_t a0 = init[c];
        for (i = 0; i < blocks; i++) {
            a0 = vmladavaq_s8(a0, vldrbq_s8(xp), vldrbq_s8(w0));
            xp += 16;
            w0 += 16;
        }
        if (tail) {
            const mve_pred16_t p = vctp8q(tail);
            a0 = vmladavaq_s8(a0, vldrbq_z_s8(xp, p), vldrbq_z_s8(w0, p));
        }
        acc[c] = a0;
    }
}

/* acc[c] = init[c] + sum_k (x[k] - x_zp) * w[c * depth + k] for c < n, modulo 2^32, the weight sums taken in the
 * same pass (VADDVA next to each VMLADAVA): for a single input row, where summing the weights apart would cost a
 * second pass over them. Three weight rows per pass. */
static TLM_NOINLINE void tlm_gemv_zp(const int8_t *x, int32_t x_zp, const int8_t *w, uint32_t depth, uint32_t n,
                                     const int32_t *init, int32_t *acc)
{
    const uint32_t blocks = depth / 16u, tail = depth % 16u;
    uint32_t c = 0, i, k;
    for (; c < n; c += 3u) {
        const uint32_t rows = n - c < 3u ? n - c : 3u;
        const int8_t *xp = x, *w0 = w + (size_t)c * depth;
        const int8_t *w1 = rows > 1u ? w0 + depth : w0, *w2 = rows > 2u ? w1 + depth : w1;
        int32_t a0 = 0, a1 = 0, a2 = 0, s0 = 0, s1 = 0, s2 = 0;
        int32_t a[3], s[3];
        for (i = 0; i < blocks; i++) {
            const int8x16_t xv = vldrbq_s8(xp);
            const int8x16_t v0 = vldrbq_s8(w0), v1 = vldrbq_s8(w1), v2 = vldrbq_s8(w2);
            a0 = vmladavaq_s8(a0, xv, v0);
            s0 = vaddvaq_s8(s0, v0);
            a1 = vmladavaq_s8(a1, xv, v1);
            s1 = vaddvaq_s8(s1, v1);
            a2 = vmladavaq_s8(a2, xv, v2);
            s2 = vaddvaq_s8(s2, v2);
            xp += 16;
            w0 += 16;
            w1 += 16;
            w2 += 16;
        }
        if (tail) {
            const mve_pred16_t p = vctp8q(tail);
            const int8x16_t xv = vldrbq_z_s8(xp, p);
            const int8x16_t v0 = vldrbq_z_s8(w0, p), v1 = vldrbq_z_s8(w1, p), v2 = vldrbq_z_s8(w2, p);
            a0 = vmladavaq_s8(a0, xv, v0);
            s0 = vaddvaq_s8(s0, v0);
            a1 = vmladavaq_s8(a1, xv, v1);
            s1 = vaddvaq_s8(s1, v1);
            a2 = vmladavaq_s8(a2, xv, v2);
            s2 = vaddvaq_s8(s2, v2);
        }
        a[0] = a0;
        a[1] = a1;
        a[2] = a2;
        s[0] = s0;
        s[1] = s1;
        s[2] = s2;
        for (k = 0; k < rows; k++) {
            acc[c + k] = tl_wrap32((uint32_t)init[c + k] + (uint32_t)a[k] - (uint32_t)x_zp * (uint32_t)s[k]);
        }
    }
}

/* The GEMM of three input rows x0, x1, x2 against n weight rows: acc_r[c] = init[c] + sum_k x_r[k] * w[c][k]
 * (modulo 2^32), two weight rows per pass: five loads feed six VMLADAVA (the six sums and five pointers fit
 * the core registers: VMLADAVA accumulates into even registers only). */
static TLM_NOINLINE void tlm_gemm3(const int8_t *x0, const int8_t *x1, const int8_t *x2, const int8_t *w,
                                   uint32_t depth, uint32_t n, const int32_t *init, int32_t *acc0, int32_t *acc1,
                                   int32_t *acc2)
{
    const uint32_t blocks = depth / 16u, tail = depth % 16u;
    uint32_t c = 0, i;
    for (; c < n; c += 2u) {
        const int8_t *p0 = x0, *p1 = x1, *p2 = x2, *w0 = w + (size_t)c * depth;
        const int8_t *w1 = c + 1u < n ? w0 + depth : w0; /* an odd last channel computes its row twice */
        const uint32_t c1 = c + 1u < n ? c + 1u : c;
        int32_t a00 = init[c], a01 = init[c1], a10 = init[c], a11 = init[c1], a20 = init[c], a21 = init[c1];
        for (i = 0; i < blocks; i++) {
            const int8x16_t v0 = vldrbq_s8(w0), v1 = vldrbq_s8(w1);
            int8x16_t xv = vldrbq_s8(p0);
            a00 = vmladavaq_s8(a00, xv, v0);
            a01 = vmladavaq_s8(a01, xv, v1);
            xv = vldrbq_s8(p1);
            a10 = vmladavaq_s8(a10, xv, v0);
            a11 = vmladavaq_s8(a11, xv, v1);
            xv = vldrbq_s8(p2);
            a20 = vmladavaq_s8(a20, xv, v0);
            a21 = vmladavaq_s8(a21, xv, v1);
            p0 += 16;
            p1 += 16;
            p2 += 16;
            w0 += 16;
            w1 += 16;
        }
        if (tail) {
            const mve_pred16_t p = vctp8q(tail);
            const int8x16_t v0 = vldrbq_z_s8(w0, p), v1 = vldrbq_z_s8(w1, p);
            int8x16_t xv = vldrbq_z_s8(p0, p);
            a00 = vmladavaq_s8(a00, xv, v0);
            a01 = vmladavaq_s8(a01, xv, v1);
            xv = vldrbq_z_s8(p1, p);
            a10 = vmladavaq_s8(a10, xv, v0);
            a11 = vmladavaq_s8(a11, xv, v1);
            xv = vldrbq_z_s8(p2, p);
            a20 = vmladavaq_s8(a20, xv, v0);
            a21 = vmladavaq_s8(a21, xv, v1);
        }
        acc0[c] = a00;
        acc1[c] = a10;
        acc2[c] = a20;
        acc0[c1] = a01;
        acc1[c1] = a11;
        acc2[c1] = a21;
    }
}

/* The requantization's constants for one pass over a chunk of output channels (tlm_rq_chunk). */
typedef struct tlm_rq {
    const int32_t *mult;  /* output_multiplier[] from the chunk's first channel (>= 0) */
    const int32_t *shift; /* output_shift[] from the chunk's first channel, in [-31, 31] */
    int32_t right[TLM_CHUNK]; /* min(shift, 0): -e, RDBPOT's exponent negated */
    int left;             /* some shift is > 0: the left shift is needed */
    int32_t y_zp, act_min, act_max;
} tlm_rq;

/* Point rq at channels [c0, c0 + n) of the op's quant_params (n <= TLM_CHUNK). */
static inline void tlm_rq_chunk(tlm_rq *rq, const tl_quant_params *q, uint32_t c0, uint32_t n)
{
    uint32_t c;
    rq->mult = q->output_multiplier + c0;
    rq->shift = q->output_shift + c0;
    rq->left = 0;
    for (c = 0; c < n; c++) {
        rq->right[c] = rq->shift[c] < 0 ? rq->shift[c] : 0;
        rq->left |= rq->shift[c] > 0;
    }
}

/* MultiplyByQuantizedMultiplier(a << left, mult, -right) + y_zp clamped to [lo, hi], four lanes (a already
 * shifted left where needed). */
static inline int32x4_t tlm_requant4(int32x4_t a, int32x4_t mult, int32x4_t right, int32_t y_zp, int32x4_t lo,
                                     int32x4_t hi)
{
    a = vqrdmulhq_s32(a, mult);
    a = vqaddq_s32(a, vshrq_n_s32(vandq_s32(a, right), 31)); /* x - 1 where x < 0 and e > 0 */
    a = vrshlq_s32(a, right);
    a = vqaddq_n_s32(a, y_zp);
    return vmaxq_s32(vminq_s32(a, hi), lo);
}

/* out[c] = requantized acc[c] (+ bias[c] when bias is not NULL) for c < n, channels as in rq. (Everything is read
 * into locals first: the int8 stores could alias *rq as far as the compiler knows; pointers are bumped rather than
 * indexed so that the loads use post-increment addressing.) */
static TLM_NOINLINE void tlm_requant_row(const int32_t *acc, const int32_t *bias, uint32_t n, const tlm_rq *rq,
                                         int8_t *out)
{
    const int32x4_t zero = vdupq_n_s32(0), lo = vdupq_n_s32(rq->act_min), hi = vdupq_n_s32(rq->act_max);
    const int32_t *mult = rq->mult, *shift = rq->shift, *right = rq->right, y_zp = rq->y_zp;
    const int left = rq->left;
    uint32_t k = n / 4u;
    if (!bias && !left) {
        for (; k; k--, acc += 4, mult += 4, right += 4, out += 4) {
            vstrbq_s32(out, tlm_requant4(vldrwq_s32(acc), vldrwq_s32(mult), vldrwq_s32(right), y_zp, lo, hi));
        }
    } else if (!left) {
        for (; k; k--, acc += 4, bias += 4, mult += 4, right += 4, out += 4) {
            const int32x4_t a = vaddq_s32(vldrwq_s32(acc), vldrwq_s32(bias));
            vstrbq_s32(out, tlm_requant4(a, vldrwq_s32(mult), vldrwq_s32(right), y_zp, lo, hi));
        }
    } else {
        for (; k; k--, acc += 4, mult += 4, shift += 4, right += 4, out += 4) {
            int32x4_t a = vldrwq_s32(acc);
            if (bias) {
                a = vaddq_s32(a, vldrwq_s32(bias));
                bias += 4;
            }
            a = vshlq_s32(a, vmaxq_s32(vldrwq_s32(shift), zero));
            vstrbq_s32(out, tlm_requant4(a, vldrwq_s32(mult), vldrwq_s32(right), y_zp, lo, hi));
        }
    }
    if (n % 4u) {
        const mve_pred16_t p = vctp32q(n % 4u);
        const uint32_t done = n & ~3u;
        int32x4_t a = vldrwq_z_s32(acc, p);
        if (bias) {
            a = vaddq_s32(a, vldrwq_z_s32(bias, p));
        }
        a = vshlq_s32(a, vmaxq_s32(vldrwq_z_s32(rq->shift + done, p), zero));
        vstrbq_p_s32(out, tlm_requant4(a, vldrwq_z_s32(rq->mult + done, p), vldrwq_z_s32(rq->right + done, p), y_zp,
                                       lo, hi), p);
    }
}

/* tlm_gemv for depth <= 64: the input row stays in (up to four) vector registers, zero past depth, and each
 * weight row costs one load and one VMLADAVA per 16 bytes, with no per-row set-up. Weight rows are read in whole
 * 16-byte blocks, past a row's end into the next row where depth is not a multiple of 16 (those bytes meet x's
 * zeros and add 0), except the last one, read with its tail predicated: never past the weights. */
static TLM_NOINLINE void tlm_gemv_short(const int8_t *x, const int8_t *w, uint32_t depth, uint32_t n,
                                        const int32_t *init, int32_t *acc)
{
    const uint32_t blocks = (depth + 15u) / 16u;
    const mve_pred16_t pl = vctp8q(depth - (blocks - 1u) * 16u);
    uint32_t c = n - 1u;
    if (blocks == 1u) {
        const int8x16_t x0 = vldrbq_z_s8(x, pl);
        for (; c; c--, w += depth) {
            *acc++ = vmladavaq_s8(*init++, x0, vldrbq_s8(w));
        }
        *acc = vmladavaq_s8(*init, x0, vldrbq_z_s8(w, pl));
    } else if (blocks == 2u) {
        const int8x16_t x0 = vldrbq_s8(x), x1 = vldrbq_z_s8(x + 16, pl);
        for (; c; c--, w += depth) {
            *acc++ = vmladavaq_s8(vmladavaq_s8(*init++, x0, vldrbq_s8(w)), x1, vldrbq_s8(w + 16));
        }
        *acc = vmladavaq_s8(vmladavaq_s8(*init, x0, vldrbq_s8(w)), x1, vldrbq_z_s8(w + 16, pl));
    } else if (blocks == 3u) {
        const int8x16_t x0 = vldrbq_s8(x), x1 = vldrbq_s8(x + 16), x2 = vldrbq_z_s8(x + 32, pl);
        for (; c; c--, w += depth) {
            const int32_t a = vmladavaq_s8(vmladavaq_s8(*init++, x0, vldrbq_s8(w)), x1, vldrbq_s8(w + 16));
            *acc++ = vmladavaq_s8(a, x2, vldrbq_s8(w + 32));
        }
        *acc = vmladavaq_s8(vmladavaq_s8(vmladavaq_s8(*init, x0, vldrbq_s8(w)), x1, vldrbq_s8(w + 16)), x2,
                            vldrbq_z_s8(w + 32, pl));
    } else {
        const int8x16_t x0 = vldrbq_s8(x), x1 = vldrbq_s8(x + 16), x2 = vldrbq_s8(x + 32);
        const int8x16_t x3 = vldrbq_z_s8(x + 48, pl);
        for (; c; c--, w += depth) {
            int32_t a = vmladavaq_s8(vmladavaq_s8(*init++, x0, vldrbq_s8(w)), x1, vldrbq_s8(w + 16));
            *acc++ = vmladavaq_s8(vmladavaq_s8(a, x2, vldrbq_s8(w + 32)), x3, vldrbq_s8(w + 48));
        }
        *acc = vmladavaq_s8(vmladavaq_s8(vmladavaq_s8(vmladavaq_s8(*init, x0, vldrbq_s8(w)), x1, vldrbq_s8(w + 16)),
                                         x2, vldrbq_s8(w + 32)),
                            x3, vldrbq_z_s8(w + 48, pl));
    }
}

/* dst[0..n) = src[0..n) (int8, regions apart) */
static inline void tlm_copy(int8_t *dst, const int8_t *src, uint32_t n)
{
    for (; n >= 16u; n -= 16u, dst += 16, src += 16) {
        vstrbq_s8(dst, vldrbq_s8(src));
    }
    if (n) {
        const mve_pred16_t p = vctp8q(n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
    }
}

/* dst[0..n) = v */
static inline void tlm_fill(int8_t *dst, int8_t v, uint32_t n)
{
    const int8x16_t f = vdupq_n_s8(v);
    for (; n >= 16u; n -= 16u, dst += 16) {
        vstrbq_s8(dst, f);
    }
    if (n) {
        vstrbq_p_s8(dst, f, vctp8q(n));
    }
}

#endif /* TL_MVE_INT8_H */
