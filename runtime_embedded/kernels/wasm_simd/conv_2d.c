/* CONV_2D, WebAssembly SIMD128 variant (runtime_wasm's SIMD build: kernels/wasm_simd/ replaces kernels/conv_2d.c).
 *
 * The reference kernel's check is used as is (the file is included); eval is a blocked GEMM: int8, each output
 * pixel's receptive field is gathered into a patch of KH*KW*Ci raw int8 values (padding holds the input zero point,
 * whose product cancels against the zero-point term), or read in place for a 1x1 unpadded conv; two pixels by four
 * output channels at a time go through i32x4.dot_i16x8_s, and the zero-point term x_zp * sum(w) is folded into
 * the bias once at bind (tlw_rq_bias). Bit-exact with the reference (see wasm_simd.h). Float32: float64 dot products
 * over each input-channel run, padding skipped as the reference does.
 */
#define tl_kernel_conv_2d tl_kernel_conv_2d_reference
#include "../conv_2d.c"
#undef tl_kernel_conv_2d

#include "wasm_simd.h"

static uint32_t align16u(uint32_t n)
{
    return (n + 15u) & ~15u;
}

/* Copy / fill n bytes inline, 16 at a time (runs are short: KW * Ci bytes; a memory.copy call costs more). */
static void copy_run(int8_t *dst, const int8_t *src, uint32_t n)
{
    for (; n >= 16; n -= 16, dst += 16, src += 16) {
        wasm_v128_store(dst, wasm_v128_load(src));
    }
    for (; n >= 4; n -= 4, dst += 4, src += 4) {
        wasm_v128_store32_lane(dst, wasm_v128_load32_zero(src), 0);
    }
    while (n--) {
        *dst++ = *src++;
    }
}

static void fill_run(int8_t *dst, int8_t value, uint32_t n)
{
    const v128_t v = wasm_i8x16_splat(value);
    for (; n >= 16; n -= 16, dst += 16) {
        wasm_v128_store(dst, v);
    }
    while (n--) {
        *dst++ = value;
    }
}

static int is_pointwise(const tl_tensor *w, const tl_conv2d_options *o)
{
    return w->dims[1] == 1 && w->dims[2] == 1 && o->pad_top == 0 && o->pad_bottom == 0 && o->pad_left == 0 &&
           o->pad_right == 0;
}

/* Int8 convs whose dot length KH*KW*Ci is not a multiple of 8 (first layers: 3x3x3) and whose patch is gathered
 * get their weights copied at bind into rows padded with zeros to a multiple of 8, so the GEMM has no scalar tail
 * (the patch's padding bytes stay 0 too: the state is zeroed at bind and patch_of writes only KH*KW*Ci bytes). */
static int pads_weights(const tl_tensor *w, const tl_conv2d_options *o)
{
    const uint64_t depth = (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3];
    return !is_pointwise(w, o) && depth % 8u != 0 && w->is_constant;
}

static tl_status conv_2d_simd_check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1);
    const tl_status status = check(op);
    if (status != TL_OK) {
        return status;
    }
    if (x->dtype != TL_DTYPE_INT8) {
        /* float: a flag (the weights are constant and finite: padding may then be multiplied as 0.0) and a patch */
        const uint64_t depth = (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3];
        if (16u + 4u * depth > 0x7FFFFFF0u) {
            return tl_fail(op, TL_ERROR_LIMIT, w, "needs more kernel state than this build allows");
        }
        op->state_bytes = (uint32_t)(16u + 4u * depth);
        return TL_OK;
    }
    {
        const uint64_t depth = (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3];
        const uint64_t patches = is_pointwise(w, &op->options.u.conv2d_options) ? 0u : 2u * ((depth + 15u) & ~15ull);
        const uint64_t padded = pads_weights(w, &op->options.u.conv2d_options)
                                    ? (uint64_t)w->dims[0] * ((depth + 7u) & ~7ull) : 0u;
        const uint64_t bytes = (uint64_t)tlw_rq_bytes((uint32_t)w->dims[0]) + patches + padded;
        if (bytes > 0x7FFFFFF0u) {
            return tl_fail(op, TL_ERROR_LIMIT, w, "needs more kernel state than this build allows");
        }
        op->state_bytes = (uint32_t)bytes;
    }
    return TL_OK;
}

