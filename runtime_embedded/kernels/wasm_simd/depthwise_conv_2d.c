/* DEPTHWISE_CONV_2D, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/depthwise_conv_2d.c in
 * runtime_wasm's SIMD build). The reference check is used as is (the file is included). With depth_multiplier 1
 * (what converters emit) and at most MAX_TAPS filter taps:
 *   int8   the raw inputs times the weights, two taps per i32x4.dot_i16x8_s: the bytes of taps 2p and 2p+1 are
 *          interleaved, widened to int16 and multiplied by weights packed at bind as int16 [tap pair][channel][2];
 *          x_zp * sum(weights) is folded into the bias, and taps outside the input read a row of x_zp (adding
 *          exactly 0), so every pixel runs the same loop; sixteen channels at a time (with 8 channels and stride
 *          1, two neighbouring pixels), then eight, then one; requantized eight channels at a time (bit-exact, see
 *          wasm_simd.h).
 *   float  with finite weights, float32 lanes over the taps inside the input, + bias, activation: runs of four
 *          pixels whose taps are all inside share each weight vector (four channels at a time), other pixels take
 *          sixteen then four channels (the reference sums in double: the difference is a few float32 roundings,
 *          inside the 1e-5 bound); a non-finite weight takes the reference eval (0.0 * w over padding is NaN).
 * Other multipliers and larger filters use the reference eval.
 */
#define tl_kernel_depthwise_conv_2d tl_kernel_depthwise_conv_2d_reference
#include "../depthwise_conv_2d.c"
#undef tl_kernel_depthwise_conv_2d

#include "wasm_simd_ops.h"

#define MAX_TAPS 64 /* filters up to 8x8 take the SIMD path; larger ones the reference eval */

/* The int8 state: the requantization block (its bias array holds b - x_zp * sum_t w[t][c]), then the weights as
 * int16 [pairs][ch8][2] (pair p holds taps 2p and 2p+1, a zero weight past the last tap), then ch16 bytes of x_zp.
 * Offsets in bytes; bytes is computed in 64 bits (the SIMD paths are declined past MAX_STATE). */
typedef struct dw_layout {
    uint32_t taps, pairs, ch8, weights_at, zrow_at;
    uint64_t bytes;
} dw_layout;

#define MAX_STATE 0x10000000u /* 256 MiB */

static dw_layout layout_of(const tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1);
    const uint64_t channels = (uint64_t)w->dims[3], ch8 = (channels + 7u) & ~(uint64_t)7u;
    const uint64_t weights_at = (uint64_t)TLW_CH4(channels) * (tlw_rq_bytes(4u) / 4u);
    const uint64_t taps = (uint64_t)w->dims[1] * (uint64_t)w->dims[2], pairs = (taps + 1u) / 2u;
    const uint64_t zrow_at = weights_at + pairs * ch8 * 4u;
    dw_layout l;
    l.bytes = zrow_at + ((channels + 15u) & ~(uint64_t)15u);
    l.taps = (uint32_t)taps;
    l.pairs = (uint32_t)pairs;
    l.ch8 = (uint32_t)ch8;
    l.weights_at = (uint32_t)weights_at;
    l.zrow_at = (uint32_t)zrow_at;
    return l;
}

/* The SIMD paths apply: depth_multiplier 1, a filter of at most MAX_TAPS taps (and an int8 state that fits). */
static int simd_applies(const tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1);
    return op->options.u.depthwise_conv2d_options.depth_multiplier == 1 &&
           (int64_t)w->dims[1] * w->dims[2] <= MAX_TAPS && layout_of(op).bytes <= MAX_STATE;
}

static tl_status depthwise_conv_2d_simd_check(tl_op *op)
{
    const tl_status status = check(op);
    if (status == TL_OK && tl_input(op, 0)->dtype == TL_DTYPE_INT8 && simd_applies(op)) {
        op->state_bytes = (uint32_t)layout_of(op).bytes;
    }
    return status;
}

