/* The int8 lookup-table kernel and the float32 elementwise driver shared by the activations. */
#include "activation_luts.h"

tl_status tl_check_lut_op(tl_op *op, int *is_int8)
{
    if (tl_check_unary(op, is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return *is_int8 ? tl_check_lut(op) : TL_OK;
}

void tl_eval_lut(const tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    const int8_t *px = (const int8_t *)x->data;
    int8_t *py = (int8_t *)tl_output(op, 0)->data;
    const int8_t *lut = op->qp.lut;
    uint32_t i;
    for (i = 0; i < x->elements; i++) {
        py[i] = lut[(int32_t)px[i] + 128];
    }
}

void tl_eval_float_unary(const tl_op *op, double (*f)(double x, const tl_op *op))
{
    const tl_tensor *x = tl_input(op, 0);
    const float *px = (const float *)x->data;
    float *py = (float *)tl_output(op, 0)->data;
    uint32_t i;
    for (i = 0; i < x->elements; i++) {
        py[i] = (float)f((double)px[i], op);
    }
}
