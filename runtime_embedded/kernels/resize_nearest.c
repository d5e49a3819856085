/* RESIZE_NEAREST: in [N,H,W,C] -> out [N,OH,OW,C], each output pixel a copy of one input pixel.
 * Reference: converter/reference/ops/resize_nearest.py (TFLite's GetNearestNeighbor), per axis in float32:
 * source = floor((i + offset) * scale), or round-half-away with align_corners, offset 0.5 with half_pixel_centers,
 * clamped to [0, in-1]. Int8 is the same indexing (input and output share quantization). */
#include "resize_common.h"
#include "tl_math.h"

static tl_status check(tl_op *op)
{
    int is_int8;
    return tl_check_resize(op, &is_int8);
}

/* The input position output position i copies along an axis of in_size -> out_size. */
static int32_t source_index(int32_t i, int32_t in_size, float scale, const tl_resize_options *o)
{
    const float offset = o->half_pixel_centers ? 0.5f : 0.0f;
    const float shifted = (float)i + offset;
    const float position = shifted * scale;
    int64_t index = o->align_corners ? (int64_t)tl_round_half_away((double)position) : tl_resize_floor(position);
    if (index > in_size - 1) {
        index = in_size - 1;
    }
    if (index < 0) { /* only with half_pixel_centers; the reference clamps there alone, and elsewhere it is >= 0 */
        index = 0;
    }
    return (int32_t)index;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_resize_options *o = &op->options.u.resize_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const float scale_h = tl_resize_float_scale(in_h, out_h, o->align_corners);
    const float scale_w = tl_resize_float_scale(in_w, out_w, o->align_corners);
    const uint32_t size = x->dtype == TL_DTYPE_FLOAT32 ? 4u : 1u;
    const uint8_t *src = (const uint8_t *)x->data;
    uint8_t *dst = (uint8_t *)y->data;
    int32_t n, oy, ox;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            const uint32_t row = (uint32_t)n * (uint32_t)in_h + (uint32_t)source_index(oy, in_h, scale_h, o);
            for (ox = 0; ox < out_w; ox++) {
                const uint32_t at = (row * (uint32_t)in_w + (uint32_t)source_index(ox, in_w, scale_w, o)) * channels;
                tl_copy(dst, src + (size_t)at * size, (size_t)channels * size);
                dst += (size_t)channels * size;
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_resize_nearest = {TL_OP_RESIZE_NEAREST, 1, 1, 1, TL_OPERATOR_OPTIONS_RESIZE_OPTIONS, 0u,
                                            check, NULL, eval};
