/* The check shared by the 2-D pools (converter/reference/ops/pool_window.py check_pool). */
#include "pool_window.h"

tl_status tl_check_pool(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    const tl_tensor *y = tl_output(op, 0);
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int32_t positive[4] = {o->filter_h, o->filter_w, o->stride_h, o->stride_w};
    const int32_t pads[4] = {o->pad_top, o->pad_bottom, o->pad_left, o->pad_right};
    const tl_tensor *acts[2];
    int64_t oh, ow, dims[4];
    int is_int8;
    if (tl_require_rank(op, x, 4) != TL_OK ||
        tl_require_at_least(op, positive, 4, 1, "filter sizes and strides must be >= 1") != TL_OK ||
        tl_require_at_least(op, pads, 4, 0, "pads must be >= 0") != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (o->pad_top >= o->filter_h || o->pad_bottom >= o->filter_h || o->pad_left >= o->filter_w ||
        o->pad_right >= o->filter_w) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "each pad must be < the filter size on its axis");
    }
    if ((int64_t)o->filter_h * o->filter_w > 0x7FFFFFFF) {
        return tl_fail(op, TL_ERROR_LIMIT, NULL, "filter area exceeds 2^31 - 1, past this runtime's limit");
    }
    oh = tl_conv_output_size(x->dims[1], o->filter_h, o->stride_h, 1, o->pad_top, o->pad_bottom);
    ow = tl_conv_output_size(x->dims[2], o->filter_w, o->stride_w, 1, o->pad_left, o->pad_right);
    if (oh < 1 || ow < 1) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "the filter does not fit the padded input");
    }
    dims[0] = x->dims[0];
    dims[1] = oh;
    dims[2] = ow;
    dims[3] = x->dims[3];
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, 4) != TL_OK || tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (is_int8 && (tl_require_same_quantization(op, x, y) != TL_OK ||
                    tl_require_quant_params(op, -1, -1, -1, -1, -1) != TL_OK)) {
        return TL_ERROR_OPERATOR;
    }
    return TL_OK;
}
