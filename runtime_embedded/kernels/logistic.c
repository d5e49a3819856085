/* LOGISTIC: y = 1 / (1 + exp(-x)) elementwise (reference: converter/reference/ops/logistic.py). Float: exp of
 * -|x| only, in double. Int8: the lut of TFLite Micro's int8 Logistic, whose output quantization is fixed
 * (1/256, -128) and whose input scale must be >= 2^-28. */
#include "activation_luts.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    int is_int8;
    if (tl_check_unary(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (!((double)x->scale * 134217728.0 >= 0.5)) { /* frexp(scale * 2^27) must give a shift >= 0 */
        return tl_fail(op, TL_ERROR_OPERATOR, x, "int8 input scale is below 2^-28, which TFLite cannot handle");
    }
    if (y->scale != 1.0f / 256.0f || y->zero_point != -128) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "int8 LOGISTIC output must have scale 1/256 and zero point -128");
    }
    return tl_check_lut(op);
}

static double logistic(double x, const tl_op *op)
{
    const double e = tl_exp(-tl_fabs(x));
    (void)op;
    return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

TL_LUT_EVAL(eval, logistic)

const tl_kernel tl_kernel_logistic = {TL_OP_LOGISTIC, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
