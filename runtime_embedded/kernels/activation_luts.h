/* Shared by the elementwise activations (RELU, RELU6, LOGISTIC, TANH, LEAKY_RELU, HARD_SWISH, ELU, GELU):
 * in int8 every one of them is its 256-entry table quant_params.lut (computed offline by the reference op's
 * prepare, converter/reference/ops/activation_luts.py), so they share one int8 kernel; in float32 each applies
 * its own formula through tl_eval_float_unary. */
#ifndef TL_ACTIVATION_LUTS_H
#define TL_ACTIVATION_LUTS_H

#include "tl_kernel.h"

/* y = f(x): same shape, float32 or int8, and for int8 a 256-entry lut (reference: check_unary + check_lut). */
tl_status tl_check_lut_op(tl_op *op, int *is_int8);

/* int8 y[i] = lut[x[i] + 128] over every element. */
void tl_eval_lut(const tl_op *op);

/* float32 y[i] = (float)f((double)x[i]) over every element. */
void tl_eval_float_unary(const tl_op *op, double (*f)(double x, const tl_op *op));

/* The eval of an op whose int8 path is the lut and whose float path is f. */
#define TL_LUT_EVAL(name, f)                                                                                         \
    static tl_status name(tl_op *op)                                                                                 \
    {                                                                                                                 \
        if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {                                                               \
            tl_eval_lut(op);                                                                                          \
        } else {                                                                                                      \
            tl_eval_float_unary(op, f);                                                                               \
        }                                                                                                             \
        return TL_OK;                                                                                                 \
    }

#endif /* TL_ACTIVATION_LUTS_H */
