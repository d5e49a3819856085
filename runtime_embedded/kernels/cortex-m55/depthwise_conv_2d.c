/* DEPTHWISE_CONV_2D, Cortex-M55 Helium (MVE) variant: replaces kernels/depthwise_conv_2d.c in the cortex-m55
 * builds.
 *
 * The reference kernel's check is used as is (its file is included). Int8 with depth_multiplier 1: per output pixel,
 * the taps inside the input (a rectangle of ky x kx: pad positions are skipped as in the reference), sixteen
 * channels at a time: x and w loaded widened to int16 lanes, x - x_zp (exact in int16, [-255, 255]) times w through
 * VMULLB/VMULLT (exact int32 products of the even and odd lanes) added into int32 accumulators. The sums are
 * scattered back into channel order in a stack row and requantized as in mve_int8.h. Every sum is int32 modulo 2^32
 * as the reference's, so the result is bit-exact. Float32 and depth_multiplier > 1 run the reference eval.
 */
#define tl_kernel_depthwise_conv_2d tl_kernel_depthwise_conv_2d_reference
#include "../depthwise_conv_2d.c"
#undef tl_kernel_depthwise_conv_2d

#include "mve_int8.h"

/* The window of one output pixel: `rows` x `cols` taps inside the input, starting at x (channel c of the first
 * tap) and w; moving one tap right adds x_col / w_col, one tap down x_row / w_row. */
typedef struct dw_window {
    const int8_t *x, *w;
    uint32_t rows, cols, x_row, x_col, w_row, w_col;
} dw_window;

/* acc[c] = sum over the window of (x - x_zp) * w for the n channels from c0 (sixteen at a time; lanes past n load
 * nothing and add 0); acc has room for n rounded up to 16. */
static TLM_NOINLINE void dw_pixel(const dw_window *win, uint32_t c0, uint32_t n, int16_t x_zp, int32_t *acc)
{
    const uint32x4_t even = vidupq_n_u32(0u, 2);
    /* locals: the stores into acc could alias *win as far as the compiler knows */
    const int8_t *const x = win->x, *const w = win->w;
    const uint32_t rows = win->rows, cols = win->cols, x_row = win->x_row, x_col = win->x_col;
    const uint32_t w_row = win->w_row, w_col = win->w_col;
    uint32_t c, r, k;
    for (c = 0; c + 16u <= n; c += 16u, acc += 16) {
        int32x4_t e0 = vdupq_n_s32(0), o0 = e0, e1 = e0, o1 = e0;
        const int8_t *xr = x + c0 + c, *wr = w + c0 + c;
        for (r = 0; r < rows; r++, xr += x_row, wr += w_row) {
            const int8_t *xp = xr, *wp = wr;
            for (k = 0; k < cols; k++, xp += x_col, wp += w_col) {
                int16x8_t xv = vsubq_n_s16(vldrbq_s16(xp), x_zp), wv = vldrbq_s16(wp);
                e0 = vaddq_s32(e0, vmullbq_int_s16(xv, wv));
                o0 = vaddq_s32(o0, vmulltq_int_s16(xv, wv));
                xv = vsubq_n_s16(vldrbq_s16(xp + 8), x_zp);
                wv = vldrbq_s16(wp + 8);
                e1 = vaddq_s32(e1, vmullbq_int_s16(xv, wv));
                o1 = vaddq_s32(o1, vmulltq_int_s16(xv, wv));
            }
        }
        vstrwq_scatter_shifted_offset_s32(acc, even, e0);
        vstrwq_scatter_shifted_offset_s32(acc + 1, even, o0);
        vstrwq_scatter_shifted_offset_s32(acc + 8, even, e1);
        vstrwq_scatter_shifted_offset_s32(acc + 9, even, o1);
    }
    for (; c < n; c += 8u, acc += 8) {
        const mve_pred16_t p = vctp16q(n - c);
        int32x4_t e0 = vdupq_n_s32(0), o0 = e0;
        const int8_t *xr = x + c0 + c, *wr = w + c0 + c;
        for (r = 0; r < rows; r++, xr += x_row, wr += w_row) {
            const int8_t *xp = xr, *wp = wr;
            for (k = 0; k < cols; k++, xp += x_col, wp += w_col) {
                const int16x8_t xv = vsubq_n_s16(vldrbq_z_s16(xp, p), x_zp), wv = vldrbq_z_s16(wp, p);
                e0 = vaddq_s32(e0, vmullbq_int_s16(xv, wv));
                o0 = vaddq_s32(o0, vmulltq_int_s16(xv, wv));
            }
        }
        vstrwq_scatter_shifted_offset_s32(acc, even, e0);
        vstrwq_scatter_shifted_offset_s32(acc + 1, even, o0);
    }
}

