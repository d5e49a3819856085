/* AVERAGE_POOL_2D, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/average_pool_2d.c in
 * runtime_wasm's SIMD build). Window sums eight channels at a time: int8 in int32 lanes (exact while a window holds
 * fewer than 2^24 values; larger filters use the reference eval), then the reference's rounding division per
 * channel; float32 in float64 lanes with the window walked in the reference's order (bit-identical).
 */
#define tl_kernel_average_pool_2d tl_kernel_average_pool_2d_reference
#include "../average_pool_2d.c"
#undef tl_kernel_average_pool_2d

#include "wasm_simd_ops.h"

static int8_t average_int8(const tl_op *op, int64_t sum, int64_t count)
{
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int64_t area = (int64_t)o->filter_h * o->filter_w;
    int64_t divisor = count, average;
    if (o->count_include_pad) {
        sum += (area - count) * tl_input(op, 0)->zero_point;
        divisor = area;
    }
    average = sum >= 0 ? (sum + divisor / 2) / divisor : -((-sum + divisor / 2) / divisor);
    return (int8_t)(average < op->qp.act_min ? op->qp.act_min : (average > op->qp.act_max ? op->qp.act_max : average));
}

static tl_status average_pool_2d_simd_eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_pool2d_options *o = &op->options.u.pool2d_options;
    const int is_int8 = x->dtype == TL_DTYPE_INT8;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3], channels8 = channels & ~7u;
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const int64_t area = (int64_t)o->filter_h * o->filter_w;
    int32_t n, oy, ox, iy, ix, y0, y1, x0, x1;
    uint32_t c, j, out_at = 0;
    if (area >= ((int64_t)1 << 24)) {
        return eval(op);
    }
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++, out_at += channels) {
                int64_t count;
                tl_pool_window(o, in_h, in_w, oy, ox, &y0, &y1, &x0, &x1);
                count = (int64_t)(y1 - y0) * (x1 - x0);
                TLW_NO_UNROLL
                for (c = 0; c < channels; c += 8) {
                    const uint32_t valid = c < channels8 ? 8u : channels - c;
                    if (is_int8) {
                        int32_t sums[8];
                        if (valid == 8) {
                            v128_t s0 = wasm_i32x4_splat(0), s1 = s0;
                            TLW_NO_UNROLL
                            for (iy = y0; iy < y1; iy++) {
                                const int8_t *row = (const int8_t *)x->data +
                                                    (((size_t)n * (uint32_t)in_h + (size_t)iy) * (uint32_t)in_w) *
                                                        channels + c;
                                TLW_NO_UNROLL
                                for (ix = x0; ix < x1; ix++) {
                                    const v128_t v = wasm_i16x8_load8x8(row + (size_t)ix * channels);
                                    s0 = wasm_i32x4_add(s0, wasm_i32x4_extend_low_i16x8(v));
                                    s1 = wasm_i32x4_add(s1, wasm_i32x4_extend_high_i16x8(v));
                                }
                            }
                            wasm_v128_store(sums, s0);
                            wasm_v128_store(sums + 4, s1);
                        } else {
                            TLW_NO_UNROLL
                            for (j = 0; j < valid; j++) {
                                sums[j] = 0;
                                TLW_NO_UNROLL
                                for (iy = y0; iy < y1; iy++) {
                                    TLW_NO_UNROLL
                                    for (ix = x0; ix < x1; ix++) {
                                        const size_t at = (((size_t)n * (uint32_t)in_h + (size_t)iy) *
                                                               (uint32_t)in_w + (size_t)ix) * channels + c + j;
                                        sums[j] += ((const int8_t *)x->data)[at];
                                    }
                                }
                            }
                        }
                        TLW_NO_UNROLL
                        for (j = 0; j < valid; j++) {
                            ((int8_t *)y->data)[out_at + c + j] = average_int8(op, sums[j], count);
                        }
                    } else {
                        double sums[8];
                        const double divisor = (double)(o->count_include_pad ? area : count);
                        TLW_NO_UNROLL
                        for (j = 0; j < 8; j += 2) {
                            v128_t s = wasm_f64x2_splat(0.0);
                            if (j + 2 <= valid) {
                                TLW_NO_UNROLL
                                for (iy = y0; iy < y1; iy++) {
                                    const float *row = (const float *)x->data +
                                                       (((size_t)n * (uint32_t)in_h + (size_t)iy) * (uint32_t)in_w) *
                                                           channels + c + j;
                                    TLW_NO_UNROLL
                                    for (ix = x0; ix < x1; ix++) {
                                        s = wasm_f64x2_add(s, wasm_f64x2_promote_low_f32x4(
                                                                  wasm_v128_load64_zero(row + (size_t)ix * channels)));
                                    }
                                }
                                sums[j] = wasm_f64x2_extract_lane(s, 0);
                                sums[j + 1] = wasm_f64x2_extract_lane(s, 1);
                            } else if (j < valid) {
                                sums[j] = 0.0;
                                TLW_NO_UNROLL
                                for (iy = y0; iy < y1; iy++) {
                                    TLW_NO_UNROLL
                                    for (ix = x0; ix < x1; ix++) {
                                        sums[j] += (double)((const float *)x->data)[(((size_t)n * (uint32_t)in_h +
                                                                                       (size_t)iy) * (uint32_t)in_w +
                                                                                      (size_t)ix) * channels + c + j];
                                    }
                                }
                            }
                        }
                        TLW_NO_UNROLL
                        for (j = 0; j < valid; j++) {
                            ((float *)y->data)[out_at + c + j] = tl_activate_float((float)(sums[j] / divisor),
                                                                                  o->activation);
                        }
                    }
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_average_pool_2d = {TL_OP_AVERAGE_POOL_2D, 1, 1, 1, TL_OPERATOR_OPTIONS_POOL2D_OPTIONS, 0u,
                                             tl_check_pool, NULL, average_pool_2d_simd_eval};
