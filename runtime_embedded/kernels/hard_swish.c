/* HARD_SWISH: y = x * relu6(x + 3) / 6 elementwise (reference: converter/reference/ops/hard_swish.py); int8
 * through the op's lut. */
#include "activation_luts.h"

static tl_status check(tl_op *op)
{
    int is_int8;
    return tl_check_lut_op(op, &is_int8);
}

static double hard_swish(double x, const tl_op *op)
{
    const double r = x + 3.0;
    (void)op;
    return x * (r < 0.0 ? 0.0 : (r > 6.0 ? 6.0 : r)) / 6.0;
}

TL_LUT_EVAL(eval, hard_swish)

const tl_kernel tl_kernel_hard_swish = {TL_OP_HARD_SWISH, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
