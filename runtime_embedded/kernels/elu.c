/* ELU: y = x >= 0 ? x : alpha * (exp(x) - 1) elementwise, alpha as stored (float32)
 * (reference: converter/reference/ops/elu.py); int8 through the op's lut. */
#include "activation_luts.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const float alpha = op->options.u.elu_options.alpha;
    int is_int8;
    if (!tl_isfinite_f32(alpha)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "ELU alpha is not finite");
    }
    return tl_check_lut_op(op, &is_int8);
}

static double elu(double x, const tl_op *op)
{
    return x < 0.0 ? (double)op->options.u.elu_options.alpha * tl_expm1(x) : x;
}

TL_LUT_EVAL(eval, elu)

const tl_kernel tl_kernel_elu = {TL_OP_ELU, 1, 1, 1, TL_OPERATOR_OPTIONS_ELU_OPTIONS, 0u, check, NULL, eval};
