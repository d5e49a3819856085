/* RELU6: y = min(max(x, 0), 6) elementwise (reference: converter/reference/ops/relu6.py); int8 through the lut. */
#include "activation_luts.h"

static tl_status check(tl_op *op)
{
    int is_int8;
    return tl_check_lut_op(op, &is_int8);
}

static double relu6(double x, const tl_op *op)
{
    (void)op;
    return x < 0.0 ? 0.0 : (x > 6.0 ? 6.0 : x);
}

TL_LUT_EVAL(eval, relu6)

const tl_kernel tl_kernel_relu6 = {TL_OP_RELU6, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
