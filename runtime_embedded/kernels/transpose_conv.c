/* TRANSPOSE_CONV: in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co] (TFLite, no dilation).
 * Reference: converter/reference/ops/transpose_conv.py. Input pixel (i, j) scatters x[n,i,j,:] . w[co,ky,kx,:] to
 * the full result at (i*stride_h + ky, j*stride_w + kx); output (oy, ox) is full (oy + pad_top, ox + pad_left),
 * pads may be negative, and positions outside the full result hold only the bias. Computed here as a gather: the
 * taps of output row fy are the ky with fy - ky = i*stride_h for an input row i in [0, H).
 * Float: sums in double, + bias, rounded to float32, fused activation. Int8 (TFLite Micro's
 * reference_integer_ops::TransposeConv): int32 sums of (x - x_zp) * w (wrapping as C), + bias, requantized per
 * output channel, + y_zp, clamped to [act_min, act_max]. */
#include "conv_common.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const tl_tensor *y = tl_output(op, 0);
    const tl_transpose_conv_options *o = &op->options.u.transpose_conv_options;
    const int32_t strides[2] = {o->stride_h, o->stride_w};
    const tl_tensor *acts[2];
    int64_t dims[4];
    int is_int8;
    if (tl_require_rank(op, x, 4) != TL_OK || tl_require_rank(op, w, 4) != TL_OK ||
        tl_require_at_least(op, strides, 2, 1, "strides must be >= 1") != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (w->dims[3] != x->dims[3]) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "has a different number of input channels than the input");
    }
    dims[0] = x->dims[0];
    dims[1] = ((int64_t)x->dims[1] - 1) * o->stride_h + w->dims[1] - o->pad_top - o->pad_bottom;
    dims[2] = ((int64_t)x->dims[2] - 1) * o->stride_w + w->dims[2] - o->pad_left - o->pad_right;
    dims[3] = w->dims[0];
    if (dims[1] < 1 || dims[2] < 1) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "pads leave an output smaller than 1x1");
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, 4) != TL_OK || tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK ||
        tl_check_weights(op, w, b, w->dims[0], 0, is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_quant_params(op, w->dims[0], w->dims[0], -1, -1, -1) : TL_OK;
}

/* The first filter tap of full position f along an axis (stride s): the smallest k >= 0 with (f - k) % s == 0;
 * -1 when f < 0 (no input reaches it). Taps then go k, k + s, ... while the input position (f - k) / s >= 0. */
static int64_t first_tap(int64_t f, int64_t s)
{
    return f < 0 ? -1 : f % s;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_transpose_conv_options *o = &op->options.u.transpose_conv_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3];
    const int32_t out_c = w->dims[0], k_h = w->dims[1], k_w = w->dims[2];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const int64_t stride_h = o->stride_h, stride_w = o->stride_w;
    int32_t n, oy, ox, co;
    uint32_t out_at = 0;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            const int64_t fy = (int64_t)oy + o->pad_top;
            for (ox = 0; ox < out_w; ox++) {
                const int64_t fx = (int64_t)ox + o->pad_left;
                for (co = 0; co < out_c; co++) {
                    double facc = 0.0;
                    uint32_t iacc = 0u;
                    int64_t ky, kx;
                    for (ky = first_tap(fy, stride_h); ky >= 0 && ky < k_h && fy - ky >= 0; ky += stride_h) {
                        const int64_t iy = (fy - ky) / stride_h;
                        if (iy >= in_h) {
                            continue;
                        }
                        for (kx = first_tap(fx, stride_w); kx >= 0 && kx < k_w && fx - kx >= 0; kx += stride_w) {
                            const int64_t ix = (fx - kx) / stride_w;
                            const uint32_t x_at = (((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) * (uint32_t)in_w +
                                                   (uint32_t)ix) * (uint32_t)in_c;
                            const uint32_t w_at = (((uint32_t)co * (uint32_t)k_h + (uint32_t)ky) * (uint32_t)k_w +
                                                   (uint32_t)kx) * (uint32_t)in_c;
                            if (ix >= in_w) {
                                continue;
                            }
                            tl_conv_accumulate(x, w, x_at, w_at, (uint32_t)in_c, &iacc, &facc);
                        }
                    }
                    tl_conv_store(op, y, b, out_at++, (uint32_t)co, iacc, facc, o->activation);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_transpose_conv = {TL_OP_TRANSPOSE_CONV, 2, 3, 1, TL_OPERATOR_OPTIONS_TRANSPOSE_CONV_OPTIONS,
                                            1u << 2, check, NULL, eval};
