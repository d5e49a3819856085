/* DEPTHWISE_CONV_2D, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/depthwise_conv_2d.c in
 * runtime_wasm's SIMD build). The reference check is used as is (the file is included). With depth_multiplier 1
 * (what converters emit), eight channels at a time: int8 (x - x_zp) widened to int16 times the int8 weights,
 * i32x4.extmul into int32 lanes, requantized four channels at a time (bit-exact, see wasm_simd.h); float32 in
 * float64 lanes, taps in the reference's order, so bit-identical to it. Other multipliers use the reference eval.
 */
#define tl_kernel_depthwise_conv_2d tl_kernel_depthwise_conv_2d_reference
#include "../depthwise_conv_2d.c"
#undef tl_kernel_depthwise_conv_2d

#include "wasm_simd.h"

static tl_status depthwise_conv_2d_simd_check(tl_op *op)
{
    const tl_status status = check(op);
    if (status == TL_OK && tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        op->state_bytes = tlw_rq_bytes((uint32_t)tl_input(op, 1)->dims[3]);
    }
    return status;
}

static void fill_bias(tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1), *b = tl_input(op, 2);
    int32_t *rq = (int32_t *)op->state;
    uint32_t c;
    for (c = 0; c < (uint32_t)w->dims[3]; c++) {
        rq[TLW_RQ_BIAS + c] = b ? ((const int32_t *)b->data)[c] : 0;
    }
}

static tl_status depthwise_conv_2d_simd_prepare(tl_op *op)
{
    const tl_tensor *b = tl_input(op, 2);
    if (tl_input(op, 0)->dtype != TL_DTYPE_INT8) {
        return TL_OK;
    }
    tlw_rq_init((int32_t *)op->state, &op->qp, (uint32_t)tl_input(op, 1)->dims[3]);
    if (b == NULL || b->is_constant) {
        fill_bias(op);
    }
    return TL_OK;
}

#define MAX_TAPS 64 /* filters up to 8x8 take the SIMD path; larger ones the reference eval */

/* The filter taps of output pixel (oy, ox) that fall inside the input: their input offsets (from the image's
 * first element, in elements) and weight offsets; the count. */
static uint32_t taps_of(const tl_op *op, int32_t oy, int32_t ox, uint32_t *x_at, uint32_t *w_at)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const uint32_t channels = (uint32_t)x->dims[3];
    const int64_t top = (int64_t)oy * o->stride_h - o->pad_top, left = (int64_t)ox * o->stride_w - o->pad_left;
    uint32_t count = 0;
    int32_t ky, kx;
    for (ky = 0; ky < w->dims[1]; ky++) {
        const int64_t iy = top + (int64_t)ky * o->dilation_h;
        if (iy < 0 || iy >= x->dims[1]) {
            continue;
        }
        for (kx = 0; kx < w->dims[2]; kx++) {
            const int64_t ix = left + (int64_t)kx * o->dilation_w;
            if (ix < 0 || ix >= x->dims[2]) {
                continue;
            }
            x_at[count] = (uint32_t)(iy * x->dims[2] + ix) * channels;
            w_at[count] = ((uint32_t)ky * (uint32_t)w->dims[2] + (uint32_t)kx) * channels;
            count++;
        }
    }
    return count;
}

