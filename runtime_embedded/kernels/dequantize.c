/* DEQUANTIZE: in int8 -> out float32 of the same shape, y = scale * (x - zero_point) as one float32 multiply; or
 * in float16 -> out float32, an exact widening (reference: converter/reference/ops/dequantize.py). */
#include "tl_kernel.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    if (tl_require_same_shape(op, y, x) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (x->dtype != TL_DTYPE_INT8 && x->dtype != TL_DTYPE_FLOAT16) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "DEQUANTIZE takes INT8 or FLOAT16");
    }
    if (y->dtype != TL_DTYPE_FLOAT32) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "DEQUANTIZE produces FLOAT32");
    }
    return x->dtype == TL_DTYPE_INT8 ? tl_require_per_tensor(op, x) : TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    float *py = (float *)y->data;
    uint32_t i;
    if (x->dtype == TL_DTYPE_FLOAT16) {
        const uint8_t *px = (const uint8_t *)x->data;
        for (i = 0; i < x->elements; i++) {
            py[i] = tl_half_to_float((uint16_t)(px[2 * i] | (px[2 * i + 1] << 8)));
        }
    } else {
        const int8_t *px = (const int8_t *)x->data;
        for (i = 0; i < x->elements; i++) {
            py[i] = x->scale * (float)((int32_t)px[i] - x->zero_point);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_dequantize = {TL_OP_DEQUANTIZE, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
