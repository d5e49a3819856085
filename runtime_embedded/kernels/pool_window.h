/* Shared by AVERAGE_POOL_2D and MAX_POOL_2D (converter/reference/ops/pool_window.py): the pool's check and the
 * window walk. A window covers only the input positions inside it; padding is never a value. */
#ifndef TL_POOL_WINDOW_H
#define TL_POOL_WINDOW_H

#include "tl_kernel.h"

/* in [N,H,W,C] -> out [N,OH,OW,C]: options, shapes, dtypes and (int8) shared quantization and quant_params. */
tl_status tl_check_pool(tl_op *op);

/* The input rows [*y0, *y1) and columns [*x0, *x1) that output position (oy, ox) pools over. */
static inline void tl_pool_window(const tl_pool2d_options *o, int32_t in_h, int32_t in_w, int32_t oy, int32_t ox,
                                  int32_t *y0, int32_t *y1, int32_t *x0, int32_t *x1)
{
    const int64_t top = (int64_t)oy * o->stride_h - o->pad_top;
    const int64_t left = (int64_t)ox * o->stride_w - o->pad_left;
    *y0 = (int32_t)(top < 0 ? 0 : top);
    *y1 = (int32_t)(top + o->filter_h > in_h ? in_h : top + o->filter_h);
    *x0 = (int32_t)(left < 0 ? 0 : left);
    *x1 = (int32_t)(left + o->filter_w > in_w ? in_w : left + o->filter_w);
}

#endif /* TL_POOL_WINDOW_H */