static tl_status conv_2d_simd_prepare(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const uint32_t channels = (uint32_t)w->dims[0];
    if (x->dtype != TL_DTYPE_INT8) {
        uint32_t i, finite = w->is_constant;
        for (i = 0; finite && i < w->elements; i++) {
            const float v = ((const float *)w->data)[i];
            finite = v - v == 0.0f; /* false for NaN and infinities */
        }
        *(uint32_t *)op->state = finite;
        return TL_OK;
    }
    tlw_rq_init((int32_t *)op->state, &op->qp, channels);
    if (pads_weights(w, &op->options.u.conv2d_options)) {
        const uint32_t depth = (uint32_t)(w->dims[1] * w->dims[2] * w->dims[3]), depth8 = (depth + 7u) & ~7u;
        int8_t *rows = (int8_t *)op->state + tlw_rq_bytes(channels) + 2u * align16u(depth);
        uint32_t c;
        for (c = 0; c < channels; c++) {
            copy_run(rows + (size_t)c * depth8, (const int8_t *)w->data + (size_t)c * depth, depth);
        }
    }
    if (w->is_constant && (b == NULL || b->is_constant)) {
        tlw_rq_bias((int32_t *)op->state, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL, channels,
                    (uint32_t)(w->dims[1] * w->dims[2] * w->dims[3]), x->zero_point);
    }
    return TL_OK;
}

/* The receptive field of output pixel p (row-major over N, OH, OW) as KH*KW*Ci int8 values. */
static const int8_t *patch_of(const tl_op *op, uint32_t p, int8_t *buffer, int pointwise)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3], k_h = w->dims[1], k_w = w->dims[2];
    const uint32_t plane = (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const uint32_t n = p / plane, oy = (p % plane) / (uint32_t)y->dims[2], ox = (p % plane) % (uint32_t)y->dims[2];
    const int8_t *image = (const int8_t *)x->data + (size_t)n * (uint32_t)in_h * (uint32_t)in_w * (uint32_t)in_c;
    const int8_t pad = (int8_t)x->zero_point;
    const int64_t top = (int64_t)oy * o->stride_h - o->pad_top, left = (int64_t)ox * o->stride_w - o->pad_left;
    const uint32_t run = (uint32_t)k_w * (uint32_t)in_c;
    int8_t *dst = buffer;
    int32_t ky, kx;
    if (pointwise) {
        return image + ((size_t)top * (uint32_t)in_w + (size_t)left) * (uint32_t)in_c;
    }
    for (ky = 0; ky < k_h; ky++, dst += run) {
        const int64_t iy = top + (int64_t)ky * o->dilation_h;
        const int64_t last = left + (int64_t)(k_w - 1) * o->dilation_w;
        if (iy < 0 || iy >= in_h) {
            fill_run(dst, pad, run);
        } else if (o->dilation_w == 1 && left >= 0 && last < in_w) {
            copy_run(dst, image + ((size_t)iy * (uint32_t)in_w + (size_t)left) * (uint32_t)in_c, run);
        } else {
            for (kx = 0; kx < k_w; kx++) {
                const int64_t ix = left + (int64_t)kx * o->dilation_w;
                int8_t *at = dst + (size_t)kx * (uint32_t)in_c;
                if (ix < 0 || ix >= in_w) {
                    fill_run(at, pad, (uint32_t)in_c);
                } else {
                    copy_run(at, image + ((size_t)iy * (uint32_t)in_w + (size_t)ix) * (uint32_t)in_c, (uint32_t)in_c);
                }
            }
        }
    }
    return buffer;
}

