/* RESIZE_BILINEAR: in [N,H,W,C] -> out [N,OH,OW,C], each output pixel a weighted sum of its four nearest inputs.
 * Reference: converter/reference/ops/resize_bilinear.py. Float as TFLite's reference ResizeBilinear, every step in
 * float32: source s = i*scale, or (i+0.5)*scale - 0.5 with half_pixel_centers; taps i0 = max(floor(s), 0),
 * i1 = min(ceil(s), in-1), weight of i1 = s - i0; the four products summed in TFLite's order. Int8 as TFLite's
 * ResizeBilinearInteger: the same with 10 fractional bits (scale rounded to nearest), a 20-bit weighted sum
 * rounded half away from zero, >> 20. check() rejects a resize whose lower tap passes the input (the largest lower
 * tap is the last output position's: the taps never decrease). */
#include "resize_common.h"

#define ONE_10 1024 /* 1.0 with 10 fractional bits */

/* One axis' taps for output position i: lower and upper input positions and the upper one's weight. */
typedef struct taps {
    int64_t lower, upper;
    float weight;         /* float: s - lower */
    int64_t weight_10;    /* int8: s_10 - 1024 * lower */
} taps;

static void float_taps(int32_t i, int32_t in_size, float scale, const tl_resize_options *o, taps *t)
{
    float position;
    if (o->half_pixel_centers) {
        const float shifted = (float)i + 0.5f;
        const float scaled = shifted * scale;
        position = scaled - 0.5f;
    } else {
        position = (float)i * scale;
    }
    t->lower = tl_resize_floor(position);
    t->lower = t->lower < 0 ? 0 : t->lower;
    t->upper = tl_resize_ceil(position);
    t->upper = t->upper > in_size - 1 ? in_size - 1 : t->upper;
    t->weight = position - (float)t->lower;
}

/* TFLite's ratio with 10 fractional bits, rounded to nearest. */
static int64_t int_scale_10(int32_t in_size, int32_t out_size, int align_corners)
{
    if (align_corners && out_size > 1) {
        return ((int64_t)ONE_10 * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
    }
    return ((int64_t)ONE_10 * in_size + out_size / 2) / out_size;
}

static void int_taps(int32_t i, int32_t in_size, int64_t scale_10, const tl_resize_options *o, taps *t)
{
    int64_t position = (int64_t)i * scale_10;
    if (o->half_pixel_centers) {
        position += scale_10 / 2 - ONE_10 / 2;
    }
    t->lower = position / ONE_10; /* C division truncates toward zero, as the reference's */
    t->lower = t->lower < 0 ? 0 : t->lower;
    t->upper = (position + ONE_10 - 1) / ONE_10;
    t->upper = t->upper > in_size - 1 ? in_size - 1 : t->upper;
    t->weight_10 = position - (int64_t)ONE_10 * t->lower;
}

static void axis_taps(int is_int8, int32_t i, int32_t in_size, int32_t out_size, const tl_resize_options *o, taps *t)
{
    if (is_int8) {
        int_taps(i, in_size, int_scale_10(in_size, out_size, o->align_corners), o, t);
    } else {
        float_taps(i, in_size, tl_resize_float_scale(in_size, out_size, o->align_corners), o, t);
    }
}

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    int is_int8, axis;
    if (tl_check_resize(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    for (axis = 1; axis <= 2; axis++) {
        taps t;
        axis_taps(is_int8, y->dims[axis] - 1, x->dims[axis], y->dims[axis], &op->options.u.resize_options, &t);
        if (t.lower >= x->dims[axis]) {
            return tl_fail(op, TL_ERROR_OPERATOR, x, axis == 1 ? "is resized in height past its last row"
                                                              : "is resized in width past its last column");
        }
    }
    return TL_OK;
}

/* One float output pixel's channels: the four products summed in TFLite's order, each step in float32. */
static void blend_float(const float *p00, const float *p10, const float *p01, const float *p11, float dy, float dx,
                        float *out, uint32_t channels)
{
    const float one_minus_dy = 1.0f - dy, one_minus_dx = 1.0f - dx;
    uint32_t c;
    for (c = 0; c < channels; c++) {
        float a = p00[c] * one_minus_dy;
        float b = p10[c] * dy;
        float s, t;
        a = a * one_minus_dx;
        b = b * one_minus_dx;
        s = a + b;
        t = p01[c] * one_minus_dy;
        t = t * dx;
        s = s + t;
        t = p11[c] * dy;
        t = t * dx;
        out[c] = s + t;
    }
}

/* One int8 output pixel's channels: 20-bit weighted sum, rounded half away from zero, >> 20. */
static void blend_int8(const int8_t *p00, const int8_t *p10, const int8_t *p01, const int8_t *p11, int64_t wy1,
                       int64_t wx1, int8_t *out, uint32_t channels)
{
    const int64_t wy0 = ONE_10 - wy1, wx0 = ONE_10 - wx1;
    uint32_t c;
    for (c = 0; c < channels; c++) {
        const int64_t acc = p00[c] * wy0 * wx0 + p10[c] * wy1 * wx0 + p01[c] * wy0 * wx1 + p11[c] * wy1 * wx1;
        const int64_t v = (acc + (acc > 0 ? ((int64_t)1 << 19) : -((int64_t)1 << 19))) / ((int64_t)1 << 20);
        const int32_t low = (int32_t)((uint64_t)v & 0xFFu); /* numpy's astype(int8) keeps the low byte */
        out[c] = (int8_t)(low > 127 ? low - 256 : low);
    }
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_resize_options *o = &op->options.u.resize_options;
    const int is_int8 = x->dtype == TL_DTYPE_INT8;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    uint32_t out_at = 0;
    int32_t n, oy, ox;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            taps ty;
            uint32_t row0, row1;
            axis_taps(is_int8, oy, in_h, out_h, o, &ty);
            row0 = ((uint32_t)n * (uint32_t)in_h + (uint32_t)ty.lower) * (uint32_t)in_w;
            row1 = ((uint32_t)n * (uint32_t)in_h + (uint32_t)ty.upper) * (uint32_t)in_w;
            for (ox = 0; ox < out_w; ox++, out_at += channels) {
                taps tx;
                uint32_t at00, at10, at01, at11;
                axis_taps(is_int8, ox, in_w, out_w, o, &tx);
                at00 = (row0 + (uint32_t)tx.lower) * channels;
                at10 = (row1 + (uint32_t)tx.lower) * channels;
                at01 = (row0 + (uint32_t)tx.upper) * channels;
                at11 = (row1 + (uint32_t)tx.upper) * channels;
                if (is_int8) {
                    const int8_t *p = (const int8_t *)x->data;
                    blend_int8(p + at00, p + at10, p + at01, p + at11, ty.weight_10, tx.weight_10,
                               (int8_t *)y->data + out_at, channels);
                } else {
                    const float *p = (const float *)x->data;
                    blend_float(p + at00, p + at10, p + at01, p + at11, ty.weight, tx.weight,
                                (float *)y->data + out_at, channels);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_resize_bilinear = {TL_OP_RESIZE_BILINEAR, 1, 1, 1, TL_OPERATOR_OPTIONS_RESIZE_OPTIONS, 0u,
                                             check, NULL, eval};