/* The int8 state's bias (with the zero-point term), packed weights and zero-point row from the op's tensors. */
static void pack_int8(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const dw_layout l = layout_of(op);
    const uint32_t channels = (uint32_t)w->dims[3];
    const int8_t *pw = (const int8_t *)w->data;
    int32_t *rq = (int32_t *)op->state;
    int16_t *packed = (int16_t *)(void *)((uint8_t *)op->state + l.weights_at);
    uint32_t c, t;
    TLW_NO_UNROLL
    for (c = 0; c < channels; c++) {
        uint32_t sum = 0u;
        TLW_NO_UNROLL
        for (t = 0; t < l.taps; t++) {
            const int8_t v = pw[t * channels + c];
            sum += (uint32_t)(int32_t)v;
            packed[((t / 2u) * l.ch8 + c) * 2u + (t & 1u)] = v;
        }
        rq[TLW_RQ_BIAS + c] = tl_wrap32((b ? (uint32_t)((const int32_t *)b->data)[c] : 0u) -
                                        (uint32_t)x->zero_point * sum);
    }
    tl_fill((uint8_t *)op->state + l.zrow_at, (uint8_t)(int8_t)x->zero_point, (size_t)(l.bytes - l.zrow_at));
}

static tl_status depthwise_conv_2d_simd_prepare(tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1), *b = tl_input(op, 2);
    if (tl_input(op, 0)->dtype != TL_DTYPE_INT8 || !simd_applies(op)) {
        return TL_OK;
    }
    tlw_rq_init((int32_t *)op->state, &op->qp, (uint32_t)w->dims[3]);
    if (w->is_constant && (b == NULL || b->is_constant)) {
        pack_int8(op);
    }
    return TL_OK;
}

/* The input rows of every tap of output pixel (oy, ox), batch image at address px: addr[t] is the address of the
 * tap's input pixel (channel 0), or `outside` where the tap falls outside the input. Returns 1 when every tap is
 * inside. (Addresses as integers let one table hold either addresses or offsets from a base: see int8_block16.) */
static int tap_rows(const tl_op *op, uintptr_t px, uint32_t elem, int32_t oy, int32_t ox, const uintptr_t *offset,
                    uintptr_t outside, uintptr_t *addr)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t in_h = x->dims[1], in_w = x->dims[2], k_h = w->dims[1], k_w = w->dims[2];
    const uint32_t row = (uint32_t)x->dims[3] * elem;
    const int64_t top = (int64_t)oy * o->stride_h - o->pad_top, left = (int64_t)ox * o->stride_w - o->pad_left;
    int32_t ky, kx, t = 0;
    if (top >= 0 && top + (int64_t)(k_h - 1) * o->dilation_h < in_h && left >= 0 &&
        left + (int64_t)(k_w - 1) * o->dilation_w < in_w) {
        const uintptr_t base = px + ((uint32_t)top * (uint32_t)in_w + (uint32_t)left) * row;
        TLW_NO_UNROLL
        for (t = 0; t < k_h * k_w; t++) {
            addr[t] = base + offset[t];
        }
        return 1;
    }
    TLW_NO_UNROLL
    for (ky = 0; ky < k_h; ky++) {
        const int64_t iy = top + (int64_t)ky * o->dilation_h;
        TLW_NO_UNROLL
        for (kx = 0; kx < k_w; kx++, t++) {
            const int64_t ix = left + (int64_t)kx * o->dilation_w;
            addr[t] = (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w)
                          ? outside
                          : px + ((uint32_t)iy * (uint32_t)in_w + (uint32_t)ix) * row;
        }
    }
    return 0;
}

/* offset[t]: bytes from a pixel's tap 0 to its tap t (elem bytes per value); used for pixels whose taps are all
 * inside the input, where it does not wrap. */
static void tap_offsets(const tl_op *op, uint32_t elem, uintptr_t *offset)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const uint32_t row = (uint32_t)x->dims[3] * elem;
    int32_t ky, kx, t = 0;
    TLW_NO_UNROLL
    for (ky = 0; ky < w->dims[1]; ky++) {
        TLW_NO_UNROLL
        for (kx = 0; kx < w->dims[2]; kx++, t++) {
            offset[t] = ((uint32_t)ky * (uint32_t)o->dilation_h * (uint32_t)x->dims[2] +
                         (uint32_t)kx * (uint32_t)o->dilation_w) * row;
        }
    }
}

