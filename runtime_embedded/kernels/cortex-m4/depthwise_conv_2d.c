/* DEPTHWISE_CONV_2D, Cortex-M4 (DSP extension) variant: replaces kernels/depthwise_conv_2d.c in the cortex-m4
 * builds.
 *
 * The reference kernel is included as is (renamed): its check is this kernel's check, and its eval runs float32,
 * depth_multiplier > 1, fewer than 4 channels, filters of more than TL_CM4_DW_TAPS taps and windows too large for
 * the stack buffer.
 * Int8 with depth_multiplier 1 goes 4 channels at a time. Their weights for every tap are widened once to int16
 * pairs (8 bytes a tap, on the stack). The output is cut into tiles (the whole image when it fits) whose padded
 * input window, widened to int16 x - x_zp pairs with the padding written as 0, fits TL_CM4_DW_SCRATCH bytes of stack
 * (a pad adds (x_zp - x_zp) * w = 0 where the reference skips it: the same int32 sum). Every output pixel then takes,
 * per tap, two words of input pairs and two of weight pairs into SMLABB/SMLATT (3x3 unrolled), is requantized
 * (cm4_dsp.h, bit-exact tl_mbqm) and stored as one word. Channels past the last multiple of 4 are taken as part
 * of the last 4 (fewer than 4 channels run the reference). No arena state.
 */
#define tl_kernel_depthwise_conv_2d tl_kernel_depthwise_conv_2d_reference
#include "../depthwise_conv_2d.c"
#undef tl_kernel_depthwise_conv_2d

#include <stddef.h>

#include "cm4_dsp.h"

#ifndef TL_CM4_DW_TAPS
#define TL_CM4_DW_TAPS 25 /* most taps (KH * KW) of the fast path: 8 bytes of stack each */
#endif
#ifndef TL_CM4_DW_SCRATCH
#define TL_CM4_DW_SCRATCH 1024 /* bytes of stack for a tile's widened input (8 per input position) */
#endif

/* The op's geometry */
typedef struct dw_geometry {
    const tl_depthwise_conv2d_options *o;
    int32_t in_h, in_w, ch, k_h, k_w, out_h, out_w;
    uint32_t span_h, span_w;    /* input rows and columns under one window */
    uint32_t tile_h, tile_w;    /* output rows and columns per tile */
} dw_geometry;

/* A channel group's constants: its widened weights, then its bias and requantization (dw_pixel3x3 reads them at
 * fixed offsets: keep the layout) */
typedef struct dw_block {
    uint32_t wq[2 * TL_CM4_DW_TAPS]; /* tap t: (w0, w2), (w1, w3) as int16 pairs */
    int32_t bias[4], mult[4], round[4], right[4], shift[4];
    int32_t y_zp;
    uint32_t lo4, hi4;
    int fast;                        /* every shift <= -2: round = 2^(-shift-2), right = -shift-1 */
} dw_block;

#define TL_CM4_DW_PARAMS (8 * TL_CM4_DW_TAPS) /* offset of bias in dw_block */
typedef char tl_cm4_dw_layout[offsetof(dw_block, bias) == TL_CM4_DW_PARAMS &&
                                      offsetof(dw_block, y_zp) == TL_CM4_DW_PARAMS + 80 &&
                                      offsetof(dw_block, lo4) == TL_CM4_DW_PARAMS + 84 ? 1 : -1];

/* One tap: the widened input words x[0] (channels 0, 2), x[1] (1, 3), the widened weights w[0], w[1] */
#define TL_CM4_DW_TAP(x, w)                                                                                         \
    do {                                                                                                            \
        const uint32_t x02_ = (x)[0], x13_ = (x)[1], w02_ = (w)[0], w13_ = (w)[1];                                  \
        a[0] = tl_cm4_smlabb(x02_, w02_, a[0]);                                                                     \
        a[2] = tl_cm4_smlatt(x02_, w02_, a[2]);                                                                     \
        a[1] = tl_cm4_smlabb(x13_, w13_, a[1]);                                                                     \
        a[3] = tl_cm4_smlatt(x13_, w13_, a[3]);                                                                     \
    } while (0)

#if TL_CM4_ASM_LOOPS
#define TL_CM4_STR_(x) #x
#define TL_CM4_STR(x) TL_CM4_STR_(x)
/* One output pixel of 4 channels for a 3x3 window (dilation 1, every shift <= -2): x its widened input window
 * (row = bytes between input rows), p the channel group, y the output: the C of dw_row and dw_store, with the
 * registers laid out by hand */
