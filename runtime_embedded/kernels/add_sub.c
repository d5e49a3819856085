/* ADD and SUB's shared check and eval (see add_sub.h). */
#include "add_sub.h"

#include "tl_fixedpoint.h"

tl_status tl_check_add_sub(tl_op *op)
{
    const tl_quant_params *q = &op->qp;
    int is_int8;
    if (tl_check_binary(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (tl_require_quant_params(op, 1, 1, 2, 2, -1) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (q->left_shift != TL_ADD_SUB_LEFT_SHIFT) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.left_shift must be 20 for int8 ADD and SUB");
    }
    if (q->input_shift[0] > 0 || q->input_shift[1] > 0 || q->output_shift[0] > 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL,
                       "int8 ADD and SUB shifts must be <= 0 (multipliers smaller than one)");
    }
    return TL_OK;
}

void tl_eval_add_sub(tl_op *op, int32_t sign)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1);
    tl_tensor *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const int32_t activation = op->options.u.binary_options.activation;
    tl_broadcast it;
    uint32_t i;
    tl_broadcast_init(&it, y, a, b);
    if (a->dtype == TL_DTYPE_FLOAT32) {
        const float *pa = (const float *)a->data, *pb = (const float *)b->data;
        const double s = (double)sign;
        float *py = (float *)y->data;
        for (i = 0; i < y->elements; i++, tl_broadcast_next(&it)) {
            py[i] = tl_activate_float((float)((double)pa[it.a_at] + s * (double)pb[it.b_at]), activation);
        }
        return;
    }
    {
        const int8_t *pa = (const int8_t *)a->data, *pb = (const int8_t *)b->data;
        int8_t *py = (int8_t *)y->data;
        for (i = 0; i < y->elements; i++, tl_broadcast_next(&it)) {
            /* |q - zp| <= 255, so (q - zp) * 2^20 fits int32 */
            const int32_t xa = tl_mbqm(((int32_t)pa[it.a_at] - a->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT),
                                       q->input_multiplier[0], q->input_shift[0]);
            const int32_t xb = tl_mbqm(((int32_t)pb[it.b_at] - b->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT),
                                       q->input_multiplier[1], q->input_shift[1]);
            const int32_t sum = sign > 0 ? tl_add_wrap(xa, xb) : tl_sub_wrap(xa, xb);
            py[i] = tl_requantize_int8(sum, q->output_multiplier[0], q->output_shift[0], y->zero_point, q->act_min,
                                       q->act_max);
        }
    }
}
