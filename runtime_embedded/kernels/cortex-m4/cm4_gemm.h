/* The int8 dot-product loops of the Cortex-M4 kernels (CONV_2D, FULLY_CONNECTED), on the DSP extension's SMLAD.
 *
 * Two forms:
 * - the patch form: two pixels' input vectors ("patches", length k) widened once to int16 (x - x_zp) into a small
 *   buffer (built by the caller, laid out as below), then multiplied by two weight rows at a time: 2 pixels x 2
 *   output channels, 8 SMLADs per 4 k (tl_cm4_gemm_pair);
 * - the direct form: one int8 vector read in place (x - x_zp widened on the fly by SXTAB16) against four weight
 *   rows (tl_cm4_dot_1x4): no buffer, for FULLY_CONNECTED.
 * Sums are int32 wrapping modulo 2^32, as the reference's (see cm4_dsp.h): the order does not change the bits.
 */
#ifndef TL_CM4_GEMM_H
#define TL_CM4_GEMM_H

#include <stdint.h>

#include "cm4_dsp.h"

/* The patch buffer: per group of 4 k, 4 words [A(k0,k2) A(k1,k3) B(k0,k2) B(k1,k3)] of int16 pairs
 * (pixel A, pixel B), so (k + 3) / 4 * 16 bytes for two patches of length k, the last group zero-padded. */
#define TL_CM4_PATCH_BYTES(k) ((((uint64_t)(k) + 3u) / 4u) * 16u)

/* What tl_cm4_gemm_pair needs of the op, set once per eval by tl_cm4_gemm_init. */
typedef struct tl_cm4_gemm {
    const int8_t *w;            /* [channels, k] weight rows */
    const int32_t *bias;        /* [channels] or NULL */
    const tl_quant_params *q;   /* per-channel output multipliers and shifts, act_min, act_max */
    uint32_t k, channels;
    int32_t y_zp;
    uint32_t lo4, hi4;          /* act_min and act_max in each byte */
    int fast;                   /* every output shift <= -2: tl_cm4_rq */
} tl_cm4_gemm;

void tl_cm4_gemm_init(tl_cm4_gemm *g, const int8_t *w, uint32_t k, uint32_t channels, const int32_t *bias,
                      const tl_quant_params *q, int32_t y_zp);

/* Two pixels' outputs from their patches: for every output channel c, ya[c] (pixel A) and yb[c] (pixel B) =
 * requantized bias[c] + patch . w[c] (buf as built above), + y_zp, clamped to [act_min, act_max]. ya and yb may be
 * the same pixel. */
void tl_cm4_gemm_pair(const tl_cm4_gemm *g, const uint32_t *buf, int8_t *ya, int8_t *yb);

/* acc[j] += sum_i (x[i] - x_zp) * w[j * stride + i] for j < 4, i < n: x and the 4 weight rows read in place. */
void tl_cm4_dot_1x4(const int8_t *x, const int8_t *w, uint32_t stride, uint32_t n, int32_t x_zp, int32_t *acc);

#endif /* TL_CM4_GEMM_H */
