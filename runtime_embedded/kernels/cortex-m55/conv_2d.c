/* CONV_2D, Cortex-M55 Helium (MVE) variant: replaces kernels/conv_2d.c in the cortex-m55 builds.
 *
 * The reference kernel's check is used as is (its file is included). Int8 eval is a GEMM on VMLADAVA: each output
 * pixel's input row (read in place for a 1x1 unpadded conv, else its KH*KW*Ci receptive field gathered into a stack
 * patch, with x_zp where the window leaves the input) against the weight rows: rows of up to 64 bytes held in
 * registers (tlm_gemv_short), deeper ones three pixels by two output channels per pass (tlm_gemm3); x_zp * sum(w)
 * folded into the bias once per pass over a chunk of channels; then the vector requantization of mve_int8.h.
 * Bit-exact with the reference (see mve_int8.h). Float32, and patches larger than TLM_PATCH bytes, run the reference
 * eval.
 */
#define tl_kernel_conv_2d tl_kernel_conv_2d_reference
#include "../conv_2d.c"
#undef tl_kernel_conv_2d

#include "mve_int8.h"

/* Gather the receptive field of output pixel (n, oy, ox) into patch (k_h * k_w * in_c bytes), x_zp outside the
 * input: the general case (a window crossing the input's border, or dilated along the width). */
static TLM_NOINLINE void gather_patch_edge(int8_t *patch, const int8_t *x, const tl_conv2d_options *o, int32_t in_h,
                                           int32_t in_w, int32_t in_c, int32_t k_h, int32_t k_w, int32_t n,
                                           int32_t oy, int32_t ox, int8_t x_zp)
{
    const uint32_t run = (uint32_t)k_w * (uint32_t)in_c;
    const int64_t x0 = (int64_t)ox * o->stride_w - o->pad_left; /* 64-bit as the reference: hostile strides/pads */
    const int64_t y0 = (int64_t)oy * o->stride_h - o->pad_top;
    int32_t ky, kx, lo = 0, hi = k_w;
    tlm_fill(patch, x_zp, (uint32_t)k_h * run);
    if (o->dilation_w == 1) {
        /* kx in [lo, hi) lies inside the rows: one contiguous run */
        lo = x0 < 0 ? (int32_t)(-x0 < k_w ? -x0 : k_w) : 0;
        hi = x0 + k_w > in_w ? (int32_t)(in_w - x0 > lo ? in_w - x0 : lo) : k_w;
    }
    for (ky = 0; ky < k_h; ky++, patch += run) {
        const int64_t iy = y0 + (int64_t)ky * o->dilation_h;
        const int8_t *row;
        if (iy < 0 || iy >= in_h) {
            continue;
        }
        row = x + ((size_t)n * (size_t)in_h + (size_t)iy) * (size_t)in_w * (size_t)in_c;
        if (o->dilation_w == 1) {
            if (hi > lo) {
                tlm_copy(patch + (size_t)lo * (size_t)in_c, row + (size_t)(x0 + lo) * (size_t)in_c,
                         (uint32_t)(hi - lo) * (uint32_t)in_c);
            }
            continue;
        }
        for (kx = 0; kx < k_w; kx++) {
            const int64_t ix = x0 + (int64_t)kx * o->dilation_w;
            if (ix >= 0 && ix < in_w) {
                tlm_copy(patch + (size_t)kx * (size_t)in_c, row + (size_t)ix * (size_t)in_c, (uint32_t)in_c);
            }
        }
    }
}

/* Gather the receptive field of output pixel (n, oy, ox) into patch (k_h * k_w * in_c bytes), x_zp outside the
 * input. A window inside the input is k_h runs of k_w * in_c bytes, dilation_h rows apart. */
static void gather_patch(int8_t *patch, const int8_t *x, const tl_conv2d_options *o, int32_t in_h, int32_t in_w,
                         int32_t in_c, int32_t k_h, int32_t k_w, int32_t n, int32_t oy, int32_t ox, int8_t x_zp)
{
    const int64_t x0 = (int64_t)ox * o->stride_w - o->pad_left, y0 = (int64_t)oy * o->stride_h - o->pad_top;
    const uint32_t run = (uint32_t)k_w * (uint32_t)in_c;
    const int8_t *src;
    size_t step;
    int32_t ky;
    if (o->dilation_w != 1 || x0 < 0 || x0 + k_w > in_w || y0 < 0 || y0 + (int64_t)(k_h - 1) * o->dilation_h >= in_h) {
        gather_patch_edge(patch, x, o, in_h, in_w, in_c, k_h, k_w, n, oy, ox, x_zp);
        return;
    }
    step = (size_t)o->dilation_h * (size_t)in_w * (size_t)in_c;
    src = x + (((size_t)n * (size_t)in_h + (size_t)y0) * (size_t)in_w + (size_t)x0) * (size_t)in_c;
    if (run <= 16u) {
        const mve_pred16_t p = vctp8q(run);
        for (ky = 0; ky < k_h; ky++, patch += run, src += step) {
            vstrbq_p_s8(patch, vldrbq_z_s8(src, p), p);
        }
        return;
    }
    for (ky = 0; ky < k_h; ky++, patch += run, src += step) {
        tlm_copy(patch, src, run);
    }
}