/* The int8 path, depth_multiplier 1, at most MAX_TAPS taps: sixteen channels at a time, then eight, then one. */
static void eval_int8_m1(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const int32_t batches = x->dims[0], out_h = y->dims[1], out_w = y->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3], n4 = TLW_CH4(channels);
    const uint32_t image = (uint32_t)x->dims[1] * (uint32_t)x->dims[2] * channels;
    const int32_t x_zp = x->zero_point;
    const v128_t zp16 = wasm_i16x8_splat((int16_t)x_zp), zp = wasm_i32x4_splat(y->zero_point);
    const v128_t lo = wasm_i32x4_splat(op->qp.act_min), hi = wasm_i32x4_splat(op->qp.act_max);
    const int32_t *rq = (const int32_t *)op->state;
    const tl_quant_params *q = &op->qp;
    const int8_t *pw = (const int8_t *)w->data;
    int8_t *py = (int8_t *)y->data;
    uint32_t x_at[MAX_TAPS], w_at[MAX_TAPS];
    int32_t n, oy, ox;
    uint32_t c, t;
    if (b != NULL && !b->is_constant) {
        fill_bias(op);
    }
    for (n = 0; n < batches; n++) {
        const int8_t *px = (const int8_t *)x->data + (size_t)n * image;
        for (oy = 0; oy < out_h; oy++) {
            for (ox = 0; ox < out_w; ox++, py += channels) {
                const uint32_t taps = taps_of(op, oy, ox, x_at, w_at);
                for (c = 0; c + 16 <= channels; c += 16) {
                    v128_t a0 = wasm_v128_load(rq + TLW_RQ_BIAS + c), a1 = wasm_v128_load(rq + TLW_RQ_BIAS + c + 4);
                    v128_t a2 = wasm_v128_load(rq + TLW_RQ_BIAS + c + 8), a3 = wasm_v128_load(rq + TLW_RQ_BIAS + c + 12);
                    v128_t h0, h1;
                    for (t = 0; t < taps; t++) {
                        const v128_t xv = wasm_v128_load(px + x_at[t] + c), wv = wasm_v128_load(pw + w_at[t] + c);
                        const v128_t xl = wasm_i16x8_sub(wasm_i16x8_extend_low_i8x16(xv), zp16);
                        const v128_t xh = wasm_i16x8_sub(wasm_i16x8_extend_high_i8x16(xv), zp16);
                        const v128_t wl = wasm_i16x8_extend_low_i8x16(wv), wh = wasm_i16x8_extend_high_i8x16(wv);
                        a0 = wasm_i32x4_add(a0, wasm_i32x4_extmul_low_i16x8(xl, wl));
                        a1 = wasm_i32x4_add(a1, wasm_i32x4_extmul_high_i16x8(xl, wl));
                        a2 = wasm_i32x4_add(a2, wasm_i32x4_extmul_low_i16x8(xh, wh));
                        a3 = wasm_i32x4_add(a3, wasm_i32x4_extmul_high_i16x8(xh, wh));
                    }
                    h0 = wasm_i16x8_narrow_i32x4(tlw_requant4(a0, rq, n4, c, zp, lo, hi),
                                                 tlw_requant4(a1, rq, n4, c + 4, zp, lo, hi));
                    h1 = wasm_i16x8_narrow_i32x4(tlw_requant4(a2, rq, n4, c + 8, zp, lo, hi),
                                                 tlw_requant4(a3, rq, n4, c + 12, zp, lo, hi));
                    wasm_v128_store(py + c, wasm_i8x16_narrow_i16x8(h0, h1));
                }
                for (; c + 8 <= channels; c += 8) {
                    v128_t a0 = wasm_v128_load(rq + TLW_RQ_BIAS + c), a1 = wasm_v128_load(rq + TLW_RQ_BIAS + c + 4);
                    v128_t h;
                    for (t = 0; t < taps; t++) {
                        const v128_t xv = wasm_i16x8_sub(wasm_i16x8_load8x8(px + x_at[t] + c), zp16);
                        const v128_t wv = wasm_i16x8_load8x8(pw + w_at[t] + c);
                        a0 = wasm_i32x4_add(a0, wasm_i32x4_extmul_low_i16x8(xv, wv));
                        a1 = wasm_i32x4_add(a1, wasm_i32x4_extmul_high_i16x8(xv, wv));
                    }
                    h = wasm_i16x8_narrow_i32x4(tlw_requant4(a0, rq, n4, c, zp, lo, hi),
                                                tlw_requant4(a1, rq, n4, c + 4, zp, lo, hi));
                    wasm_v128_store64_lane(py + c, wasm_i8x16_narrow_i16x8(h, h), 0);
                }
                for (; c < channels; c++) {
                    uint32_t acc = (uint32_t)rq[TLW_RQ_BIAS + c];
                    int64_t v;
                    for (t = 0; t < taps; t++) {
                        acc += (uint32_t)(((int32_t)px[x_at[t] + c] - x_zp) * (int32_t)pw[w_at[t] + c]);
                    }
                    v = (int64_t)tl_mbqm(tl_wrap32(acc), q->output_multiplier[c], q->output_shift[c]) + y->zero_point;
                    py[c] = (int8_t)(v < q->act_min ? q->act_min : (v > q->act_max ? q->act_max : v));
                }
            }
        }
    }
}