static inline __attribute__((always_inline)) void dw_pixel3x3(const uint32_t *x, uint32_t row, const dw_block *p,
                                                              int8_t *y)
{
    int32_t a0, a1, a2, a3;
    uint32_t x02, x13, w02, w13;
    const uint32_t *r = x;
#define TL_CM4_DW_ASM_TAP(xo, wo)                                                                                   \
    "ldrd %[x02], %[x13], [%[r], #" #xo "]\n\t"                                                                     \
    "ldrd %[w02], %[w13], [%[p], #" #wo "]\n\t"                                                                     \
    "smlabb %[a0], %[x02], %[w02], %[a0]\n\t"                                                                       \
    "smlatt %[a2], %[x02], %[w02], %[a2]\n\t"                                                                       \
    "smlabb %[a1], %[x13], %[w13], %[a1]\n\t"                                                                       \
    "smlatt %[a3], %[x13], %[w13], %[a3]\n\t"
    /* requantize a (channel j): cm4_dsp.h's tl_cm4_rq; lo/hi in x02/x13, the parameters in w02/w13 */
#define TL_CM4_DW_ASM_RQ(a, j)                                                                                      \
    "and %[x02], %[" #a "], #0x80000000\n\t"                                                                        \
    "orr %[x02], %[x02], #0x40000000\n\t"                                                                           \
    "ldr %[w13], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 32 + 4 * j) "]\n\t"                                        \
    "add %[x13], %[w13], %[" #a "], asr #31\n\t"                                                                    \
    "ldr %[w02], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 16 + 4 * j) "]\n\t"                                        \
    "smlal %[x02], %[x13], %[" #a "], %[w02]\n\t"                                                                   \
    "ldr %[w13], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 48 + 4 * j) "]\n\t"                                        \
    "asr %[" #a "], %[x13], %[w13]\n\t"
    __asm__ volatile(
        "ldrd %[a0], %[a1], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS) "]\n\t"
        "ldrd %[a2], %[a3], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 8) "]\n\t"
        TL_CM4_DW_ASM_TAP(0, 0) TL_CM4_DW_ASM_TAP(8, 8) TL_CM4_DW_ASM_TAP(16, 16)
        "add %[r], %[r], %[row]\n\t"
        TL_CM4_DW_ASM_TAP(0, 24) TL_CM4_DW_ASM_TAP(8, 32) TL_CM4_DW_ASM_TAP(16, 40)
        "add %[r], %[r], %[row]\n\t"
        TL_CM4_DW_ASM_TAP(0, 48) TL_CM4_DW_ASM_TAP(8, 56) TL_CM4_DW_ASM_TAP(16, 64)
        TL_CM4_DW_ASM_RQ(a0, 0) TL_CM4_DW_ASM_RQ(a1, 1) TL_CM4_DW_ASM_RQ(a2, 2) TL_CM4_DW_ASM_RQ(a3, 3)
        "ldr %[w02], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 80) "]\n\t" /* y_zp */
        "add %[a0], %[a0], %[w02]\n\t"
        "add %[a1], %[a1], %[w02]\n\t"
        "add %[a2], %[a2], %[w02]\n\t"
        "add %[a3], %[a3], %[w02]\n\t"
        "ssat %[a0], #8, %[a0]\n\t"
        "ssat %[a1], #8, %[a1]\n\t"
        "ssat %[a2], #8, %[a2]\n\t"
        "ssat %[a3], #8, %[a3]\n\t"
        "bfi %[a0], %[a1], #8, #8\n\t"
        "bfi %[a0], %[a2], #16, #8\n\t"
        "bfi %[a0], %[a3], #24, #8\n\t"
        "ldrd %[w02], %[w13], [%[p], #" TL_CM4_STR(TL_CM4_DW_PARAMS + 84) "]\n\t" /* lo4, hi4 */
        "ssub8 %[x02], %[a0], %[w02]\n\t"
        "sel %[a0], %[a0], %[w02]\n\t"
        "ssub8 %[x02], %[a0], %[w13]\n\t"
        "sel %[a0], %[w13], %[a0]\n\t"
        "str %[a0], [%[y]]"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [r] "+&r"(r), [x02] "=&r"(x02),
          [x13] "=&r"(x13), [w02] "=&r"(w02), [w13] "=&r"(w13)
        : [p] "r"(p), [row] "r"(row), [y] "r"(y)
        : "cc", "memory");
#undef TL_CM4_DW_ASM_TAP
#undef TL_CM4_DW_ASM_RQ
}
#endif

/* 4 accumulators -> 4 output bytes at y */
static inline __attribute__((always_inline)) void dw_store(const dw_block *p, const tl_quant_params *q,
                                                           const int32_t *a, int8_t *y)
{
    if (p->fast) {
        const uint32_t out = tl_cm4_pack4(
            tl_cm4_rq(a[0], p->mult[0], p->shift[0]) + p->y_zp, tl_cm4_rq(a[1], p->mult[1], p->shift[1]) + p->y_zp,
            tl_cm4_rq(a[2], p->mult[2], p->shift[2]) + p->y_zp, tl_cm4_rq(a[3], p->mult[3], p->shift[3]) + p->y_zp,
            p->lo4, p->hi4);
        __builtin_memcpy(y, &out, 4);
    } else {
        uint32_t j;
        for (j = 0; j < 4; j++) {
            y[j] = tl_cm4_rq_any(a[j], p->mult[j], p->shift[j], p->y_zp, q->act_min, q->act_max);
        }
    }
}