/* [first, end): the output columns whose taps all fall inside the input's width (stride and dilation of op). */
static void inside_columns(const tl_op *op, int32_t *first, int32_t *end)
{
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int64_t reach = (int64_t)(tl_input(op, 1)->dims[2] - 1) * o->dilation_w;
    const int64_t lo = ((int64_t)o->pad_left + o->stride_w - 1) / o->stride_w;
    const int64_t room = (int64_t)tl_input(op, 0)->dims[2] + o->pad_left - reach;
    const int64_t hi = room <= 0 ? 0 : (room + o->stride_w - 1) / o->stride_w;
    const int64_t out_w = tl_output(op, 0)->dims[2];
    *first = (int32_t)(lo < out_w ? lo : out_w);
    *end = (int32_t)(hi < *first ? *first : (hi < out_w ? hi : out_w));
}

/* What the int8 pixel loops read: the requantization (see tlw_requant8), the packed weights and the shape. */
typedef struct dw_int8 {
    const int32_t *rq;
    uint32_t n4;
    int left;          /* tlw_rq_left */
    v128_t zp, lo, hi; /* the output zero point as int16 lanes, the activation bounds as int8 lanes */
    const int16_t *packed;
    uint32_t wstep;    /* int16 from one tap pair's weights to the next's */
    uint32_t pairs, taps, channels;
} dw_int8;

/* Sixteen int8 lanes: lanes 0-7 are channels c..c+7 and lanes 8-15 channels c2..c2+7 (c2 = c + 8: sixteen channels
 * of one pixel; c2 = c with 8 channels: two pixels side by side, their inputs 8 bytes apart), each of the `pairs`
 * tap pairs p read at address base + tap[2p] + at and base + tap[2p+1] + at (tap: tap_rows' addresses with base
 * 0, or offsets from a pixel at base), weights of lanes 0-7 at wp + p * wstep (int16 [8][2]) and of lanes 8-15
 * at (c2 - c) * 2 past them. Stored at dst. */
static inline void int8_block16(const uintptr_t *tap, uintptr_t base, uint32_t at, const int16_t *wp, uint32_t wstep,
                                uint32_t pairs, const dw_int8 *r, uint32_t c, uint32_t c2, int8_t *dst)
{
    const uint32_t w2 = (c2 - c) * 2u;
    v128_t a0 = wasm_v128_load(r->rq + c), a1 = wasm_v128_load(r->rq + c + 4);
    v128_t a2 = wasm_v128_load(r->rq + c2), a3 = wasm_v128_load(r->rq + c2 + 4), y0, y1;
    uint32_t p;
    _Pragma("clang loop unroll_count(2)") /* two tap pairs per iteration (a 3x3 filter has five) */
    for (p = 0; p < pairs; p++, wp += wstep) {
        const v128_t xa = wasm_v128_load((const int8_t *)(base + tap[2u * p]) + at);
        const v128_t xb = wasm_v128_load((const int8_t *)(base + tap[2u * p + 1u]) + at);
        const v128_t il = wasm_i8x16_shuffle(xa, xb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const v128_t ih = wasm_i8x16_shuffle(xa, xb, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(il), wasm_v128_load(wp)));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(il), wasm_v128_load(wp + 8)));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(ih), wasm_v128_load(wp + w2)));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(ih), wasm_v128_load(wp + w2 + 8)));
    }
    y0 = tlw_requant8(a0, a1, r->rq, r->n4, c, r->left, r->zp, r->lo, r->hi);
    y1 = tlw_requant8(a2, a3, r->rq, r->n4, c2, r->left, r->zp, r->lo, r->hi);
    wasm_v128_store(dst, wasm_i64x2_shuffle(y0, y1, 0, 2));
}

