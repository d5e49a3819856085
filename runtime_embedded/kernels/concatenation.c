/* CONCATENATION: inputs of equal rank (all dims equal but `axis`) -> out joined along axis.
 * Reference: converter/reference/ops/concatenation.py. Float: copied, then the fused activation. Int8: all inputs
 * share the output's scale and zero point, so values are copied and clamped to [act_min, act_max].
 * Up to TL_MAX_OP_INPUTS inputs (more: TL_ERROR_LIMIT from the core). */
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *first = tl_input(op, 0), *y = tl_output(op, 0);
    const int32_t axis = op->options.u.concatenation_options.axis;
    const tl_tensor *acts[TL_MAX_OP_INPUTS + 1];
    int64_t dims[TL_MAX_RANK];
    uint32_t k, d;
    int is_int8;
    if (axis < 0 || (uint32_t)axis >= first->rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "CONCATENATION axis is outside the inputs' rank");
    }
    for (d = 0; d < first->rank; d++) {
        dims[d] = first->dims[d];
    }
    dims[axis] = 0;
    for (k = 0; k < op->num_inputs; k++) {
        const tl_tensor *t = tl_input(op, k);
        if (t->rank != first->rank) {
            return tl_fail(op, TL_ERROR_OPERATOR, t, "has a different rank than the first input");
        }
        for (d = 0; d < first->rank; d++) {
            if (d != (uint32_t)axis && t->dims[d] != first->dims[d]) {
                return tl_fail(op, TL_ERROR_OPERATOR, t, "differs from the first input outside the concat axis");
            }
        }
        dims[axis] += t->dims[axis];
        acts[k] = t;
    }
    acts[op->num_inputs] = y;
    if (tl_require_dims(op, y, dims, first->rank) != TL_OK ||
        tl_require_float_or_int8(op, acts, op->num_inputs + 1u, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    for (k = 0; k < op->num_inputs; k++) {
        if (tl_require_same_quantization(op, acts[k], y) != TL_OK) {
            return TL_ERROR_OPERATOR;
        }
    }
    return tl_require_quant_params(op, -1, -1, -1, -1, -1);
}

static tl_status eval(tl_op *op)
{
    tl_tensor *y = tl_output(op, 0);
    const uint32_t axis = (uint32_t)op->options.u.concatenation_options.axis;
    const int32_t activation = op->options.u.concatenation_options.activation;
    uint32_t outer = 1, inner = 1, d, o, k, i, at = 0;
    for (d = 0; d < axis; d++) {
        outer *= (uint32_t)y->dims[d];
    }
    for (d = axis + 1; d < y->rank; d++) {
        inner *= (uint32_t)y->dims[d];
    }
    for (o = 0; o < outer; o++) {
        for (k = 0; k < op->num_inputs; k++) {
            const tl_tensor *t = tl_input(op, k);
            const uint32_t chunk = (uint32_t)t->dims[axis] * inner;
            if (y->dtype == TL_DTYPE_FLOAT32) {
                const float *src = (const float *)t->data + o * chunk;
                float *dst = (float *)y->data + at;
                for (i = 0; i < chunk; i++) {
                    dst[i] = tl_activate_float(src[i], activation);
                }
            } else {
                const int8_t *src = (const int8_t *)t->data + o * chunk;
                int8_t *dst = (int8_t *)y->data + at;
                for (i = 0; i < chunk; i++) {
                    dst[i] = tl_clamp_int8(src[i], op->qp.act_min, op->qp.act_max);
                }
            }
            at += chunk;
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_concatenation = {TL_OP_CONCATENATION, 1, 255, 1, TL_OPERATOR_OPTIONS_CONCATENATION_OPTIONS,
                                           0u, check, NULL, eval};
