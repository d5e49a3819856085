/* CONV_2D, WebAssembly SIMD128 variant (runtime_wasm's SIMD build: kernels/wasm_simd/ replaces kernels/conv_2d.c).
 *
 * The reference kernel's check is used as is (the file is included); eval is the GEMM of tlw_gemm.h over the output
 * pixels, four at a time, with the weights packed into panels at bind (at each eval when they are given at run
 * time). The input image is copied into the state with its padding around it (int8: widened to int16, padding the
 * input zero point, whose product cancels against the zero-point term x_zp * sum(w) folded into the bias by
 * tlw_rq_bias; float: padding 0.0, whose products are then exactly 0); the GEMM then reads each pixel's window in
 * place from that copy, one run of KW*Ci values per filter row (KW runs of Ci with horizontal dilation). Int8 is
 * bit-exact with the reference (see wasm_simd.h), the requantization fused. Float padding is multiplied as 0.0, as
 * the reference interpreter's im2col does (a non-finite weight then gives NaN there too); 1x1 unpadded float convs
 * read the input itself.
 * Int8 output channels whose weights are all 0 (pruned channels) have a constant output, computed at bind: when
 * leaving them out saves GEMM blocks, the GEMM runs over the other channels only, into a few compact rows, and each
 * output row is put together sixteen channels at a time (a swizzle of the compact row, blended with the constants).
 */
#define tl_kernel_conv_2d tl_kernel_conv_2d_reference
#include "../conv_2d.c"
#undef tl_kernel_conv_2d

#include "tlw_gemm.h"

/* The state: [int8: rq block][panel][run offsets][padded image + TLW_SLACK values] (no image for a float conv
 * that reads the input itself), then for int8 the compaction of pruned channels: [live: the GEMM's channels, one
 * uint32 each, in order][chunks: a chunk_map per sixteen output channels][rows: TLW_ROWS compact int8 rows + 16]
 * [the count of live channels, uint32 (the channel count when nothing is left out)]. Offsets are multiples of 16. */
typedef struct conv_layout {
    uint64_t panel, offsets, image, live, chunks, rows, count, bytes;
    uint64_t padded_w, padded_h; /* the padded image's width and height */
    uint32_t runs, run;          /* a window: `runs` runs of `run` values */
} conv_layout;

static uint64_t align16(uint64_t n)
{
    return (n + 15u) & ~(uint64_t)15u;
}

/* Output channels 16k..16k+15 from a compact row: lane j is compact value from + index[j] where keep[j] is all
 * ones, else value[j] (a pruned channel's constant output). */
typedef struct chunk_map {
    int8_t index[16], keep[16], value[16];
    uint32_t from, pad[3];
} chunk_map;

static int is_pointwise(const tl_tensor *w, const tl_conv2d_options *o)
{
    return w->dims[1] == 1 && w->dims[2] == 1 && o->pad_top == 0 && o->pad_bottom == 0 && o->pad_left == 0 &&
           o->pad_right == 0;
}

/* Float convs read the input in place when it needs no padding copy. */
static int float_in_place(const tl_op *op)
{
    return tl_input(op, 0)->dtype != TL_DTYPE_INT8 && is_pointwise(tl_input(op, 1), &op->options.u.conv2d_options);
}