static tl_status eval_int8_simd(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t channels = (uint32_t)w->dims[0];
    const uint32_t depth = (uint32_t)w->dims[1] * (uint32_t)w->dims[2] * (uint32_t)w->dims[3];
    const uint32_t pixels = (uint32_t)y->dims[0] * (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const int pointwise = is_pointwise(w, &op->options.u.conv2d_options);
    int32_t *rq = (int32_t *)op->state;
    int8_t *buffers = (int8_t *)op->state + tlw_rq_bytes(channels);
    int8_t *out = (int8_t *)y->data;
    const int8_t *weights = (const int8_t *)w->data;
    uint32_t p, dot = depth;
    if (!w->is_constant || (b != NULL && !b->is_constant)) {
        tlw_rq_bias(rq, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL, channels, depth, x->zero_point);
    }
    if (pads_weights(w, &op->options.u.conv2d_options)) {
        weights = buffers + 2u * align16u(depth);
        dot = (depth + 7u) & ~7u;
    }
    for (p = 0; p < pixels; p += 2) {
        const int two = p + 1 < pixels;
        const int8_t *xa = patch_of(op, p, buffers, pointwise);
        const int8_t *xb = two ? patch_of(op, p + 1, buffers + align16u(depth), pointwise) : xa;
        int8_t *ya = out + (size_t)p * channels;
        tlw_gemm_int8_rows(xa, xb, weights, rq, channels, dot, ya, two ? ya + channels : ya,
                           y->zero_point, op->qp.act_min, op->qp.act_max);
    }
    return TL_OK;
}

/* Float32 with constant finite weights: the receptive field gathered into a patch (padding 0.0, whose products
 * are then exactly 0), one pixel by four output channels of float64 dot products over KH*KW*Ci. */
static void eval_float_patch(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3], k_h = w->dims[1], k_w = w->dims[2];
    const uint32_t channels = (uint32_t)w->dims[0], last = channels - 1u;
    const uint32_t depth = (uint32_t)k_h * (uint32_t)k_w * (uint32_t)in_c;
    const uint32_t plane = (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const uint32_t pixels = (uint32_t)y->dims[0] * plane;
    const float *pw = (const float *)w->data, *pb = b ? (const float *)b->data : NULL;
    float *patch = (float *)(void *)((uint8_t *)op->state + 16), *py = (float *)y->data;
    uint32_t p, c, j;
    for (p = 0; p < pixels; p++, py += channels) {
        const uint32_t n = p / plane, oy = (p % plane) / (uint32_t)y->dims[2], ox = (p % plane) % (uint32_t)y->dims[2];
        const float *image = (const float *)x->data + (size_t)n * (uint32_t)in_h * (uint32_t)in_w * (uint32_t)in_c;
        float *dst = patch;
        int32_t ky, kx;
        for (ky = 0; ky < k_h; ky++) {
            const int64_t iy = (int64_t)oy * o->stride_h - o->pad_top + (int64_t)ky * o->dilation_h;
            for (kx = 0; kx < k_w; kx++, dst += in_c) {
                const int64_t ix = (int64_t)ox * o->stride_w - o->pad_left + (int64_t)kx * o->dilation_w;
                if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                    for (j = 0; j < (uint32_t)in_c; j++) {
                        dst[j] = 0.0f;
                    }
                } else {
                    copy_run((int8_t *)(void *)dst,
                             (const int8_t *)(const void *)(image + ((size_t)iy * (uint32_t)in_w + (size_t)ix) *
                                                                    (uint32_t)in_c),
                             4u * (uint32_t)in_c);
                }
            }
        }
        for (c = 0; c < channels; c += 4) {
            double acc[4];
            tlw_dot4_f64(patch, pw + (size_t)c * depth, pw + (size_t)(c + 1 < channels ? c + 1 : last) * depth,
                         pw + (size_t)(c + 2 < channels ? c + 2 : last) * depth,
                         pw + (size_t)(c + 3 < channels ? c + 3 : last) * depth, depth, acc);
            for (j = 0; j < 4 && c + j < channels; j++) {
                if (pb) {
                    acc[j] += (double)pb[c + j];
                }
                py[c + j] = tl_activate_float((float)acc[j], o->activation);
            }
        }
    }
}

static tl_status eval_float_simd(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2], in_c = x->dims[3];
    const int32_t out_c = w->dims[0], k_h = w->dims[1], k_w = w->dims[2];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const float *px = (const float *)x->data, *pw = (const float *)w->data;
    float *py = (float *)y->data;
    int32_t n, oy, ox, co, ky, kx;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++) {
                for (co = 0; co < out_c; co++) {
                    double acc = 0.0;
                    for (ky = 0; ky < k_h; ky++) {
                        const int64_t iy = (int64_t)oy * o->stride_h - o->pad_top + (int64_t)ky * o->dilation_h;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++) {
                            const int64_t ix = (int64_t)ox * o->stride_w - o->pad_left + (int64_t)kx * o->dilation_w;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            acc += tlw_dot_f64(px + (((size_t)n * (uint32_t)in_h + (size_t)iy) * (uint32_t)in_w +
                                                     (size_t)ix) * (uint32_t)in_c,
                                               pw + (((size_t)co * (uint32_t)k_h + (uint32_t)ky) * (uint32_t)k_w +
                                                     (uint32_t)kx) * (uint32_t)in_c,
                                               (uint32_t)in_c);
                        }
                    }
                    if (b) {
                        acc += (double)((const float *)b->data)[co];
                    }
                    *py++ = tl_activate_float((float)acc, o->activation);
                }
            }
        }
    }
    return TL_OK;
}

static tl_status conv_2d_simd_eval(tl_op *op)
{
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        return eval_int8_simd(op);
    }
    if (*(const uint32_t *)op->state) {
        eval_float_patch(op);
        return TL_OK;
    }
    return eval_float_simd(op);
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2, conv_2d_simd_check,
                                     conv_2d_simd_prepare, conv_2d_simd_eval};