/* The pixels of one output row of a tile: pixel i's tap (ky, kx) at buf + 2 * (ky * dilation_h * cols +
 * i * stride_w + kx * dilation_w); y the first output, y_next between them */
static void dw_row(const dw_geometry *g, const dw_block *p, const tl_quant_params *q, const uint32_t *buf,
                   uint32_t cols, int8_t *y, uint32_t y_next, uint32_t n)
{
    const tl_depthwise_conv2d_options *o = g->o;
    const uint32_t step = 2u * (uint32_t)o->stride_w, row = 2u * cols * (uint32_t)o->dilation_h;
    const uint32_t tap = 2u * (uint32_t)o->dilation_w;
    uint32_t i;
#if TL_CM4_ASM_LOOPS
    if (p->fast && g->k_h == 3 && g->k_w == 3 && tap == 2) {
        for (i = 0; i < n; i++, buf += step, y += y_next) {
            dw_pixel3x3(buf, 4u * row, p, y);
        }
        return;
    }
#endif
    for (i = 0; i < n; i++, buf += step, y += y_next) {
        const uint32_t *wq = p->wq, *r = buf;
        int32_t a[4], ky, kx;
        a[0] = p->bias[0];
        a[1] = p->bias[1];
        a[2] = p->bias[2];
        a[3] = p->bias[3];
        for (ky = 0; ky < g->k_h; ky++, r += row) {
            const uint32_t *x = r;
            for (kx = 0; kx < g->k_w; kx++, x += tap, wq += 2) {
                TL_CM4_DW_TAP(x, wq);
            }
        }
        dw_store(p, q, a, y);
    }
}

/* Widen rows [iy0, iy0 + rows) x columns [ix0, ix0 + cols) of the input (channels c..c+3 of image x, at x) into
 * buf, 2 words a position, 0 outside the input */
static void dw_widen(const dw_geometry *g, const int8_t *x, int64_t iy0, int64_t ix0, uint32_t rows, uint32_t cols,
                     uint32_t nzp, uint32_t *buf)
{
    const uint32_t ch = (uint32_t)g->ch;
    const int64_t a = ix0 < 0 ? -ix0 : 0, b = (int64_t)g->in_w - ix0; /* inside: [a, b) */
    const uint32_t lo = (uint32_t)(a < (int64_t)cols ? a : (int64_t)cols);
    const uint32_t hi = (uint32_t)(b < (int64_t)lo ? lo : (b < (int64_t)cols ? b : (int64_t)cols));
    uint32_t r, j;
    for (r = 0; r < rows; r++, buf += 2 * cols) {
        const int64_t iy = iy0 + (int64_t)r;
        if (iy < 0 || iy >= g->in_h) {
            for (j = 0; j < 2 * cols; j++) {
                buf[j] = 0;
            }
            continue;
        }
        for (j = 0; j < 2 * lo; j++) {
            buf[j] = 0;
        }
        if (hi > lo) {
            const int8_t *src = x + ((uint32_t)iy * (uint32_t)g->in_w + (uint32_t)(ix0 + (int64_t)lo)) * ch;
            for (j = lo; j < hi; j++, src += ch) {
                const uint32_t v = tl_cm4_load4(src);
                buf[2 * j] = tl_cm4_sxtab16(nzp, v);
                buf[2 * j + 1] = tl_cm4_sxtab16_ror8(nzp, v);
            }
        }
        for (j = 2 * hi; j < 2 * cols; j++) {
            buf[j] = 0;
        }
    }
}