/* The float32 path, depth_multiplier 1: four channels in two float64x2 accumulators, taps in the reference order. */
static void eval_float_m1(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3], channels4 = channels & ~3u;
    const int32_t k_h = w->dims[1], k_w = w->dims[2], out_h = y->dims[1], out_w = y->dims[2];
    const float *px = (const float *)x->data, *pw = (const float *)w->data;
    const float *pb = b ? (const float *)b->data : NULL;
    float *py = (float *)y->data;
    int32_t n, oy, ox, ky, kx;
    uint32_t c;
    for (n = 0; n < batches; n++) {
        for (oy = 0; oy < out_h; oy++) {
            const int64_t top = (int64_t)oy * o->stride_h - o->pad_top;
            for (ox = 0; ox < out_w; ox++, py += channels) {
                const int64_t left = (int64_t)ox * o->stride_w - o->pad_left;
                for (c = 0; c < channels; c += 4) {
                    const int whole = c < channels4;
                    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0;
                    double s[4] = {0.0, 0.0, 0.0, 0.0};
                    uint32_t j;
                    for (ky = 0; ky < k_h; ky++) {
                        const int64_t iy = top + (int64_t)ky * o->dilation_h;
                        const float *row;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        row = px + (((size_t)n * (uint32_t)in_h + (size_t)iy) * (uint32_t)in_w) * channels + c;
                        for (kx = 0; kx < k_w; kx++) {
                            const int64_t ix = left + (int64_t)kx * o->dilation_w;
                            const float *xr, *wr;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            xr = row + (size_t)ix * channels;
                            wr = pw + ((size_t)ky * (uint32_t)k_w + (uint32_t)kx) * channels + c;
                            if (whole) {
                                const v128_t xv = wasm_v128_load(xr), wv = wasm_v128_load(wr);
                                a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(xv),
                                                                       wasm_f64x2_promote_low_f32x4(wv)));
                                a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(
                                                            wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xv, xv, 2, 3, 0, 1)),
                                                            wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(wv, wv, 2, 3, 0, 1))));
                            } else {
                                for (j = 0; c + j < channels; j++) {
                                    s[j] += (double)xr[j] * (double)wr[j];
                                }
                            }
                        }
                    }
                    if (whole) {
                        s[0] = wasm_f64x2_extract_lane(a0, 0);
                        s[1] = wasm_f64x2_extract_lane(a0, 1);
                        s[2] = wasm_f64x2_extract_lane(a1, 0);
                        s[3] = wasm_f64x2_extract_lane(a1, 1);
                    }
                    for (j = 0; j < 4 && c + j < channels; j++) {
                        if (pb) {
                            s[j] += (double)pb[c + j];
                        }
                        py[c + j] = tl_activate_float((float)s[j], o->activation);
                    }
                }
            }
        }
    }
}

static tl_status depthwise_conv_2d_simd_eval(tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1);
    if (op->options.u.depthwise_conv2d_options.depth_multiplier != 1 || (int64_t)w->dims[1] * w->dims[2] > MAX_TAPS) {
        return eval(op);
    }
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        eval_int8_m1(op);
    } else {
        eval_float_m1(op);
    }
    return TL_OK;
}

const tl_kernel tl_kernel_depthwise_conv_2d = {TL_OP_DEPTHWISE_CONV_2D, 2, 3, 1,
                                               TL_OPERATOR_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1u << 2, depthwise_conv_2d_simd_check,
                                               depthwise_conv_2d_simd_prepare, depthwise_conv_2d_simd_eval};