/* The taps k in [0, k_n) with 0 <= base + k * step < size form a range [*lo, *hi) (empty: lo == hi). */
static void valid_taps(int64_t base, int64_t step, int64_t size, int32_t k_n, uint32_t *lo, uint32_t *hi)
{
    int64_t first, last;
    if (step == 1) {
        first = base < 0 ? -base : 0;
        last = size - base;
    } else {
        for (first = 0; first < k_n && base + first * step < 0; first++) {
        }
        for (last = first; last < k_n && base + last * step < size; last++) {
        }
    }
    if (last > k_n) {
        last = k_n;
    }
    if (first > last) {
        first = last;
    }
    *lo = (uint32_t)first;
    *hi = (uint32_t)(last < 0 ? 0 : last);
}

static tl_status eval_mve(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_depthwise_conv2d_options *o = &op->options.u.depthwise_conv2d_options;
    const int32_t batches = x->dims[0], in_h = x->dims[1], in_w = x->dims[2];
    const uint32_t chans = (uint32_t)x->dims[3], k_w = (uint32_t)w->dims[2];
    const int32_t out_h = y->dims[1], out_w = y->dims[2];
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    const int16_t x_zp = (int16_t)x->zero_point;
    int32_t acc[TLM_CHUNK];
    tlm_rq rq;
    dw_window win;
    uint32_t c0;
    if (x->dtype != TL_DTYPE_INT8 || o->depth_multiplier != 1) {
        return eval(op);
    }
    rq.y_zp = y->zero_point;
    rq.act_min = op->qp.act_min;
    rq.act_max = op->qp.act_max;
    win.x_row = (uint32_t)o->dilation_h * (uint32_t)in_w * chans;
    win.x_col = (uint32_t)o->dilation_w * chans;
    win.w_row = k_w * chans;
    win.w_col = chans;
    for (c0 = 0; c0 < chans; c0 += TLM_CHUNK) {
        const uint32_t nc = chans - c0 < TLM_CHUNK ? chans - c0 : TLM_CHUNK;
        int8_t *out = (int8_t *)y->data + c0;
        int32_t n, oy, ox;
        tlm_rq_chunk(&rq, &op->qp, c0, nc);
        for (n = 0; n < batches; n++) {
            for (oy = 0; oy < out_h; oy++) {
                const int64_t iy0 = (int64_t)oy * o->stride_h - o->pad_top;
                uint32_t ky0, ky1;
                valid_taps(iy0, o->dilation_h, in_h, w->dims[1], &ky0, &ky1);
                for (ox = 0; ox < out_w; ox++, out += chans) {
                    const int64_t ix0 = (int64_t)ox * o->stride_w - o->pad_left;
                    uint32_t kx0, kx1;
                    valid_taps(ix0, o->dilation_w, in_w, (int32_t)k_w, &kx0, &kx1);
                    win.rows = ky1 - ky0;
                    win.cols = kx1 - kx0;
                    /* the first tap's pointers (only read when the window is not empty) */
                    win.x = (const int8_t *)x->data;
                    win.w = (const int8_t *)w->data;
                    if (win.rows && win.cols) {
                        win.x += (((size_t)n * (size_t)in_h + (size_t)(iy0 + (int64_t)ky0 * o->dilation_h)) *
                                      (size_t)in_w + (size_t)(ix0 + (int64_t)kx0 * o->dilation_w)) * chans;
                        win.w += ((size_t)ky0 * k_w + kx0) * chans;
                    }
                    dw_pixel(&win, c0, nc, x_zp, acc);
                    tlm_requant_row(acc, bias ? bias + c0 : NULL, nc, &rq, out);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_depthwise_conv_2d = {TL_OP_DEPTHWISE_CONV_2D, 2, 3, 1,
                                               TL_OPERATOR_OPTIONS_DEPTHWISE_CONV2D_OPTIONS, 1u << 2, check, NULL,
                                               eval_mve};
