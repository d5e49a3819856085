/* The check shared by the resize ops (converter/reference/ops/resize_nearest.py check_resize). */
#include "resize_common.h"

tl_status tl_check_resize(tl_op *op, int *is_int8)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const tl_resize_options *o = &op->options.u.resize_options;
    const tl_tensor *acts[2];
    if (tl_require_rank(op, x, 4) != TL_OK || tl_require_rank(op, y, 4) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (y->dims[0] != x->dims[0] || y->dims[3] != x->dims[3]) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "must have the input's batch and channels");
    }
    if (o->align_corners && o->half_pixel_centers) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "align_corners and half_pixel_centers cannot both be true");
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_float_or_int8(op, acts, 2, is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return *is_int8 ? tl_require_same_quantization(op, x, y) : TL_OK;
}
