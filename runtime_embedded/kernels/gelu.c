/* GELU: y = x * Phi(x) = 0.5 x erfc(-x / sqrt 2), or with options.approximate its tanh form
 * 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), elementwise (reference: converter/reference/ops/gelu.py);
 * int8 through the op's lut. */
#include "activation_luts.h"
#include "tl_math.h"

#define M_SQRT1_2_ 0.70710678118654752440
#define SQRT_2_OVER_PI 0.79788456080286535588

static tl_status check(tl_op *op)
{
    int is_int8;
    return tl_check_lut_op(op, &is_int8);
}

static double gelu(double x, const tl_op *op)
{
    if (op->options.u.gelu_options.approximate) {
        return 0.5 * x * (1.0 + tl_tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * tl_erfc(-x * M_SQRT1_2_);
}

TL_LUT_EVAL(eval, gelu)

const tl_kernel tl_kernel_gelu = {TL_OP_GELU, 1, 1, 1, TL_OPERATOR_OPTIONS_GELU_OPTIONS, 0u, check, NULL, eval};
