/* CONV_2D, aarch64 NEON variant (Raspberry Pi 4 / 5 builds): replaces kernels/conv_2d.c in the aarch64 builds.
 *
 * The reference kernel's check is used as is (its file is included).
 * Int8: a GEMM of packed input rows (a 1x1 unpadded conv's rows copied, else each output pixel's KH*KW*Ci receptive
 * field gathered with x_zp where the window leaves the input) against the weight rows, four pixels by four output
 * channels per tile on SDOT (cortex-a76) or SMULL/SADALP (cortex-a72), x_zp * sum(w) folded into the bias once per
 * pass, requantized four channels at a time; bit-exact with the reference (see neon_int8.h).
 * Float32: per output pixel, the window's rows inside the input (pad positions skipped, as in the reference) as
 * contiguous runs, four output channels at a time with FMLA (see neon_float.h for the accuracy argument).
 * Patches deeper than TLN_MAX_DEPTH bytes run the reference eval.
 */
#define tl_kernel_conv_2d tl_kernel_conv_2d_reference
#include "../conv_2d.c"
#undef tl_kernel_conv_2d

#include "neon_float.h"
#include "neon_int8.h"

/* Gather the receptive field of output pixel (n, oy, ox) into row (k_h * k_w * in_c bytes), x_zp outside. */
static void gather_patch(int8_t *row, const int8_t *x, const tl_conv2d_options *o, int32_t in_h, int32_t in_w,
                         int32_t in_c, int32_t k_h, int32_t k_w, int32_t n, int32_t oy, int32_t ox, int8_t x_zp)
{
    const uint32_t run = (uint32_t)k_w * (uint32_t)in_c;
    const int64_t x0 = (int64_t)ox * o->stride_w - o->pad_left; /* 64-bit as the reference: hostile strides/pads */
    const int64_t y0 = (int64_t)oy * o->stride_h - o->pad_top;
    int32_t ky, kx, lo = 0, hi = k_w;
    int inside = o->dilation_w == 1 && x0 >= 0 && x0 + k_w <= in_w;
    if (!inside) {
        tln_fill(row, x_zp, (uint32_t)k_h * run);
    }
    if (o->dilation_w == 1) {
        lo = x0 < 0 ? (int32_t)(-x0 < k_w ? -x0 : k_w) : 0;
        hi = x0 + k_w > in_w ? (int32_t)(in_w - x0 > lo ? in_w - x0 : lo) : k_w;
    }
    for (ky = 0; ky < k_h; ky++, row += run) {
        const int64_t iy = y0 + (int64_t)ky * o->dilation_h;
        const int8_t *src;
        if (iy < 0 || iy >= in_h) {
            if (inside) {
                tln_fill(row, x_zp, run);
            }
            continue;
        }
        src = x + ((size_t)n * (size_t)in_h + (size_t)iy) * (size_t)in_w * (size_t)in_c;
        if (o->dilation_w == 1) {
            if (hi > lo) {
                tln_copy(row + (size_t)lo * (size_t)in_c, src + (size_t)(x0 + lo) * (size_t)in_c,
                         (uint32_t)(hi - lo) * (uint32_t)in_c);
            }
            continue;
        }
        for (kx = 0; kx < k_w; kx++) {
            const int64_t ix = x0 + (int64_t)kx * o->dilation_w;
            if (ix >= 0 && ix < in_w) {
                tln_copy(row + (size_t)kx * (size_t)in_c, src + (size_t)ix * (size_t)in_c, (uint32_t)in_c);
            }
        }
    }
}

static tl_status eval_int8(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3], k_h = w->dims[1], k_w = w->dims[2];
    const uint32_t out_c = (uint32_t)w->dims[0], out_h = (uint32_t)y->dims[1], out_w = (uint32_t)y->dims[2];
    const uint32_t depth = (uint32_t)k_h * (uint32_t)k_w * (uint32_t)in_c;
    const uint32_t pixels = (uint32_t)y->dims[0] * out_h * out_w;
    const int pointwise = k_h == 1 && k_w == 1 && o->pad_top == 0 && o->pad_left == 0 && o->pad_bottom == 0 &&
                          o->pad_right == 0;
    const int8_t *xd = (const int8_t *)x->data;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    int8_t rows[TLN_ROWS * TLN_MAX_DEPTH];
    int8_t wpad[TLN_CHUNK * 16u];
    tln_rq rq;
    tln_pack k;
    uint32_t c0, stride;
    tln_pack_init(&k, depth);
    stride = 16u * k.blocks;
    for (c0 = 0; c0 < out_c; c0 += TLN_CHUNK) {
        const uint32_t nc = out_c - c0 < TLN_CHUNK ? out_c - c0 : TLN_CHUNK;
        const int8_t *wc = (const int8_t *)w->data + (size_t)c0 * depth;
        uint32_t p;
        tln_rq_init(&rq, &op->qp, bias ? bias + c0 : NULL, wc, depth, c0, nc, x->zero_point, y->zero_point);
        if (depth < 16u) {
            tln_pad_weights(wpad, wc, depth, nc);
            wc = wpad;
        }
        for (p = 0; p < pixels; p += TLN_ROWS) {
            const uint32_t r_n = pixels - p < TLN_ROWS ? pixels - p : TLN_ROWS;
            uint32_t r;
            for (r = 0; r < r_n; r++) {
                const uint32_t q = p + r, ox = q % out_w, oy = (q / out_w) % out_h, n = q / out_w / out_h;
                int8_t *row = rows + r * stride;
                if (pointwise) {
                    tln_pack_row(row,
                                 xd + (((size_t)n * (size_t)in_h + (size_t)oy * (size_t)o->stride_h) * (size_t)in_w +
                                       (size_t)ox * (size_t)o->stride_w) * (size_t)in_c, &k);
                } else {
                    gather_patch(row, xd, o, in_h, in_w, in_c, k_h, k_w, (int32_t)n, (int32_t)oy, (int32_t)ox,
                                 (int8_t)x->zero_point);
                    tln_pack_in_place(row, &k);
                }
            }
            tln_gemm(rows, stride, r_n, wc, &k, nc, &rq, (int8_t *)y->data + (size_t)p * out_c + c0, out_c);
        }
    }
    return TL_OK;
}