/* One output pixel, int8: py[c] from its taps at base + tap[t] (see int8_block16). */
static void int8_pixel(const tl_op *op, const uintptr_t *tap, uintptr_t base, const dw_int8 *r, int8_t *py)
{
    const uint32_t channels = r->channels;
    const int8_t *pw = (const int8_t *)tl_input(op, 1)->data;
    const tl_quant_params *q = &op->qp;
    uint32_t c = 0, p, t;
    for (; c + 16u <= channels; c += 16u) {
        int8_block16(tap, base, c, r->packed + c * 2u, r->wstep, r->pairs, r, c, c + 8u, py + c);
    }
    for (; c + 8u <= channels; c += 8u) {
        const int16_t *wp = r->packed + c * 2u;
        v128_t a0 = wasm_v128_load(r->rq + c), a1 = wasm_v128_load(r->rq + c + 4);
        for (p = 0; p < r->pairs; p++, wp += r->wstep) {
            const v128_t xa = wasm_v128_load64_zero((const int8_t *)(base + tap[2u * p]) + c);
            const v128_t xb = wasm_v128_load64_zero((const int8_t *)(base + tap[2u * p + 1u]) + c);
            const v128_t il = wasm_i8x16_shuffle(xa, xb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(il), wasm_v128_load(wp)));
            a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(il), wasm_v128_load(wp + 8)));
        }
        wasm_v128_store64_lane(py + c, tlw_requant8(a0, a1, r->rq, r->n4, c, r->left, r->zp, r->lo, r->hi), 0);
    }
    TLW_NO_UNROLL
    for (; c < channels; c++) {
        uint32_t acc = (uint32_t)r->rq[c];
        TLW_NO_UNROLL
        for (t = 0; t < r->taps; t++) {
            acc += (uint32_t)((int32_t)((const int8_t *)(base + tap[t]))[c] * (int32_t)pw[t * channels + c]);
        }
        py[c] = tl_requantize_int8(tl_wrap32(acc), q->output_multiplier[c], q->output_shift[c],
                                   tl_output(op, 0)->zero_point, q->act_min, q->act_max);
    }
}

/* The int8 path: in [N,H,W,C] int8, state as dw_layout -> out [N,OH,OW,C] int8. With 8 channels and stride 1,
 * two neighbouring pixels whose taps are all inside the input fill the sixteen lanes together. */
TLW_NOINLINE static void eval_int8(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const dw_layout l = layout_of(op);
    const int32_t batches = x->dims[0], in_h = x->dims[1], out_h = y->dims[1], out_w = y->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3];
    const uint32_t image = (uint32_t)in_h * (uint32_t)x->dims[2] * channels;
    const int64_t reach_h = (int64_t)(w->dims[1] - 1) * o->dilation_h;
    const int paired = channels == 8u && o->stride_w == 1;
    const int8_t *zrow = (const int8_t *)op->state + l.zrow_at;
    int8_t *py = (int8_t *)y->data;
    uintptr_t border[MAX_TAPS + 1], offset[MAX_TAPS + 1];
    int32_t n, oy, ox, first, end;
    dw_int8 r;
    r.rq = (const int32_t *)op->state;
    r.n4 = TLW_CH4(channels);
    r.zp = wasm_i16x8_splat((int16_t)y->zero_point);
    r.lo = wasm_i8x16_splat((int8_t)op->qp.act_min);
    r.hi = wasm_i8x16_splat((int8_t)op->qp.act_max);
    r.packed = (const int16_t *)(const void *)((const uint8_t *)op->state + l.weights_at);
    r.wstep = l.ch8 * 2u;
    r.pairs = l.pairs;
    r.taps = l.taps;
    r.channels = channels;
    if (!w->is_constant || (b != NULL && !b->is_constant)) {
        pack_int8(op);
    }
    r.left = tlw_rq_left(r.rq, r.n4);
    tap_offsets(op, 1u, offset);
    inside_columns(op, &first, &end);
    /* the second tap of an odd last pair (weight 0): the first tap's input inside, the x_zp row at the border */
    offset[l.taps] = 0u;
    border[l.taps] = (uintptr_t)zrow;
    for (n = 0; n < batches; n++) {
        const uint8_t *px = (const uint8_t *)x->data + (size_t)n * image;
        for (oy = 0; oy < out_h; oy++) {
            const int64_t top = (int64_t)oy * o->stride_h - o->pad_top;
            const int rows_inside = top >= 0 && top + reach_h < in_h;
            for (ox = 0; ox < out_w;) {
                uint32_t done = 1u;
                if (rows_inside && ox >= first && ox < end) { /* taps at offsets from the pixel's first */
                    const uintptr_t at = (uintptr_t)(px + ((uint32_t)top * (uint32_t)x->dims[2] +
                                                           (uint32_t)((int64_t)ox * o->stride_w - o->pad_left)) *
                                                              channels);
                    if (paired && ox + 2 <= end) {
                        int8_block16(offset, at, 0u, r.packed, r.wstep, r.pairs, &r, 0u, 0u, py);
                        done = 2u;
                    } else {
                        int8_pixel(op, offset, at, &r, py);
                    }
                } else {
                    (void)tap_rows(op, (uintptr_t)px, 1u, oy, ox, offset, (uintptr_t)zrow, border);
                    int8_pixel(op, border, 0u, &r, py);
                }
                ox += (int32_t)done;
                py += done * channels;
            }
        }
    }
}

