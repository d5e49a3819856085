/* RELU: y = max(x, 0) elementwise (reference: converter/reference/ops/relu.py); int8 through the op's lut. */
#include "activation_luts.h"

static tl_status check(tl_op *op)
{
    int is_int8;
    return tl_check_lut_op(op, &is_int8);
}

static double relu(double x, const tl_op *op)
{
    (void)op;
    return x < 0.0 ? 0.0 : x;
}

TL_LUT_EVAL(eval, relu)

const tl_kernel tl_kernel_relu = {TL_OP_RELU, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
