/* CONV_2D, Cortex-M4 (DSP extension) variant: replaces kernels/conv_2d.c in the cortex-m4 builds.
 *
 * The reference kernel is included as is (renamed): its check is this kernel's check, and its eval runs float32,
 * int8 filters of more than TL_CM4_CONV_PATCH values (KH*KW*Ci), and sizes, strides, dilations or pads over 32767.
 * Int8 is a GEMM on SMLAD (cm4_gemm.h), bit-exact with the reference: the receptive fields of two output pixels
 * (KH*KW*Ci values; for a 1x1 unpadded conv simply the input pixels) are widened to int16 x - x_zp into a buffer on
 * the stack (ceil(KH*KW*Ci / 4) * 16 bytes, at most TL_CM4_CONV_PATCH * 4), pads as 0 (a pad adds
 * (x_zp - x_zp) * w = 0 where the reference skips it: the same int32 sum), then multiplied with two weight rows at a
 * time (2 pixels x 2 channels per pass) and requantized bit-exactly as tl_mbqm (cm4_dsp.h). No arena state.
 */
#define tl_kernel_conv_2d tl_kernel_conv_2d_reference
#include "../conv_2d.c"
#undef tl_kernel_conv_2d

#include "cm4_gemm.h"

#ifndef TL_CM4_CONV_PATCH
#define TL_CM4_CONV_PATCH 640 /* the largest KH*KW*Ci of the fast path (a 2.5 KB buffer on the stack) */
#endif

/* The op's geometry, read once per eval. */
typedef struct conv_geometry {
    const int8_t *x;             /* [N,H,W,Ci] */
    const int8_t *w;             /* [Co,KH,KW,Ci] */
    const int32_t *b;            /* [Co] or NULL */
    int8_t *y;                   /* [N,OH,OW,Co] */
    const tl_conv2d_options *o;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    uint32_t k;                  /* KH*KW*Ci: one patch */
    int32_t x_zp, y_zp;
} conv_geometry;

/* kx in [*lo, *hi) keeps x0 + kx inside [0, in_w) (dilation_w 1) */
static void row_span(int32_t x0, int32_t k_w, int32_t in_w, int32_t *lo, int32_t *hi)
{
    const int32_t a = x0 < 0 ? -x0 : 0, b = in_w - x0;
    *lo = a < k_w ? a : k_w;
    *hi = b < *lo ? *lo : (b < k_w ? b : k_w);
}

/* Writes one pixel's patch into the buffer (see cm4_gemm.h), 4 bytes (one group) at a time. */
typedef struct patch_writer {
    uint32_t *at;    /* the next group's first word for this pixel (4 words per group) */
    uint32_t stage;  /* the bytes of a group begun by a previous row */
    uint32_t staged;
    uint32_t nzp;    /* (-x_zp, -x_zp) */
    uint32_t zp;     /* x_zp as a byte */
} patch_writer;

/* One group of 4 int8 bytes -> its two int16 pairs */
static inline void put_group(patch_writer *p, uint32_t bytes)
{
    p->at[0] = tl_cm4_sxtab16(p->nzp, bytes);
    p->at[1] = tl_cm4_sxtab16_ror8(p->nzp, bytes);
    p->at += 4;
}

/* Append one byte */
static inline void put_byte(patch_writer *p, uint32_t byte)
{
    p->stage |= byte << (8u * p->staged);
    if (++p->staged == 4) {
        put_group(p, p->stage);
        p->stage = 0;
        p->staged = 0;
    }
}

/* Append n padding bytes (x_zp: they contribute 0) */
static inline void put_pad(patch_writer *p, uint32_t n)
{
    for (; n > 0 && p->staged != 0; n--) {
        put_byte(p, p->zp);
    }
    for (; n >= 4u; n -= 4u) {
        p->at[0] = 0;
        p->at[1] = 0;
        p->at += 4;
    }
    for (; n > 0; n--) {
        put_byte(p, p->zp);
    }
}

/* Append src[0 .. n) */
static inline void put_data(patch_writer *p, const int8_t *src, uint32_t n)
{
    for (; n > 0 && p->staged != 0; n--) {
        put_byte(p, (uint8_t)*src++);
    }
    for (; n >= 4u; n -= 4u, src += 4) {
        put_group(p, tl_cm4_load4(src));
    }
    for (; n > 0; n--) {
        put_byte(p, (uint8_t)*src++);
    }
}

/* Append n bytes of which [lo, hi) are src[0 .. hi - lo) and the others padding */
static inline void put_run(patch_writer *p, const int8_t *src, uint32_t lo, uint32_t hi, uint32_t n)
{
    put_pad(p, lo);
    if (hi > lo) {
        put_data(p, src, hi - lo);
    }
    put_pad(p, n - hi);
}

