/* TANH: y = tanh(x) elementwise (reference: converter/reference/ops/tanh.py). Float in double. Int8: the lut of
 * TFLite Micro's int8 Tanh, whose output quantization is fixed (1/128, 0) and whose input scale must be
 * >= 2^-28. */
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
    if (!((double)x->scale * 134217728.0 >= 0.5)) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "int8 input scale is below 2^-28, which TFLite cannot handle");
    }
    if (y->scale != 1.0f / 128.0f || y->zero_point != 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "int8 TANH output must have scale 1/128 and zero point 0");
    }
    return tl_check_lut(op);
}

static double tanh_(double x, const tl_op *op)
{
    (void)op;
    return tl_tanh(x);
}

TL_LUT_EVAL(eval, tanh_)

const tl_kernel tl_kernel_tanh = {TL_OP_TANH, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
