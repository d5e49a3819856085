/* DEPTHWISE_CONV_2D, aarch64 NEON variant (Raspberry Pi 4 / 5 builds): replaces kernels/depthwise_conv_2d.c in the
 * aarch64 builds.
 *
 * The reference kernel's check is used as is (its file is included). Int8 with depth_multiplier 1: per output pixel,
 * the taps inside the input (a rectangle of ky x kx; pad positions are skipped as in the reference), sixteen channels
 * at a time, then eight: x - x_zp widened to int16 (SSUBL, exact: [-255, 255]) times w widened to int16, accumulated
 * into int32 lanes with SMLAL (exact products, sums modulo 2^32 as the reference's), then + bias and the
 * requantization of neon_int8.h; the last channels (fewer than 8) the reference's scalar way. Bit-exact. Float32 and
 * depth_multiplier > 1 run the reference eval.
 */
#define tl_kernel_depthwise_conv_2d tl_kernel_depthwise_conv_2d_reference
#include "../depthwise_conv_2d.c"
#undef tl_kernel_depthwise_conv_2d

#include "neon_int8.h"

/* The taps k in [0, k_n) with 0 <= base + k * step < size form a range [*lo, *hi) (empty: lo == hi). */
static void valid_taps(int64_t base, int64_t step, int64_t size, int32_t k_n, uint32_t *lo, uint32_t *hi)
{
    int64_t first, last;
    if (step == 1) {
        first = base < 0 ? -base : 0;
        last = size - base;
    } else {
        for (first = 0; first < k_n && base + first * step < 0; first++) {
        }
        for (last = first; last < k_n && base + last * step < size; last++) {
        }
    }
    if (last > k_n) {
        last = k_n;
    }
    if (first > last) {
        first = last;
    }
    *lo = (uint32_t)first;
    *hi = (uint32_t)(last < 0 ? 0 : last);
}

/* One output pixel, all channels: x and w point at the window's first valid tap (channel 0), rows x cols taps. */
static void dw_pixel(const int8_t *x, const int8_t *w, uint32_t rows, uint32_t cols, size_t x_row, size_t x_col,
                     size_t w_row, uint32_t chans, int32_t x_zp, const tln_rq *rq, uint32_t c0, uint32_t nc,
                     int8_t *out)
{
    const int8x8_t zp = vdup_n_s8((int8_t)x_zp);
    const int8x16_t zp16 = vdupq_n_s8((int8_t)x_zp);
    uint32_t c = 0, r, k;
    for (; c + 16u <= nc; c += 16u) {
        int32x4_t a0 = vld1q_s32(rq->bias + c), a1 = vld1q_s32(rq->bias + c + 4u);
        int32x4_t a2 = vld1q_s32(rq->bias + c + 8u), a3 = vld1q_s32(rq->bias + c + 12u);
        const int8_t *xr = x + c0 + c, *wr = w + c0 + c;
        int8x16_t v;
        for (r = 0; r < rows; r++, xr += x_row, wr += w_row) {
            const int8_t *xp = xr, *wp = wr;
            for (k = 0; k < cols; k++, xp += x_col, wp += chans) {
                const int8x16_t xv = vld1q_s8(xp), wv = vld1q_s8(wp);
                const int16x8_t xl = vsubl_s8(vget_low_s8(xv), zp), xh = vsubl_high_s8(xv, zp16);
                const int16x8_t wl = vmovl_s8(vget_low_s8(wv)), wh = vmovl_high_s8(wv);
                a0 = vmlal_s16(a0, vget_low_s16(xl), vget_low_s16(wl));
                a1 = vmlal_high_s16(a1, xl, wl);
                a2 = vmlal_s16(a2, vget_low_s16(xh), vget_low_s16(wh));
                a3 = vmlal_high_s16(a3, xh, wh);
            }
        }
        {
            const int16x8_t lo = vcombine_s16(vmovn_s32(tln_requant4(a0, rq, c)),
                                              vmovn_s32(tln_requant4(a1, rq, c + 4u)));
            const int16x8_t hi = vcombine_s16(vmovn_s32(tln_requant4(a2, rq, c + 8u)),
                                              vmovn_s32(tln_requant4(a3, rq, c + 12u)));
            v = vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
            vst1q_s8(out + c, v);
        }
    }
    for (; c + 8u <= nc; c += 8u) {
        int32x4_t a0 = vld1q_s32(rq->bias + c), a1 = vld1q_s32(rq->bias + c + 4u);
        const int8_t *xr = x + c0 + c, *wr = w + c0 + c;
        for (r = 0; r < rows; r++, xr += x_row, wr += w_row) {
            const int8_t *xp = xr, *wp = wr;
            for (k = 0; k < cols; k++, xp += x_col, wp += chans) {
                const int16x8_t xv = vsubl_s8(vld1_s8(xp), zp), wv = vmovl_s8(vld1_s8(wp));
                a0 = vmlal_s16(a0, vget_low_s16(xv), vget_low_s16(wv));
                a1 = vmlal_high_s16(a1, xv, wv);
            }
        }
        {
            const int16x8_t h = vcombine_s16(vmovn_s32(tln_requant4(a0, rq, c)),
                                             vmovn_s32(tln_requant4(a1, rq, c + 4u)));
            vst1_s8(out + c, vmovn_s16(h));
        }
    }
    for (; c < nc; c++) {
        uint32_t acc = (uint32_t)rq->bias[c];
        const int8_t *xr = x + c0 + c, *wr = w + c0 + c;
        int64_t v;
        for (r = 0; r < rows; r++, xr += x_row, wr += w_row) {
            for (k = 0; k < cols; k++) {
                acc += (uint32_t)(((int32_t)xr[k * x_col] - x_zp) * (int32_t)wr[k * chans]);
            }
        }
        v = (int64_t)tl_mbqm(tl_wrap32(acc), rq->mult[c], rq->left[c] + rq->right[c]) + rq->y_zp;
        out[c] = (int8_t)(v < rq->act_min ? rq->act_min : (v > rq->act_max ? rq->act_max : v));
    }
}