/* The patch of output pixel (n, oy, ox) into pixel slot `slot` of buf (the last group zero-padded). */
static void build_patch(const conv_geometry *g, uint32_t *buf, uint32_t slot, int32_t n, int32_t oy, int32_t ox)
{
    const tl_conv2d_options *o = g->o;
    const uint32_t c = (uint32_t)g->in_c, run = (uint32_t)g->k_w * c;
    const int32_t x0 = ox * o->stride_w - o->pad_left; /* int32: eval_cm4 bounds the geometry */
    const int8_t *image = g->x + (uint32_t)n * (uint32_t)g->in_h * (uint32_t)g->in_w * c;
    patch_writer p;
    int32_t ky, kx, lo = 0, hi = 0;
    p.at = buf + 2u * slot;
    p.stage = 0;
    p.staged = 0;
    p.nzp = tl_cm4_dup16(-g->x_zp);
    p.zp = (uint32_t)(uint8_t)g->x_zp;
    if (o->dilation_w == 1) {
        row_span(x0, g->k_w, g->in_w, &lo, &hi);
    }
    for (ky = 0; ky < g->k_h; ky++) {
        const int32_t iy = oy * o->stride_h - o->pad_top + ky * o->dilation_h;
        const int8_t *row;
        if (iy < 0 || iy >= g->in_h) {
            put_pad(&p, run);
            continue;
        }
        row = image + (uint32_t)iy * (uint32_t)g->in_w * c;
        if (o->dilation_w == 1) {
            put_run(&p, hi > lo ? row + (uint32_t)(x0 + lo) * c : NULL, (uint32_t)lo * c, (uint32_t)hi * c, run);
            continue;
        }
        for (kx = 0; kx < g->k_w; kx++) {
            const int32_t ix = x0 + kx * o->dilation_w;
            const int inside = ix >= 0 && ix < g->in_w;
            put_run(&p, inside ? row + (uint32_t)ix * c : NULL, 0, inside ? c : 0, c);
        }
    }
    while (p.staged != 0) {
        put_byte(&p, p.zp);
    }
}

/* Patch path: two pixels at a time (the last one twice when their number is odd), two channels per pass. */
static void conv_patches(const tl_op *op, const conv_geometry *g)
{
    uint32_t buf[TL_CM4_PATCH_BYTES(TL_CM4_CONV_PATCH) / 4];
    const tl_quant_params *q = &op->qp;
    const uint32_t plane = (uint32_t)g->out_h * (uint32_t)g->out_w;
    const uint32_t pixels = plane * (uint32_t)tl_input(op, 0)->dims[0];
    const uint32_t out_c = (uint32_t)g->out_c;
    tl_cm4_gemm gemm;
    uint32_t p, s;
    tl_cm4_gemm_init(&gemm, g->w, g->k, out_c, g->b, q, g->y_zp);
    for (p = 0; p < pixels; p += 2) {
        const uint32_t pix[2] = {p, p + 1 < pixels ? p + 1 : p};
        for (s = 0; s < 2; s++) {
            const uint32_t in_plane = pix[s] % plane;
            build_patch(g, buf, s, (int32_t)(pix[s] / plane), (int32_t)(in_plane / (uint32_t)g->out_w),
                        (int32_t)(in_plane % (uint32_t)g->out_w));
        }
        tl_cm4_gemm_pair(&gemm, buf, g->y + pix[0] * out_c, g->y + pix[1] * out_c);
    }
}

static tl_status eval_cm4(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_conv2d_options *o = &op->options.u.conv2d_options;
    const int32_t sizes[12] = {x->dims[1], x->dims[2], w->dims[1], w->dims[2], o->stride_h, o->stride_w,
                               o->dilation_h, o->dilation_w, o->pad_top, o->pad_bottom, o->pad_left, o->pad_right};
    conv_geometry g;
    uint32_t i;
    if (x->dtype != TL_DTYPE_INT8 || (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3] >
                                         TL_CM4_CONV_PATCH) {
        return eval(op);
    }
    for (i = 0; i < 12; i++) {
        if (sizes[i] > 0x7FFF) { /* below, the window arithmetic fits int32 */
            return eval(op);
        }
    }
    g.x = (const int8_t *)x->data;
    g.w = (const int8_t *)w->data;
    g.b = b ? (const int32_t *)b->data : NULL;
    g.y = (int8_t *)y->data;
    g.o = &op->options.u.conv2d_options;
    g.in_h = x->dims[1];
    g.in_w = x->dims[2];
    g.in_c = x->dims[3];
    g.k_h = w->dims[1];
    g.k_w = w->dims[2];
    g.out_h = y->dims[1];
    g.out_w = y->dims[2];
    g.out_c = y->dims[3];
    g.k = (uint32_t)g.k_h * (uint32_t)g.k_w * (uint32_t)g.in_c;
    g.x_zp = x->zero_point;
    g.y_zp = y->zero_point;
    conv_patches(op, &g);
    return TL_OK;
}

const tl_kernel tl_kernel_conv_2d = {TL_OP_CONV_2D, 2, 3, 1, TL_OPERATOR_OPTIONS_CONV2D_OPTIONS, 1u << 2, check,
                                     NULL, eval_cm4};
