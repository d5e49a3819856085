/* MAX_POOL_2D, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/max_pool_2d.c in runtime_wasm's
 * SIMD build). The reference check is used as is (the file is included). Each window's maximum sixteen int8 or
 * four float32 channels at a time: i8x16.max from -128 then the clamp to [act_min, act_max] (the reference's order);
 * f32x4.max, which lets NaN win as the reference does (only the sign of a zero maximum may differ), then the
 * activation. Channel tails take the scalar loop.
 */
#define tl_kernel_max_pool_2d tl_kernel_max_pool_2d_reference
#include "../max_pool_2d.c"
#undef tl_kernel_max_pool_2d

#include "wasm_simd_ops.h"

/* One output pixel, int8: y[c] = clamp(max over rows [y0,y1) x cols [x0,x1) of x[., ., c]); px is the image's
 * first value, row the values per input row, channels per pixel. */
static void pool_int8(const tl_op *op, const int8_t *px, uint32_t row, uint32_t channels, int32_t y0, int32_t y1,
                      int32_t x0, int32_t x1, int8_t *py)
{
    const v128_t lo = wasm_i8x16_splat((int8_t)op->qp.act_min), hi = wasm_i8x16_splat((int8_t)op->qp.act_max);
    uint32_t c = 0;
    int32_t iy, ix;
    TLW_NO_UNROLL
    for (; c + 16u <= channels; c += 16u) {
        v128_t m = wasm_i8x16_splat(-128);
        TLW_NO_UNROLL
        for (iy = y0; iy < y1; iy++) {
            const int8_t *r = px + (uint32_t)iy * row + c;
            TLW_NO_UNROLL
            for (ix = x0; ix < x1; ix++) {
                m = wasm_i8x16_max(m, wasm_v128_load(r + (uint32_t)ix * channels));
            }
        }
        wasm_v128_store(py + c, wasm_i8x16_min(wasm_i8x16_max(m, lo), hi));
    }
    TLW_NO_UNROLL
    for (; c + 8u <= channels; c += 8u) {
        v128_t m = wasm_i8x16_splat(-128);
        TLW_NO_UNROLL
        for (iy = y0; iy < y1; iy++) {
            const int8_t *r = px + (uint32_t)iy * row + c;
            TLW_NO_UNROLL
            for (ix = x0; ix < x1; ix++) {
                m = wasm_i8x16_max(m, wasm_v128_load64_zero(r + (uint32_t)ix * channels));
            }
        }
        wasm_v128_store64_lane(py + c, wasm_i8x16_min(wasm_i8x16_max(m, lo), hi), 0);
    }
    TLW_NO_UNROLL
    for (; c < channels; c++) {
        int32_t largest = -128;
        TLW_NO_UNROLL
        for (iy = y0; iy < y1; iy++) {
            TLW_NO_UNROLL
            for (ix = x0; ix < x1; ix++) {
                const int32_t v = px[(uint32_t)iy * row + (uint32_t)ix * channels + c];
                largest = v > largest ? v : largest;
            }
        }
        py[c] = tl_clamp_int8(largest, op->qp.act_min, op->qp.act_max);
    }
}

/* One output pixel, float32 (as pool_int8), then the fused activation. */
static void pool_float(const float *px, uint32_t row, uint32_t channels, int32_t y0, int32_t y1, int32_t x0,
                       int32_t x1, int32_t activation, float *py)
{
    const float *first = px + (uint32_t)y0 * row + (uint32_t)x0 * channels;
    uint32_t c = 0;
    int32_t iy, ix;
    TLW_NO_UNROLL
    for (; c + 4u <= channels; c += 4u) {
        v128_t m = wasm_v128_load(first + c);
        TLW_NO_UNROLL
        for (iy = y0; iy < y1; iy++) {
            const float *r = px + (uint32_t)iy * row + c;
            TLW_NO_UNROLL
            for (ix = x0; ix < x1; ix++) {
                m = wasm_f32x4_max(m, wasm_v128_load(r + (uint32_t)ix * channels));
            }
        }
        wasm_v128_store(py + c, tlw_activate_f32x4(m, activation));
    }
    TLW_NO_UNROLL
    for (; c < channels; c++) {
        float largest = first[c];
        TLW_NO_UNROLL
        for (iy = y0; iy < y1; iy++) {
            TLW_NO_UNROLL
            for (ix = x0; ix < x1; ix++) {
                const float v = px[(uint32_t)iy * row + (uint32_t)ix * channels + c];
                if (largest == largest && !(v <= largest)) {
                    largest = v;
                }
            }
        }
        py[c] = tl_activate_float(largest, activation);
    }
}

static tl_status max_pool_2d_simd_eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3], row = (uint32_t)in_w * channels;
    const uint32_t image = (uint32_t)in_h * row;
    int32_t n, oy, ox, y0, y1, x0, x1;
    uint32_t out_at = 0;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < y->dims[1]; oy++) {
            for (ox = 0; ox < y->dims[2]; ox++, out_at += channels) {
                tl_pool_window(o, in_h, in_w, oy, ox, &y0, &y1, &x0, &x1);
                if (x->dtype == TL_DTYPE_INT8) {
                    pool_int8(op, (const int8_t *)x->data + (size_t)n * image, row, channels, y0, y1, x0, x1,
                              (int8_t *)y->data + out_at);
                } else {
                    pool_float((const float *)x->data + (size_t)n * image, row, channels, y0, y1, x0, x1,
                               o->activation, (float *)y->data + out_at);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_max_pool_2d = {TL_OP_MAX_POOL_2D, 1, 1, 1, TL_OPERATOR_OPTIONS_POOL2D_OPTIONS, 0u, check,
                                         NULL, max_pool_2d_simd_eval};
