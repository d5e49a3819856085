/* FULLY_CONNECTED, Cortex-M55 Helium (MVE) variant: replaces kernels/fully_connected.c in the cortex-m55 builds.
 *
 * The reference kernel's check is used as is (its file is included). Int8 eval on VMLADAVA: rows of up to 64 bytes
 * held in registers (tlm_gemv_short); a single deeper row (with x_zp != 0) takes the weight sums in the same pass as
 * the dot products (tlm_gemv_zp); several deeper rows go three at a time against two weight rows per pass
 * (tlm_gemm3), x_zp * sum(w) folded into the bias once per call; then the vector requantization of mve_int8.h.
 * Bit-exact with the reference (see there). Float32 runs the reference eval.
 */
#define tl_kernel_fully_connected tl_kernel_fully_connected_reference
#include "../fully_connected.c"
#undef tl_kernel_fully_connected

#include "mve_int8.h"

static tl_status eval_mve(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    const int8_t *xd = (const int8_t *)x->data;
    const int32_t *bias = b ? (const int32_t *)b->data : NULL;
    int8_t *yd = (int8_t *)y->data;
    int32_t folded[TLM_CHUNK], acc[3][TLM_CHUNK];
    tlm_rq rq;
    uint32_t c0;
    if (x->dtype != TL_DTYPE_INT8) {
        return eval(op);
    }
    rq.y_zp = y->zero_point;
    rq.act_min = op->qp.act_min;
    rq.act_max = op->qp.act_max;
    for (c0 = 0; c0 < units; c0 += TLM_CHUNK) {
        const uint32_t nc = units - c0 < TLM_CHUNK ? units - c0 : TLM_CHUNK;
        const int8_t *wc = (const int8_t *)w->data + (size_t)c0 * depth;
        uint32_t r = 0, c;
        tlm_rq_chunk(&rq, &op->qp, c0, nc);
        if (depth <= 64u) {
            /* short rows: the input row in registers, requantized four units at a time */
            tlm_fold_bias(folded, bias ? bias + c0 : NULL, wc, depth, nc, x->zero_point);
            for (r = 0; r < rows; r++) {
                tlm_gemv_short(xd + (size_t)r * depth, wc, depth, nc, folded, acc[0]);
                tlm_requant_row(acc[0], NULL, nc, &rq, yd + (size_t)r * units + c0);
            }
            continue;
        }
        if (rows == 1u && x->zero_point != 0) {
            /* one row: the weight sums come with the dot products, in one pass over the weights */
            for (c = 0; c < nc; c++) {
                folded[c] = bias ? bias[c0 + c] : 0;
            }
            tlm_gemv_zp(xd, x->zero_point, wc, depth, nc, folded, acc[0]);
            tlm_requant_row(acc[0], NULL, nc, &rq, yd + c0);
            continue;
        }
        tlm_fold_bias(folded, bias ? bias + c0 : NULL, wc, depth, nc, x->zero_point);
        for (; rows - r >= 3u; r += 3u) {
            const int8_t *r0 = xd + (size_t)r * depth;
            uint32_t k;
            tlm_gemm3(r0, r0 + depth, r0 + 2u * depth, wc, depth, nc, folded, acc[0], acc[1], acc[2]);
            for (k = 0; k < 3u; k++) {
                tlm_requant_row(acc[k], NULL, nc, &rq, yd + (size_t)(r + k) * units + c0);
            }
        }
        for (; r < rows; r++) {
            tlm_gemv(xd + (size_t)r * depth, wc, depth, nc, folded, acc[0]);
            tlm_requant_row(acc[0], NULL, nc, &rq, yd + (size_t)r * units + c0);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1, TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS,
                                             1u << 2, check, NULL, eval_mve};
