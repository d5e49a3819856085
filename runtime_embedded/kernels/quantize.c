/* QUANTIZE: in float32 or int8 -> out int8 of the same shape, per-tensor (reference:
 * converter/reference/ops/quantize.py). float32 -> int8: round(float32(x / scale)) half away from zero + zp,
 * clamped (NaN -> 0 before the zero point). int8 -> int8: MultiplyByQuantizedMultiplier(x - in_zp) + out_zp,
 * clamped. */
#include "tl_fixedpoint.h"
#include "tl_kernel.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    if (tl_require_same_shape(op, y, x) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (x->dtype != TL_DTYPE_FLOAT32 && x->dtype != TL_DTYPE_INT8) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "QUANTIZE takes FLOAT32 or INT8");
    }
    if (y->dtype != TL_DTYPE_INT8) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "QUANTIZE produces INT8");
    }
    if (tl_require_per_tensor(op, y) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (x->dtype == TL_DTYPE_INT8 &&
        (tl_require_per_tensor(op, x) != TL_OK || tl_require_quant_params(op, 1, 1, -1, -1, -1) != TL_OK)) {
        return TL_ERROR_OPERATOR;
    }
    return TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    int8_t *py = (int8_t *)y->data;
    uint32_t i;
    if (x->dtype == TL_DTYPE_FLOAT32) {
        const float *px = (const float *)x->data;
        const float scale = y->scale;
        for (i = 0; i < x->elements; i++) {
            const float quotient = px[i] / scale; /* float32 division, as TFLite */
            double rounded = tl_round_half_away((double)quotient);
            if (tl_isnan(rounded)) {
                rounded = 0.0;
            }
            rounded += (double)y->zero_point;
            py[i] = (int8_t)(rounded < -128.0 ? -128 : (rounded > 127.0 ? 127 : (int32_t)rounded));
        }
    } else {
        const int8_t *px = (const int8_t *)x->data;
        for (i = 0; i < x->elements; i++) {
            const int64_t v =
                (int64_t)tl_mbqm((int32_t)px[i] - x->zero_point, op->qp.output_multiplier[0], op->qp.output_shift[0]) +
                y->zero_point;
            py[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_quantize = {TL_OP_QUANTIZE, 1, 1, 1, TL_OPERATOR_OPTIONS_NONE, 0u, check, NULL, eval};
