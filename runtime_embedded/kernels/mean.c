/* MEAN: in [N,H,W,C] -> out [N,1,1,C] (keep_dims) or [N,C], the mean over axes (1, 2) (the only axes of v1).
 * Reference: converter/reference/ops/mean.py. Float: summed in double, divided by H*W, rounded to float32. Int8
 * (TFLite's reference_integer_ops::Mean): acc = sum of (x - x_zp), wrapped to int32 by the multiply;
 * MultiplyByQuantizedMultiplier(acc, m, shift); divided by n = H*W rounding half away from zero (C's truncating
 * division of acc +- n/2, here in 64 bits); + y_zp, clamped to int8. */
#include "tl_fixedpoint.h"
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const tl_mean_options *o = &op->options.u.mean_options;
    const tl_tensor *acts[2];
    int64_t dims[4];
    int is_int8;
    if (tl_require_rank(op, x, 4) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (o->axes_count != 2 || o->axes[0] != 1 || o->axes[1] != 2) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "MEAN axes must be [1,2] (height and width)");
    }
    dims[0] = x->dims[0];
    if (o->keep_dims) {
        dims[1] = 1;
        dims[2] = 1;
        dims[3] = x->dims[3];
    } else {
        dims[1] = x->dims[3];
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, o->keep_dims ? 4u : 2u) != TL_OK ||
        tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (tl_require_quant_params(op, 1, 1, -1, -1, -1) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (op->qp.act_min != -128 || op->qp.act_max != 127) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "MEAN has no fused activation: act range must be [-128, 127]");
    }
    return TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t batches = (uint32_t)x->dims[0], channels = (uint32_t)x->dims[3];
    const uint32_t count = (uint32_t)x->dims[1] * (uint32_t)x->dims[2]; /* <= elements, fits */
    uint32_t n, c, k;
    for (n = 0; n < batches; n++) {
        const uint32_t base = n * count * channels;
        for (c = 0; c < channels; c++) {
            if (x->dtype == TL_DTYPE_FLOAT32) {
                const float *px = (const float *)x->data + base + c;
                double sum = 0.0;
                for (k = 0; k < count; k++) {
                    sum += (double)px[k * channels];
                }
                ((float *)y->data)[n * channels + c] = (float)(sum / (double)count);
            } else {
                const int8_t *px = (const int8_t *)x->data + base + c;
                uint32_t acc = 0u; /* int32 arithmetic, wrapping as the reference's multiply does */
                int64_t v, magnitude;
                for (k = 0; k < count; k++) {
                    acc += (uint32_t)((int32_t)px[k * channels] - x->zero_point);
                }
                v = tl_mbqm(tl_wrap32(acc), op->qp.output_multiplier[0], op->qp.output_shift[0]);
                magnitude = ((v < 0 ? -v : v) + (int64_t)(count / 2u)) / (int64_t)count;
                v = (v < 0 ? -magnitude : magnitude) + y->zero_point;
                ((int8_t *)y->data)[n * channels + c] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_mean = {TL_OP_MEAN, 1, 1, 1, TL_OPERATOR_OPTIONS_MEAN_OPTIONS, 0u, check, NULL, eval};
