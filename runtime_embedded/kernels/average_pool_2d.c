/* AVERAGE_POOL_2D: in [N,H,W,C] -> out [N,OH,OW,C], the mean over each window's input positions (or, with
 * count_include_pad, over the whole filter, pad positions counting as real 0).
 * Reference: converter/reference/ops/average_pool_2d.py. Int8 (TFLite Micro's AveragePool): input and output share
 * quantization; the integer sum of raw values (pads add the zero point) is divided rounding half away from zero,
 * then clamped to [act_min, act_max]. */
#include "pool_window.h"

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int is_int8 = x->dtype == TL_DTYPE_INT8;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2], channels = x->dims[3];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const int64_t area = (int64_t)o->filter_h * o->filter_w;
    int32_t n, oy, ox, c, iy, ix, y0, y1, x0, x1;
    uint32_t out_at = 0;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++) {
                int64_t count;
                tl_pool_window(o, in_h, in_w, oy, ox, &y0, &y1, &x0, &x1);
                count = (int64_t)(y1 - y0) * (x1 - x0);
                for (c = 0; c < channels; c++, out_at++) {
                    if (is_int8) {
                        const int8_t *px = (const int8_t *)x->data;
                        int64_t sum = 0, divisor = count, average;
                        for (iy = y0; iy < y1; iy++) {
                            for (ix = x0; ix < x1; ix++) {
                                sum += px[(((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) * (uint32_t)in_w +
                                           (uint32_t)ix) * (uint32_t)channels + (uint32_t)c];
                            }
                        }
                        if (o->count_include_pad) {
                            sum += (area - count) * x->zero_point; /* a padded real 0 is the zero point */
                            divisor = area;
                        }
                        average = sum >= 0 ? (sum + divisor / 2) / divisor : -((-sum + divisor / 2) / divisor);
                        ((int8_t *)y->data)[out_at] = (int8_t)(average < op->qp.act_min ? op->qp.act_min :
                                                               (average > op->qp.act_max ? op->qp.act_max : average));
                    } else {
                        const float *px = (const float *)x->data;
                        double sum = 0.0;
                        for (iy = y0; iy < y1; iy++) {
                            for (ix = x0; ix < x1; ix++) {
                                sum += (double)px[(((uint32_t)n * (uint32_t)in_h + (uint32_t)iy) * (uint32_t)in_w +
                                                   (uint32_t)ix) * (uint32_t)channels + (uint32_t)c];
                            }
                        }
                        ((float *)y->data)[out_at] =
                            tl_activate_float((float)(sum / (double)(o->count_include_pad ? area : count)),
                                              o->activation);
                    }
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_average_pool_2d = {TL_OP_AVERAGE_POOL_2D, 1, 1, 1, TL_OPERATOR_OPTIONS_POOL2D_OPTIONS, 0u,
                                             tl_check_pool, NULL, eval};