static tl_status eval_neon(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t chans = (uint32_t)x->dims[3], k_w = (uint32_t)w->dims[2];
    const uint32_t out_h = (uint32_t)y->dims[1], out_w = (uint32_t)y->dims[2];
    const size_t x_row = (size_t)o->dilation_h * (size_t)in_w * chans, x_col = (size_t)o->dilation_w * chans;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    tln_rq rq;
    uint32_t c0;
    if (x->dtype != TL_DTYPE_INT8 || o->depth_multiplier != 1) {
        return eval(op);
    }
    for (c0 = 0; c0 < chans; c0 += TLN_CHUNK) {
        const uint32_t nc = chans - c0 < TLN_CHUNK ? chans - c0 : TLN_CHUNK;
        int8_t *out = (int8_t *)y->data + c0;
        uint32_t n, oy, ox;
        /* x_zp is subtracted from x here, not folded into the bias */
        tln_rq_init(&rq, &op->qp, bias ? bias + c0 : NULL, NULL, 0u, c0, nc, 0, y->zero_point);
        for (n = 0; n < (uint32_t)x->dims[0]; n++) {
            for (oy = 0; oy < out_h; oy++) {
                const int64_t iy0 = (int64_t)oy * o->stride_h - o->pad_top;
                uint32_t ky0, ky1;
                valid_taps(iy0, o->dilation_h, in_h, w->dims[1], &ky0, &ky1);
                for (ox = 0; ox < out_w; ox++, out += chans) {
                    const int64_t ix0 = (int64_t)ox * o->stride_w - o->pad_left;
                    const int8_t *xw = (const int8_t *)x->data, *ww = (const int8_t *)w->data;
                    uint32_t kx0, kx1;
                    valid_taps(ix0, o->dilation_w, in_w, (int32_t)k_w, &kx0, &kx1);
                    if (ky1 > ky0 && kx1 > kx0) {
                        xw += (((size_t)n * (size_t)in_h + (size_t)(iy0 + (int64_t)ky0 * o->dilation_h)) *
                                   (size_t)in_w + (size_t)(ix0 + (int64_t)kx0 * o->dilation_w)) * chans;
                        ww += ((size_t)ky0 * k_w + kx0) * chans;
                    }
                    dw_pixel(xw, ww, ky1 - ky0, kx1 - kx0, x_row, x_col, (size_t)k_w * chans, chans, x->zero_point,
                             &rq, c0, nc, out);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_depthwise_conv_2d = {TL_OP_DEPTHWISE_CONV_2D, 2, 3, 1,
                                               TL_OPERATOR_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                               eval_neon};
