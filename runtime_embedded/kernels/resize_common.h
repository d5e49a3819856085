/* Shared by RESIZE_NEAREST and RESIZE_BILINEAR (converter/reference/ops/resize_nearest.py check_resize and
 * float_scale): the common check and TFLite's float32 per-axis index arithmetic. Every float step is its own
 * statement in float, so no compiler contracts a multiply and an add into an FMA (results stay those of float32
 * IEEE arithmetic, as numpy computes them). */
#ifndef TL_RESIZE_COMMON_H
#define TL_RESIZE_COMMON_H

#include "tl_kernel.h"

/* in [N,H,W,C] -> out [N,OH,OW,C]: ranks, batch and channels, flags not both set, float32 or int8 with one
 * quantization (reference: check_resize); *is_int8 says which. */
tl_status tl_check_resize(tl_op *op, int *is_int8);

/* TFLite's float32 source/destination ratio of one axis: in/out, or (in-1)/(out-1) with align_corners (out > 1). */
static inline float tl_resize_float_scale(int32_t in_size, int32_t out_size, int align_corners)
{
    if (align_corners && out_size > 1) {
        return (float)(in_size - 1) / (float)(out_size - 1);
    }
    return (float)in_size / (float)out_size;
}

/* floor(v) of a float whose magnitude is far below 2^63 (source positions: below ~2^32). */
static inline int64_t tl_resize_floor(float v)
{
    const int64_t t = (int64_t)v; /* truncates toward zero */
    return (float)t > v ? t - 1 : t;
}

/* ceil(v), as tl_resize_floor. */
static inline int64_t tl_resize_ceil(float v)
{
    const int64_t t = (int64_t)v;
    return (float)t < v ? t + 1 : t;
}

#endif /* TL_RESIZE_COMMON_H */
