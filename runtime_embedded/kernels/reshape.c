/* RESHAPE: in any shape -> out of the same size, the same bytes (reference: converter/reference/ops/reshape.py).
 * Int8 input and output share quantization. */
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *acts[2];
    int is_int8;
    acts[0] = tl_input(op, 0);
    acts[1] = tl_output(op, 0);
    if (acts[1]->elements != acts[0]->elements) {
        return tl_fail(op, TL_ERROR_OPERATOR, acts[1], "must have as many elements as the input");
    }
    if (tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_same_quantization(op, acts[0], acts[1]) : TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    if (y->data != x->data) {
        tl_copy(y->data, x->data, x->bytes);
    }
    return TL_OK;
}

const tl_kernel tl_kernel_reshape = {TL_OP_RESHAPE, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