static conv_layout layout_of(const tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const uint64_t channels = (uint64_t)w->dims[0], in_c = (uint64_t)x->dims[3];
    const uint64_t depth = (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * in_c;
    const uint64_t value = x->dtype == TL_DTYPE_INT8 ? 2u : 4u;
    conv_layout l;
    l.padded_h = (uint64_t)x->dims[1] + (uint64_t)o->pad_top + (uint64_t)o->pad_bottom;
    l.padded_w = (uint64_t)x->dims[2] + (uint64_t)o->pad_left + (uint64_t)o->pad_right;
    l.runs = (uint32_t)(o->dilation_w == 1 ? w->dims[1] : w->dims[1] * w->dims[2]);
    l.run = (uint32_t)(o->dilation_w == 1 ? (uint64_t)w->dims[2] * in_c : in_c);
    if (x->dtype == TL_DTYPE_INT8) {
        l.panel = align16(tlw_rq_bytes((uint32_t)channels));
        l.offsets = l.panel + align16(tlw_panel_i8_bytes(channels, l.runs, l.run));
    } else {
        l.panel = 0;
        l.offsets = l.panel + align16(tlw_panel_f32_bytes(channels, depth));
    }
    l.image = l.offsets + align16(4u * (uint64_t)l.runs);
    l.live = l.image + align16(float_in_place(op) ? 0u : value * (l.padded_h * l.padded_w * in_c + TLW_SLACK));
    l.chunks = l.live + (x->dtype == TL_DTYPE_INT8 ? align16(4u * channels) : 0u);
    l.rows = l.chunks + (x->dtype == TL_DTYPE_INT8 ? sizeof(chunk_map) * ((channels + 15u) / 16u) : 0u);
    l.count = l.rows + (x->dtype == TL_DTYPE_INT8 ? align16(TLW_ROWS * channels + 16u) : 0u);
    l.bytes = l.count + (x->dtype == TL_DTYPE_INT8 ? 16u : 0u);
    return l;
}

static tl_status conv_2d_simd_check(tl_op *op)
{
    const tl_status status = check(op);
    return status != TL_OK ? status : tlw_request_state(op, layout_of(op).bytes);
}

static void *state_at(const tl_op *op, uint64_t offset)
{
    return (uint8_t *)op->state + offset;
}

/* 1 when row c of the int8 weights [channels][depth] is all zeros. */
static int pruned(const int8_t *w, uint32_t c, uint32_t depth)
{
    uint32_t k;
    for (k = 0; k < depth; k++) {
        if (w[(size_t)c * depth + k] != 0) {
            return 0;
        }
    }
    return 1;
}

/* The chunk maps of the output channels from live (the `count` live channels, in order); a pruned channel's output
 * is the requantized bias, clamped. */
static void map_chunks(tl_op *op, const conv_layout *l, const uint32_t *live, uint32_t count)
{
    const tl_tensor *w = tl_input(op, 1), *b = tl_input(op, 2);
    const uint32_t channels = (uint32_t)w->dims[0];
    chunk_map *chunks = (chunk_map *)state_at(op, l->chunks);
    uint32_t c, next = 0;
    tl_fill(chunks, 0, sizeof(chunk_map) * ((channels + 15u) / 16u));
    for (c = 0; c < channels; c++) {
        chunk_map *k = chunks + c / 16u;
        if (c % 16u == 0) {
            k->from = next;
        }
        if (next < count && live[next] == c) {
            k->index[c % 16u] = (int8_t)(next++ - k->from);
            k->keep[c % 16u] = -1;
        } else {
            k->value[c % 16u] = tl_requantize_int8(b ? ((const int32_t *)b->data)[c] : 0, op->qp.output_multiplier[c],
                                                   op->qp.output_shift[c], tl_output(op, 0)->zero_point,
                                                   op->qp.act_min, op->qp.act_max);
        }
    }
}

/* Int8: pack the panel, the requantization block with the zero-point term folded into the bias, over the channels
 * whose weights are not all 0 when that saves GEMM blocks, else over every channel (at bind, or at eval for
 * run-time weights). */
static void pack_int8(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const conv_layout l = layout_of(op);
    const uint32_t channels = (uint32_t)w->dims[0], depth = l.runs * l.run;
    const int8_t *pw = (const int8_t *)w->data;
    uint32_t *live = (uint32_t *)state_at(op, l.live), *count = (uint32_t *)state_at(op, l.count);
    const uint32_t *map = live;
    uint32_t c;
    *count = 0;
    for (c = 0; c < channels; c++) {
        if (!pruned(pw, c, depth)) {
            live[(*count)++] = c;
        }
    }
    if (TLW_CH8(*count) < TLW_CH8(channels)) {
        map_chunks(op, &l, live, *count);
    } else {
        *count = channels;
        map = NULL;
    }
    tlw_rq_init_map((int32_t *)op->state, &op->qp, *count, map);
    tlw_pack_i8((int16_t *)state_at(op, l.panel), pw, *count, l.runs, l.run, map);
    tlw_rq_bias((int32_t *)op->state, pw, b ? (const int32_t *)b->data : NULL, *count, depth, x->zero_point, map);
}

/* Output row y [channels] from the compact row src (chunk maps of op at l). */
static void scatter_row(const tl_op *op, const conv_layout *l, const int8_t *src, int8_t *y, uint32_t channels)
{
    const chunk_map *k = (const chunk_map *)state_at(op, l->chunks);
    uint32_t c, i;
    for (c = 0; c < channels; c += 16u, k++) {
        const v128_t v = wasm_v128_bitselect(wasm_i8x16_swizzle(wasm_v128_load(src + k->from),
                                                                wasm_v128_load(k->index)),
                                             wasm_v128_load(k->value), wasm_v128_load(k->keep));
        if (c + 16u <= channels) {
            wasm_v128_store(y + c, v);
        } else {
            int8_t tmp[16];
            wasm_v128_store(tmp, v);
            for (i = 0; c + i < channels; i++) {
                y[c + i] = tmp[i];
            }
        }
    }
}

static tl_status conv_2d_simd_prepare(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const conv_layout l = layout_of(op);
    const uint32_t channels = (uint32_t)w->dims[0], in_c = (uint32_t)x->dims[3];
    const uint64_t image = l.padded_h * l.padded_w * in_c + TLW_SLACK;
    uint32_t *offsets = (uint32_t *)state_at(op, l.offsets);
    uint32_t j;
    for (j = 0; j < l.runs; j++) {
        const uint32_t ky = o->dilation_w == 1 ? j : j / (uint32_t)w->dims[2];
        const uint32_t kx = o->dilation_w == 1 ? 0u : j % (uint32_t)w->dims[2];
        offsets[j] = ((uint32_t)ky * (uint32_t)o->dilation_h * (uint32_t)l.padded_w + kx * (uint32_t)o->dilation_w) *
                     in_c;
    }
    if (x->dtype != TL_DTYPE_INT8) {
        if (w->is_constant) {
            tlw_pack_f32((float *)state_at(op, l.panel), (const float *)w->data, channels, l.runs * l.run);
        }
        return TL_OK; /* the state is zeroed: the padding of the float image is 0.0 already */
    }
    tlw_fill16((int16_t *)state_at(op, l.image), (int16_t)x->zero_point, (uint32_t)image);
    if (w->is_constant && (b == NULL || b->is_constant)) {
        pack_int8(op);
    }
    return TL_OK;
}

/* dst[0..n) = src[0..n) (tl_copy goes byte by byte). */
static void copy_floats(float *dst, const float *src, uint32_t n)
{
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        wasm_v128_store(dst + i, wasm_v128_load(src + i));
    }
    for (; i < n; i++) {
        dst[i] = src[i];
    }
}