/* The int8 input row of output pixel p (row-major over n, oy, ox): in place for a 1x1 unpadded conv, else
 * gathered into patch. */
static const int8_t *input_row(const tl_op *op, uint32_t p, int pointwise, int8_t *patch)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const uint32_t out_w = (uint32_t)y->dims[2], out_h = (uint32_t)y->dims[1];
    const uint32_t ox = p % out_w, oy = (p / out_w) % out_h, n = p / out_w / out_h;
    if (pointwise) {
        return (const int8_t *)x->data +
               (((size_t)n * (size_t)x->dims[1] + (size_t)oy * (size_t)o->stride_h) * (size_t)x->dims[2] +
                (size_t)ox * (size_t)o->stride_w) * (size_t)x->dims[3];
    }
    gather_patch(patch, (const int8_t *)x->data, o, x->dims[1], x->dims[2], x->dims[3], w->dims[1], w->dims[2],
                 (int32_t)n, (int32_t)oy, (int32_t)ox, (int8_t)x->zero_point);
    return patch;
}

static tl_status eval_mve(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const uint32_t out_c = (uint32_t)w->dims[0];
    const uint32_t depth = (uint32_t)w->dims[1] * (uint32_t)w->dims[2] * (uint32_t)w->dims[3];
    const uint32_t pixels = (uint32_t)y->dims[0] * (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const int pointwise = w->dims[1] == 1 && w->dims[2] == 1 && o->pad_top == 0 && o->pad_left == 0 &&
                          o->pad_bottom == 0 && o->pad_right == 0;
    const int triples = pointwise || 3u * depth <= TLM_PATCH;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    int8_t *yd = (int8_t *)y->data;
    int32_t folded[TLM_CHUNK], acc[3][TLM_CHUNK];
    int8_t patch[TLM_PATCH];
    tlm_rq rq;
    uint32_t c0;
    if (x->dtype != TL_DTYPE_INT8 || (!pointwise && depth > TLM_PATCH)) {
        return eval(op);
    }
    rq.y_zp = y->zero_point;
    rq.act_min = op->qp.act_min;
    rq.act_max = op->qp.act_max;
    for (c0 = 0; c0 < out_c; c0 += TLM_CHUNK) {
        const uint32_t nc = out_c - c0 < TLM_CHUNK ? out_c - c0 : TLM_CHUNK;
        const int8_t *wc = (const int8_t *)w->data + (size_t)c0 * depth;
        uint32_t p = 0;
        tlm_fold_bias(folded, bias ? bias + c0 : NULL, wc, depth, nc, x->zero_point);
        tlm_rq_chunk(&rq, &op->qp, c0, nc);
        while (p < pixels) {
            if (depth <= 64u) {
                tlm_gemv_short(input_row(op, p, pointwise, patch), wc, depth, nc, folded, acc[0]);
                tlm_requant_row(acc[0], NULL, nc, &rq, yd + (size_t)p * out_c + c0);
                p++;
            } else if (triples && pixels - p >= 3u) {
                const int8_t *r0 = input_row(op, p, pointwise, patch);
                const int8_t *r1 = input_row(op, p + 1u, pointwise, patch + depth);
                const int8_t *r2 = input_row(op, p + 2u, pointwise, patch + 2u * depth);
                uint32_t r;
                tlm_gemm3(r0, r1, r2, wc, depth, nc, folded, acc[0], acc[1], acc[2]);
                for (r = 0; r < 3u; r++, p++) {
                    tlm_requant_row(acc[r], NULL, nc, &rq, yd + (size_t)p * out_c + c0);
                }
            } else {
                tlm_gemv(input_row(op, p, pointwise, patch), wc, depth, nc, folded, acc[0]);
                tlm_requant_row(acc[0], NULL, nc, &rq, yd + (size_t)p * out_c + c0);
                p++;
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                     eval_mve};