/* The float32 bias + activation of four channels and their store. */
static inline void float_store4(float *dst, v128_t acc, const float *pb, uint32_t c, int32_t activation)
{
    if (pb) {
        acc = wasm_f32x4_add(acc, wasm_v128_load(pb + c));
    }
    wasm_v128_store(dst + c, tlw_activate_f32x4(acc, activation));
}

/* One output pixel, float32: py[c] over the taps k < count, input at address x[k] (channel 0), weights w[k] ([C]). */
static void float_pixel(const uintptr_t *x, const float *const *w, uint32_t count, uint32_t channels,
                        const float *pb, int32_t activation, float *py)
{
    const v128_t zero = wasm_f32x4_splat(0.0f);
    uint32_t c = 0, k;
    for (; c + 16u <= channels; c += 16u) {
        v128_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        TLW_NO_UNROLL
        for (k = 0; k < count; k++) {
            const float *xr = (const float *)x[k] + c, *wr = w[k] + c;
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xr), wasm_v128_load(wr)));
            a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xr + 4), wasm_v128_load(wr + 4)));
            a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xr + 8), wasm_v128_load(wr + 8)));
            a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xr + 12), wasm_v128_load(wr + 12)));
        }
        float_store4(py, a0, pb, c, activation);
        float_store4(py, a1, pb, c + 4, activation);
        float_store4(py, a2, pb, c + 8, activation);
        float_store4(py, a3, pb, c + 12, activation);
    }
    for (; c + 4u <= channels; c += 4u) {
        v128_t a0 = zero;
        TLW_NO_UNROLL
        for (k = 0; k < count; k++) {
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load((const float *)x[k] + c), wasm_v128_load(w[k] + c)));
        }
        float_store4(py, a0, pb, c, activation);
    }
    TLW_NO_UNROLL
    for (; c < channels; c++) {
        double s = 0.0;
        TLW_NO_UNROLL
        for (k = 0; k < count; k++) {
            s += (double)((const float *)x[k])[c] * (double)w[k][c];
        }
        py[c] = tl_activate_float((float)(s + (pb ? (double)pb[c] : 0.0)), activation);
    }
}

/* Four neighbouring output pixels whose taps are all inside the input, float32: py[j * C + c] for j < 4, pixel j's
 * tap t at x + j * step + offset[t] (floats). Four channels at a time, each weight vector used by the four. */
TLW_NOINLINE static void float_quad(const float *x, uint32_t step, const uintptr_t *offset, const float *const *w,
                                    uint32_t taps, uint32_t channels, const float *pb, int32_t activation, float *py)
{
    const v128_t zero = wasm_f32x4_splat(0.0f);
    uint32_t c = 0, t;
    for (; c + 4u <= channels; c += 4u) {
        v128_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        TLW_NO_UNROLL
        for (t = 0; t < taps; t++) {
            const float *xr = x + offset[t] + c;
            const v128_t wv = wasm_v128_load(w[t] + c);
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xr), wv));
            a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xr + step), wv));
            a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xr + 2u * step), wv));
            a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xr + 3u * step), wv));
        }
        float_store4(py, a0, pb, c, activation);
        float_store4(py + channels, a1, pb, c, activation);
        float_store4(py + 2u * channels, a2, pb, c, activation);
        float_store4(py + 3u * channels, a3, pb, c, activation);
    }
    if (c < channels) { /* the channels past the last four, pixel by pixel */
        uintptr_t ptr[MAX_TAPS];
        const float *wc[MAX_TAPS];
        uint32_t j;
        TLW_NO_UNROLL
        for (t = 0; t < taps; t++) {
            wc[t] = w[t] + c;
        }
        TLW_NO_UNROLL
        for (j = 0; j < 4u; j++) {
            TLW_NO_UNROLL
            for (t = 0; t < taps; t++) {
                ptr[t] = (uintptr_t)(x + j * step + offset[t] + c);
            }
            float_pixel(ptr, wc, taps, channels - c, pb ? pb + c : NULL, activation, py + j * channels + c);
        }
    }
}