static tl_status eval_float(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3], k_h = w->dims[1], k_w = w->dims[2];
    const uint32_t out_c = (uint32_t)w->dims[0], out_h = (uint32_t)y->dims[1], out_w = (uint32_t)y->dims[2];
    const size_t depth = (size_t)k_h * (size_t)k_w * (size_t)in_c;
    const float *xd = (const float *)x->data, *wd = (const float *)w->data;
    const float *bias = b ? (const float *)b->data : NULL;
    float *out = (float *)y->data;
    uint32_t n, oy, ox, c;
    for (n = 0; n < (uint32_t)y->dims[0]; n++) {
        for (oy = 0; oy < out_h; oy++) {
            const int64_t y0 = (int64_t)oy * o->stride_h - o->pad_top;
            for (ox = 0; ox < out_w; ox++, out += out_c) {
                const int64_t x0 = (int64_t)ox * o->stride_w - o->pad_left;
                int32_t lo = 0, hi = k_w;
                if (o->dilation_w == 1) {
                    lo = x0 < 0 ? (int32_t)(-x0 < k_w ? -x0 : k_w) : 0;
                    hi = x0 + k_w > in_w ? (int32_t)(in_w - x0 > lo ? in_w - x0 : lo) : k_w;
                }
                for (c = 0; c < out_c; c += 4u) {
                    const uint32_t valid = out_c - c < 4u ? out_c - c : 4u;
                    double acc[4] = {0.0, 0.0, 0.0, 0.0};
                    const float *wc = wd + (size_t)c * depth;
                    const size_t w_stride = valid == 4u ? depth : 0u; /* 0: fewer than 4 channels, one by one */
                    int32_t ky, kx;
                    uint32_t j;
                    for (ky = 0; ky < k_h; ky++) {
                        const int64_t iy = y0 + (int64_t)ky * o->dilation_h;
                        const float *src;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        src = xd + ((size_t)n * (size_t)in_h + (size_t)iy) * (size_t)in_w * (size_t)in_c;
                        if (o->dilation_w == 1) {
                            if (hi > lo) {
                                const size_t at = ((size_t)ky * (size_t)k_w + (size_t)lo) * (size_t)in_c;
                                const float *xs = src + (size_t)(x0 + lo) * (size_t)in_c;
                                const uint32_t len = (uint32_t)(hi - lo) * (uint32_t)in_c;
                                if (w_stride) {
                                    tln_dot4_f32(xs, wc + at, w_stride, len, acc);
                                } else {
                                    for (j = 0; j < valid; j++) {
                                        acc[j] += tln_dot_f64(xs, wc + (size_t)j * depth + at, len);
                                    }
                                }
                            }
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++) {
                            const int64_t ix = x0 + (int64_t)kx * o->dilation_w;
                            const size_t at = ((size_t)ky * (size_t)k_w + (size_t)kx) * (size_t)in_c;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            if (w_stride) {
                                tln_dot4_f32(src + (size_t)ix * (size_t)in_c, wc + at, w_stride, (uint32_t)in_c, acc);
                            } else {
                                for (j = 0; j < valid; j++) {
                                    acc[j] += tln_dot_f64(src + (size_t)ix * (size_t)in_c, wc + (size_t)j * depth + at,
                                                          (uint32_t)in_c);
                                }
                            }
                        }
                    }
                    for (j = 0; j < valid; j++) {
                        if (bias) {
                            acc[j] += (double)bias[c + j];
                        }
                        out[c + j] = tl_activate_float((float)acc[j], o->activation);
                    }
                }
            }
        }
    }
    return TL_OK;
}

static tl_status eval_neon(tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1);
    if (tl_input(op, 0)->dtype != TL_DTYPE_INT8) {
        return eval_float(op);
    }
    if ((uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3] + 16u > TLN_MAX_DEPTH) {
        return eval(op);
    }
    return eval_int8(op);
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                     eval_neon};
