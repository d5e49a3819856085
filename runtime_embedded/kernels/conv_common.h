/* Shared by the reference CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV kernels: one run of a dot product and the
 * store of one output element, int8 or float32 alike. */
#ifndef TL_CONV_COMMON_H
#define TL_CONV_COMMON_H

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

/* Add sum_k x[x_at + k] * w[w_at + k] for k < count to the accumulator: int8, (x - x_zp) * w into *iacc
 * (int32 arithmetic, wrapping as the reference's); float32, exact products summed in double into *facc. */
static inline void tl_conv_accumulate(const tl_tensor *x, const tl_tensor *w, uint32_t x_at, uint32_t w_at,
                                      uint32_t count, uint32_t *iacc, double *facc)
{
    uint32_t k;
    if (x->dtype == TL_DTYPE_INT8) {
        const int8_t *xp = (const int8_t *)x->data + x_at, *wp = (const int8_t *)w->data + w_at;
        for (k = 0; k < count; k++) {
            *iacc += (uint32_t)(((int32_t)xp[k] - x->zero_point) * (int32_t)wp[k]);
        }
    } else {
        const float *xp = (const float *)x->data + x_at, *wp = (const float *)w->data + w_at;
        for (k = 0; k < count; k++) {
            *facc += (double)xp[k] * (double)wp[k];
        }
    }
}

/* A tap over padding: int8 padding is x_zp, whose term is exactly 0 (nothing to add); float32 padding is 0.0, and
 * 0.0 * w is added for each of the `count` weights at w[w_at..] as the reference interpreter's zero-padded windows
 * do (0 for finite weights, NaN for infinite or NaN ones). */
static inline void tl_conv_accumulate_padding(const tl_tensor *w, uint32_t w_at, uint32_t count, double *facc)
{
    uint32_t k;
    if (w->dtype == TL_DTYPE_FLOAT32) {
        const float *wp = (const float *)w->data + w_at;
        for (k = 0; k < count; k++) {
            *facc += 0.0 * (double)wp[k];
        }
    }
}

/* Output element `at` (of output channel c) from its accumulator: the bias b[c] (b may be NULL) added, then int8:
 * requantized with channel c's multiplier and shift, + y_zp, clamped to [act_min, act_max]; float32: rounded to
 * float and the fused activation applied. */
static inline void tl_conv_store(const tl_op *op, tl_tensor *y, const tl_tensor *b, uint32_t at, uint32_t c,
                                 uint32_t iacc, double facc, int32_t activation)
{
    const tl_quant_params *q = &op->qp;
    if (y->dtype == TL_DTYPE_INT8) {
        if (b) {
            iacc += (uint32_t)((const int32_t *)b->data)[c];
        }
        ((int8_t *)y->data)[at] = tl_requantize_int8(tl_wrap32(iacc), q->output_multiplier[c], q->output_shift[c],
                                                     y->zero_point, q->act_min, q->act_max);
    } else {
        if (b) {
            facc += (double)((const float *)b->data)[c];
        }
        ((float *)y->data)[at] = tl_activate_float((float)facc, activation);
    }
}

#endif /* TL_CONV_COMMON_H */
