/* MUL: a, b (numpy broadcasting) -> out = a * b, then the fused activation.
 * Reference: converter/reference/ops/mul.py and binary_broadcast.py. Float in double (the product of two floats is
 * exact there), rounded to float32. Int8 (TFLite's MulElementwise / BroadcastMul4DSlow):
 * MultiplyByQuantizedMultiplier((q1 - zp1) * (q2 - zp2), m, shift) + zp_out, clamped to [act_min, act_max];
 * |(q1 - zp1) * (q2 - zp2)| <= 255^2 never overflows. */
#include "tl_fixedpoint.h"
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    int is_int8;
    if (tl_check_binary(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_quant_params(op, 1, 1, -1, -1, -1) : TL_OK;
}

static tl_status eval(tl_op *op)
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
        float *py = (float *)y->data;
        for (i = 0; i < y->elements; i++, tl_broadcast_next(&it)) {
            py[i] = tl_activate_float((float)((double)pa[it.a_at] * (double)pb[it.b_at]), activation);
        }
        return TL_OK;
    }
    {
        const int8_t *pa = (const int8_t *)a->data, *pb = (const int8_t *)b->data;
        int8_t *py = (int8_t *)y->data;
        for (i = 0; i < y->elements; i++, tl_broadcast_next(&it)) {
            const int32_t product = ((int32_t)pa[it.a_at] - a->zero_point) * ((int32_t)pb[it.b_at] - b->zero_point);
            py[i] = tl_requantize_int8(product, q->output_multiplier[0], q->output_shift[0], y->zero_point,
                                       q->act_min, q->act_max);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_mul = {TL_OP_MUL, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL, eval};
