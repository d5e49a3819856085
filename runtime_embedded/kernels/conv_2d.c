/* CONV_2D: in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co].
 * Reference: converter/reference/ops/conv_2d.py. Padding is zero: in int8 x - x_zp is zero there, so padded taps
 * add nothing; in float32 0.0 * w is added, as the reference's zero-padded windows (NaN for a non-finite w).
 * Int8: acc[c] = bias[c] + sum (x - x_zp) * w (int32, wrapping as C), requantized per output channel, + y_zp,
 * clamped to [act_min, act_max]. */
#include "conv_common.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const tl_tensor *acts[2];
    int64_t oh, ow, dims[4];
    int is_int8;
    const int32_t positive[4] = {o->stride_h, o->stride_w, o->dilation_h, o->dilation_w};
    const int32_t pads[4] = {o->pad_top, o->pad_bottom, o->pad_left, o->pad_right};
    if (tl_require_rank(op, x, 4) != TL_OK || tl_require_rank(op, w, 4) != TL_OK ||
        tl_require_at_least(op, positive, 4, 1, "strides and dilations must be >= 1") != TL_OK ||
        tl_require_at_least(op, pads, 4, 0, "pads must be >= 0") != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (w->dims[3] != x->dims[3]) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "has a different number of input channels than the input");
    }
    oh = tl_conv_output_size(x->dims[1], w->dims[1], o->stride_h, o->dilation_h, o->pad_top, o->pad_bottom);
    ow = tl_conv_output_size(x->dims[2], w->dims[2], o->stride_w, o->dilation_w, o->pad_left, o->pad_right);
    if (oh < 1 || ow < 1) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "does not fit the padded input");
    }
    dims[0] = x->dims[0];
    dims[1] = oh;
    dims[2] = ow;
    dims[3] = w->dims[0];
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, 4) != TL_OK || tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK ||
        tl_check_weights(op, w, b, w->dims[0], 0, is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_quant_params(op, w->dims[0], w->dims[0], -1, -1, -1) : TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3];
    const int32_t out_c = w->dims[0], k_h = w->dims[1], k_w = w->dims[2];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    int32_t n, oy, ox, co, ky, kx;
    uint32_t out_at = 0;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++) {
                for (co = 0; co < out_c; co++) {
                    double facc = 0.0;
                    uint32_t iacc = 0u;
                    for (ky = 0; ky < k_h; ky++) {
                        const int64_t iy = (int64_t)oy * o->stride_h - o->pad_top + (int64_t)ky * o->dilation_h;
                        for (kx = 0; kx < k_w; kx++) {
                            const int64_t ix = (int64_t)ox * o->stride_w - o->pad_left + (int64_t)kx * o->dilation_w;
                            const uint32_t w_at = (((uint32_t)co * (uint32_t)k_h + (uint32_t)ky) * (uint32_t)k_w +
                                                   (uint32_t)kx) * (uint32_t)in_c;
                            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                                tl_conv_accumulate_padding(w, w_at, (uint32_t)in_c, &facc);
                            } else {
                                const uint32_t x_at = (((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) *
                                                       (uint32_t)in_w + (uint32_t)ix) * (uint32_t)in_c;
                                tl_conv_accumulate(x, w, x_at, w_at, (uint32_t)in_c, &iacc, &facc);
                            }
                        }
                    }
                    tl_conv_store(op, y, b, out_at++, (uint32_t)co, iacc, facc, o->activation);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                     eval};
