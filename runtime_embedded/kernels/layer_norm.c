/* LAYER_NORM: in [..,C], gamma [C], beta (opt) [C] -> out [..,C], float32 only.
 * Reference: converter/reference/ops/layer_norm.py. Per row over the last axis, in double:
 * y = (x - mean) / sqrt(var + epsilon) * gamma + beta, var the population variance (divided by C), epsilon the
 * options' float32; rounded to float32. Int8 is rejected (TFLite has no int8 layer norm to follow). */
#include "kernel_math.h"
#include "tl_kernel.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *gamma = tl_input(op, 1), *beta = tl_input(op, 2);
    const tl_tensor *y = tl_output(op, 0);
    const float epsilon = op->options.u.layer_norm_options.epsilon;
    int64_t channels[1];
    if (x->dtype != TL_DTYPE_FLOAT32 || gamma->dtype != TL_DTYPE_FLOAT32 || y->dtype != TL_DTYPE_FLOAT32 ||
        (beta != NULL && beta->dtype != TL_DTYPE_FLOAT32)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "LAYER_NORM is float only: every tensor must be FLOAT32");
    }
    if (x->rank < 1) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "must have rank >= 1");
    }
    channels[0] = x->dims[x->rank - 1];
    if (tl_require_dims(op, gamma, channels, 1) != TL_OK ||
        (beta != NULL && tl_require_dims(op, beta, channels, 1) != TL_OK) ||
        tl_require_same_shape(op, y, x) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!(epsilon >= 0.0f && tl_isfinite_f32(epsilon))) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "LAYER_NORM epsilon must be finite and >= 0");
    }
    return TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *g = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const double epsilon = (double)op->options.u.layer_norm_options.epsilon;
    const uint32_t c = (uint32_t)x->dims[x->rank - 1];
    const uint32_t rows = x->elements / c;
    const float *gamma = (const float *)g->data, *beta = b ? (const float *)b->data : NULL;
    uint32_t r, i;
    for (r = 0; r < rows; r++) {
        const float *px = (const float *)x->data + r * c;
        float *py = (float *)y->data + r * c;
        double mean = 0.0, variance = 0.0, denominator;
        for (i = 0; i < c; i++) {
            mean += (double)px[i];
        }
        mean /= (double)c;
        for (i = 0; i < c; i++) {
            const double centered = (double)px[i] - mean;
            variance += centered * centered;
        }
        variance /= (double)c;
        denominator = tl_kmath_sqrt(variance + epsilon);
        for (i = 0; i < c; i++) {
            double v = ((double)px[i] - mean) / denominator * (double)gamma[i];
            if (beta) {
                v += (double)beta[i];
            }
            py[i] = (float)v;
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_layer_norm = {TL_OP_LAYER_NORM, 2, 3, 1, TL_OPERATOR_OPTIONS_LAYER_NORM_OPTIONS, 1u << 2,
                                        check, NULL, eval};
