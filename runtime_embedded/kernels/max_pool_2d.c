/* MAX_POOL_2D: in [N,H,W,C] -> out [N,OH,OW,C], the maximum over each window's input positions.
 * Reference: converter/reference/ops/max_pool_2d.py. Int8 (TFLite Micro's MaxPool): input and output share
 * quantization; the maximum raw value is clamped to [act_min, act_max]. */
#include "pool_window.h"

static tl_status check(tl_op *op)
{
    if (op->options.u.pool2d_options.count_include_pad) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "count_include_pad applies to AVERAGE_POOL_2D only");
    }
    return tl_check_pool(op);
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int is_int8 = x->dtype == TL_DTYPE_INT8;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2], channels = x->dims[3];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    int32_t n, oy, ox, c, iy, ix, y0, y1, x0, x1;
    uint32_t out_at = 0;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++) {
                tl_pool_window(o, in_h, in_w, oy, ox, &y0, &y1, &x0, &x1);
                for (c = 0; c < channels; c++, out_at++) {
                    if (is_int8) {
                        const int8_t *px = (const int8_t *)x->data;
                        int32_t largest = -128;
                        for (iy = y0; iy < y1; iy++) {
                            for (ix = x0; ix < x1; ix++) {
                                const int32_t v = px[(((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) * (uint32_t)in_w +
                                                      (uint32_t)ix) * (uint32_t)channels + (uint32_t)c];
                                largest = v > largest ? v : largest;
                            }
                        }
                        ((int8_t *)y->data)[out_at] = tl_clamp_int8(largest, op->qp.act_min, op->qp.act_max);
                    } else {
                        const float *px = (const float *)x->data;
                        float largest = px[(((uint32_t)n * (uint32_t)in_h + (uint32_t)y0) * (uint32_t)in_w +
                                            (uint32_t)x0) * (uint32_t)channels + (uint32_t)c];
                        for (iy = y0; iy < y1; iy++) {
                            for (ix = x0; ix < x1; ix++) {
                                const float v = px[(((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) * (uint32_t)in_w +
                                                    (uint32_t)ix) * (uint32_t)channels + (uint32_t)c];
                                if (largest == largest && !(v <= largest)) { /* NaN wins and stays, as numpy */
                                    largest = v;
                                }
                            }
                        }
                        ((float *)y->data)[out_at] = tl_activate_float(largest, o->activation);
                    }
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_max_pool_2d = {TL_OP_MAX_POOL_2D, 1, 1, 1, TL_OPERATOR_OPTIONS_POOL2D_OPTIONS, 0u, check,
                                         NULL, eval};
