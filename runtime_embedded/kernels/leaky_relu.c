/* LEAKY_RELU: y = x > 0 ? x : alpha * x elementwise, alpha as stored (float32)
 * (reference: converter/reference/ops/leaky_relu.py); int8 through the op's lut. */
#include "activation_luts.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const float alpha = op->options.u.leaky_relu_options.alpha;
    int is_int8;
    if (!tl_isfinite_f32(alpha)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "LEAKY_RELU alpha is not finite");
    }
    return tl_check_lut_op(op, &is_int8);
}

static double leaky_relu(double x, const tl_op *op)
{
    return x > 0.0 ? x : (double)op->options.u.leaky_relu_options.alpha * x;
}

TL_LUT_EVAL(eval, leaky_relu)

const tl_kernel tl_kernel_leaky_relu = {TL_OP_LEAKY_RELU, 1, 1, 1, TL_OPERATOR_OPTIONS_LEAKY_RELU_OPTIONS, 0u, check,
                                        NULL, eval};
