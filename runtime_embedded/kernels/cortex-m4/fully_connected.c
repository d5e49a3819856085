/* FULLY_CONNECTED, Cortex-M4 (DSP extension) variant: replaces kernels/fully_connected.c in the cortex-m4 builds.
 *
 * The reference kernel is included as is (renamed): its check is this kernel's check, and its eval runs float32
 * and fewer than 4 units. Int8: each input row against 4 weight rows at a time with tl_cm4_dot_1x4 (SMLAD,
 * x - x_zp widened by SXTAB16, both read in place; a last block of fewer than 4 units overlaps the one before),
 * requantized with tl_cm4_rq_any (bit-exact tl_mbqm). No state.
 */
#define tl_kernel_fully_connected tl_kernel_fully_connected_reference
#include "../fully_connected.c"
#undef tl_kernel_fully_connected

#include "cm4_gemm.h"

static tl_status eval_cm4(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    const int8_t *xr = (const int8_t *)x->data, *wd = (const int8_t *)w->data;
    int8_t *yr = (int8_t *)y->data;
    uint32_t r, n, j;
    if (x->dtype != TL_DTYPE_INT8 || units < 4) {
        return eval(op);
    }
    for (r = 0; r < rows; r++, xr += depth, yr += units) {
        for (n = 0; n < units; n += 4) {
            const uint32_t first = n + 4 <= units ? n : units - 4; /* the last block overlaps: the same values */
            int32_t acc[4];
            for (j = 0; j < 4; j++) {
                acc[j] = bias ? bias[first + j] : 0;
            }
            tl_cm4_dot_1x4(xr, wd + first * depth, depth, depth, x->zero_point, acc);
            for (j = 0; j < 4; j++) {
                yr[first + j] = tl_cm4_rq_any(acc[j], q->output_multiplier[first + j], q->output_shift[first + j],
                                              y->zero_point, q->act_min, q->act_max);
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1,
                                             TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS, 1u << 2, check, NULL,
                                             eval_cm4};