/* Copy batch n of the input into the interior of the padded image (its padding was written at bind). */
static void fill_image(const tl_op *op, const conv_layout *l, uint32_t n)
{
    const tl_tensor *x = tl_input(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const uint32_t in_h = (uint32_t)x->dims[1], row = (uint32_t)x->dims[2] * (uint32_t)x->dims[3];
    const uint32_t pitch = (uint32_t)l->padded_w * (uint32_t)x->dims[3];
    const uint32_t first = ((uint32_t)o->pad_top * (uint32_t)l->padded_w + (uint32_t)o->pad_left) *
                           (uint32_t)x->dims[3];
    const size_t at = (size_t)n * in_h * row;
    uint32_t iy;
    if (x->dtype == TL_DTYPE_INT8) {
        int16_t *dst = (int16_t *)state_at(op, l->image) + first;
        if (pitch == row) {
            tlw_widen(dst, (const int8_t *)x->data + at, in_h * row);
            return;
        }
        for (iy = 0; iy < in_h; iy++) {
            tlw_widen(dst + (size_t)iy * pitch, (const int8_t *)x->data + at + (size_t)iy * row, row);
        }
    } else {
        float *dst = (float *)state_at(op, l->image) + first;
        for (iy = 0; iy < in_h; iy++) {
            copy_floats(dst + (size_t)iy * pitch, (const float *)x->data + at + (size_t)iy * row, row);
        }
    }
}

/* The GEMM rows of output pixels p..p+count-1 of one image: their windows' top-left values in an image of
 * `pitch` values per row (bases as offsets, in values). */
static void window_bases(const tl_op *op, uint32_t p, uint32_t count, uint32_t pitch, uint32_t *bases)
{
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const uint32_t out_w = (uint32_t)tl_output(op, 0)->dims[2], in_c = (uint32_t)tl_input(op, 0)->dims[3];
    uint32_t oy = p / out_w, ox = p % out_w, t;
    for (t = 0; t < count; t++) {
        bases[t] = oy * (uint32_t)o->stride_h * pitch + ox * (uint32_t)o->stride_w * in_c;
        if (++ox == out_w) {
            ox = 0;
            oy++;
        }
    }
}

static tl_status eval_int8_simd(tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const conv_layout l = layout_of(op);
    const uint32_t channels = (uint32_t)w->dims[0];
    int8_t *rows = (int8_t *)state_at(op, l.rows);
    uint32_t count;
    const uint32_t plane = (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const uint32_t pitch = (uint32_t)l.padded_w * (uint32_t)tl_input(op, 0)->dims[3];
    const int16_t *panel = (const int16_t *)state_at(op, l.panel), *image = (const int16_t *)state_at(op, l.image);
    tlw_runs runs;
    uint32_t n, p, t, at[TLW_ROWS];
    const int16_t *bases[TLW_ROWS];
    runs.offsets = (const uint32_t *)state_at(op, l.offsets);
    runs.runs = l.runs;
    runs.run = l.run;
    if (!w->is_constant || (b != NULL && !b->is_constant)) {
        pack_int8(op);
    }
    count = *(const uint32_t *)state_at(op, l.count);
    for (n = 0; n < (uint32_t)y->dims[0]; n++) {
        fill_image(op, &l, n);
        for (p = 0; p < plane; p += TLW_ROWS) {
            const uint32_t pixels = plane - p < TLW_ROWS ? plane - p : TLW_ROWS;
            int8_t *py = (int8_t *)y->data + ((size_t)n * plane + p) * channels;
            window_bases(op, p, pixels, pitch, at);
            for (t = 0; t < pixels; t++) {
                bases[t] = image + at[t];
            }
            tlw_gemm_i8(bases, pixels, &runs, panel, (const int32_t *)op->state, count, count < channels ? rows : py,
                        y->zero_point, op->qp.act_min, op->qp.act_max);
            for (t = 0; count < channels && t < pixels; t++) {
                scatter_row(op, &l, rows + (size_t)t * count, py + (size_t)t * channels, channels);
            }
        }
    }
    return TL_OK;
}

/* Float32: the GEMM over the packed panel (packed here for run-time weights), four pixels at a time, reading the
 * padded image (or the input itself). */
static void eval_float_gemm(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const conv_layout l = layout_of(op);
    const uint32_t channels = (uint32_t)w->dims[0];
    const uint32_t plane = (uint32_t)y->dims[1] * (uint32_t)y->dims[2];
    const uint32_t pitch = (uint32_t)l.padded_w * (uint32_t)x->dims[3];
    const uint32_t image_size = (uint32_t)x->dims[1] * (uint32_t)x->dims[2] * (uint32_t)x->dims[3];
    const int in_place = float_in_place(op);
    tlw_runs runs;
    uint32_t n, p, t, at[TLW_ROWS];
    const float *bases[TLW_ROWS];
    runs.offsets = (const uint32_t *)state_at(op, l.offsets);
    runs.runs = l.runs;
    runs.run = l.run;
    if (!w->is_constant) {
        tlw_pack_f32((float *)state_at(op, l.panel), (const float *)w->data, channels, l.runs * l.run);
    }
    for (n = 0; n < (uint32_t)y->dims[0]; n++) {
        const float *image = in_place ? (const float *)x->data + (size_t)n * image_size
                                      : (const float *)state_at(op, l.image);
        if (!in_place) {
            fill_image(op, &l, n);
        }
        for (p = 0; p < plane; p += TLW_ROWS) {
            const uint32_t count = plane - p < TLW_ROWS ? plane - p : TLW_ROWS;
            window_bases(op, p, count, pitch, at);
            for (t = 0; t < count; t++) {
                bases[t] = image + at[t];
            }
            tlw_gemm_f32(bases, count, &runs, (const float *)state_at(op, l.panel), b ? (const float *)b->data : NULL,
                         channels, (float *)y->data + ((size_t)n * plane + p) * channels,
                         op->options.u.conv2d_options.activation);
        }
    }
}

static tl_status conv_2d_simd_eval(tl_op *op)
{
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        return eval_int8_simd(op);
    }
    eval_float_gemm(op);
    return TL_OK;
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2,
                                     conv_2d_simd_check, conv_2d_simd_prepare, conv_2d_simd_eval};