/* Channels c..c+3 of every output pixel of image `x` (NHWC, one batch) into `y`. */
static void dw_group(const dw_geometry *g, const tl_quant_params *q, const int8_t *x, const int8_t *w,
                     const int32_t *bias, int8_t *y, uint32_t c, int32_t x_zp, int32_t y_zp)
{
    const tl_depthwise_conv2d_options *o = g->o;
    const uint32_t ch = (uint32_t)g->ch, taps = (uint32_t)g->k_h * (uint32_t)g->k_w;
    const uint32_t nzp = tl_cm4_dup16(-x_zp);
    uint32_t buf[TL_CM4_DW_SCRATCH / 4];
    dw_block p;
    uint32_t t, oy, ox, r;
    for (t = 0; t < taps; t++) {
        const uint32_t wv = tl_cm4_load4(w + t * ch + c);
        p.wq[2 * t] = tl_cm4_sxtb16(wv);
        p.wq[2 * t + 1] = tl_cm4_sxtb16_ror8(wv);
    }
    for (t = 0; t < 4; t++) {
        p.bias[t] = bias ? bias[c + t] : 0;
        p.mult[t] = q->output_multiplier[c + t];
        p.shift[t] = q->output_shift[c + t];
        p.right[t] = ~p.shift[t];
        p.round[t] = (int32_t)((1u << ((uint32_t)p.right[t] & 31u)) >> 1);
    }
    p.lo4 = tl_cm4_dup8(q->act_min);
    p.hi4 = tl_cm4_dup8(q->act_max);
    p.y_zp = y_zp;
    p.fast = tl_cm4_rq_fast_ok(p.shift, 4);
    x += c;
    y += c;
    for (oy = 0; oy < (uint32_t)g->out_h; oy += g->tile_h) {
        const uint32_t th = (uint32_t)g->out_h - oy < g->tile_h ? (uint32_t)g->out_h - oy : g->tile_h;
        const uint32_t rows = (th - 1u) * (uint32_t)o->stride_h + g->span_h;
        for (ox = 0; ox < (uint32_t)g->out_w; ox += g->tile_w) {
            const uint32_t tw = (uint32_t)g->out_w - ox < g->tile_w ? (uint32_t)g->out_w - ox : g->tile_w;
            const uint32_t cols = (tw - 1u) * (uint32_t)o->stride_w + g->span_w;
            dw_widen(g, x, (int64_t)oy * o->stride_h - o->pad_top, (int64_t)ox * o->stride_w - o->pad_left, rows,
                     cols, nzp, buf);
            for (r = 0; r < th; r++) {
                dw_row(g, &p, q, buf + 2u * cols * r * (uint32_t)o->stride_h, cols,
                       y + ((oy + r) * (uint32_t)g->out_w + ox) * ch, ch, tw);
            }
        }
    }
}

static tl_status eval_cm4(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    dw_geometry g;
    uint32_t in_image, out_image, c;
    int32_t n;
    int64_t span_h, span_w, cols, rows;
    if (x->dtype != TL_DTYPE_INT8 || o->depth_multiplier != 1 || x->dims[3] < 4 ||
        (int64_t)w->dims[1] * w->dims[2] > TL_CM4_DW_TAPS) {
        return eval(op);
    }
    /* tiles: as wide as fits (the whole row when it does), then as many rows as fit, in TL_CM4_DW_SCRATCH bytes
     * of 8 per input position; a filter whose single window does not fit runs the reference */
    span_h = (int64_t)(w->dims[1] - 1) * o->dilation_h + 1;
    span_w = (int64_t)(w->dims[2] - 1) * o->dilation_w + 1;
    cols = (int64_t)TL_CM4_DW_SCRATCH / (8 * span_h);
    if (cols < span_w) {
        return eval(op);
    }
    g.tile_w = (uint32_t)((cols - span_w) / o->stride_w + 1);
    if (g.tile_w > (uint32_t)y->dims[2]) {
        g.tile_w = (uint32_t)y->dims[2];
    }
    cols = (int64_t)(g.tile_w - 1) * o->stride_w + span_w;
    rows = (int64_t)TL_CM4_DW_SCRATCH / (8 * cols);
    g.tile_h = (uint32_t)((rows - span_h) / o->stride_h + 1);
    g.span_h = (uint32_t)span_h;
    g.span_w = (uint32_t)span_w;
    g.o = o;
    g.in_h = x->dims[1];
    g.in_w = x->dims[2];
    g.ch = x->dims[3];
    g.k_h = w->dims[1];
    g.k_w = w->dims[2];
    g.out_h = y->dims[1];
    g.out_w = y->dims[2];
    in_image = (uint32_t)g.in_h * (uint32_t)g.in_w * (uint32_t)g.ch;
    out_image = (uint32_t)g.out_h * (uint32_t)g.out_w * (uint32_t)g.ch;
    for (n = 0; n < x->dims[0]; n++) {
        const int8_t *xn = (const int8_t *)x->data + (uint32_t)n * in_image;
        int8_t *yn = (int8_t *)y->data + (uint32_t)n * out_image;
        for (c = 0; c < (uint32_t)g.ch; c += 4) {
            /* channels past the last multiple of 4: the last 4 again (the overlap is computed twice, the same) */
            const uint32_t first = c + 4 <= (uint32_t)g.ch ? c : (uint32_t)g.ch - 4u;
            dw_group(&g, &op->qp, xn, (const int8_t *)w->data, bias, yn, first, x->zero_point, y->zero_point);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_depthwise_conv_2d = {TL_OP_DEPTHWISE_CONV_2D, 2, 3, 1,
                                               TL_OPERATOR_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                               eval_cm4};