/* The float path: in [N,H,W,C] float32 -> out [N,OH,OW,C] float32, over the taps inside the input only. */
TLW_NOINLINE static void eval_float(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], out_h = y->dims[1], out_w = y->dims[2];
    const uint32_t channels = (uint32_t)x->dims[3], taps = (uint32_t)w->dims[1] * (uint32_t)w->dims[2];
    const uint32_t image = (uint32_t)in_h * (uint32_t)x->dims[2] * channels;
    const uint32_t step = (uint32_t)o->stride_w * channels;
    const int64_t reach_h = (int64_t)(w->dims[1] - 1) * o->dilation_h;
    const float *pw = (const float *)w->data, *pb = b ? (const float *)b->data : NULL;
    float *py = (float *)y->data;
    uintptr_t ptr[MAX_TAPS], offset[MAX_TAPS], offset_f[MAX_TAPS];
    const float *w_all[MAX_TAPS], *w_inside[MAX_TAPS];
    int32_t n, oy, ox, first, end;
    uint32_t t, count;
    tap_offsets(op, 4u, offset);
    tap_offsets(op, 1u, offset_f);
    inside_columns(op, &first, &end);
    TLW_NO_UNROLL
    for (t = 0; t < taps; t++) {
        w_all[t] = pw + t * channels;
    }
    for (n = 0; n < batches; n++) {
        const float *image_x = (const float *)x->data + (size_t)n * image;
        for (oy = 0; oy < out_h; oy++) {
            const int64_t top = (int64_t)oy * o->stride_h - o->pad_top;
            const int rows_inside = top >= 0 && top + reach_h < in_h;
            for (ox = 0; ox < out_w;) {
                if (rows_inside && ox >= first && ox + 4 <= end) {
                    const float *at = image_x + ((uint32_t)top * (uint32_t)x->dims[2] +
                                                 (uint32_t)((int64_t)ox * o->stride_w - o->pad_left)) * channels;
                    float_quad(at, step, offset_f, w_all, taps, channels, pb, o->activation, py);
                    ox += 4;
                    py += 4u * channels;
                    continue;
                }
                count = taps;
                if (!tap_rows(op, (uintptr_t)image_x, 4u, oy, ox, offset, 0u, ptr)) {
                    TLW_NO_UNROLL
                    for (t = 0, count = 0; t < taps; t++) { /* keep the taps inside, in order */
                        if (ptr[t] != 0u) {
                            ptr[count] = ptr[t];
                            w_inside[count++] = w_all[t];
                        }
                    }
                }
                float_pixel(ptr, count == taps ? w_all : w_inside, count, channels, pb, o->activation, py);
                ox++;
                py += channels;
            }
        }
    }
}

/* 1 when every float32 weight is finite: only then is 0.0 * w zero, so that the float path may leave out the taps
 * over padding (the reference eval adds them, giving NaN for an infinite or NaN weight there). */
static int weights_finite(const tl_tensor *w)
{
    const float *pw = (const float *)w->data;
    v128_t bad = wasm_i32x4_splat(0);
    uint32_t i;
    for (i = 0; i + 4u <= w->elements; i += 4) {
        const v128_t v = wasm_v128_load(pw + i);
        bad = wasm_v128_or(bad, wasm_f32x4_ne(wasm_f32x4_sub(v, v), wasm_f32x4_splat(0.0f)));
    }
    for (; i < w->elements; i++) {
        if (pw[i] - pw[i] != 0.0f) {
            return 0;
        }
    }
    return !wasm_v128_any_true(bad);
}

static tl_status depthwise_conv_2d_simd_eval(tl_op *op)
{
    if (!simd_applies(op) || (tl_input(op, 0)->dtype != TL_DTYPE_INT8 && !weights_finite(tl_input(op, 1)))) {
        return eval(op);
    }
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        eval_int8(op);
    } else {
        eval_float(op);
    }
    return TL_OK;
}

const tl_kernel tl_kernel_depthwise_conv_2d = {TL_OP_DEPTHWISE_CONV_2D, 2, 3, 1,
                                               TL_OPERATOR_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1u << 2,
                                               depthwise_conv_2d_simd_check, depthwise_conv_2d_simd_prepare,
                                               depthwise_conv_2d_simd_eval};
