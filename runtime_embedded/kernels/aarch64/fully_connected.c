/* FULLY_CONNECTED, aarch64 NEON variant (Raspberry Pi 4 / 5 builds): replaces kernels/fully_connected.c in the
 * aarch64 builds.
 *
 * The reference kernel's check is used as is (its file is included).
 * Int8: the input rows packed four at a time against the weight rows, four units per tile on SDOT (cortex-a76) or
 * SMULL/SADALP (cortex-a72), x_zp * sum(w) folded into the bias once per pass, requantized four units at a time;
 * bit-exact with the reference (see neon_int8.h).
 * Float32: four units at a time with FMLA (see neon_float.h for the accuracy argument).
 * Rows deeper than TLN_MAX_DEPTH bytes run the reference eval.
 */
#define tl_kernel_fully_connected tl_kernel_fully_connected_reference
#include "../fully_connected.c"
#undef tl_kernel_fully_connected

#include "neon_float.h"
#include "neon_int8.h"

static void eval_int8_neon(const tl_op *op, const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y,
                           uint32_t rows, uint32_t units, uint32_t depth, int32_t x_zp, int32_t y_zp)
{
    int8_t packed[TLN_ROWS * TLN_MAX_DEPTH];
    int8_t wpad[TLN_CHUNK * 16u];
    tln_rq rq;
    tln_pack k;
    uint32_t c0, stride;
    tln_pack_init(&k, depth);
    stride = 16u * k.blocks;
    for (c0 = 0; c0 < units; c0 += TLN_CHUNK) {
        const uint32_t nc = units - c0 < TLN_CHUNK ? units - c0 : TLN_CHUNK;
        const int8_t *wc = w + (size_t)c0 * depth;
        uint32_t r;
        tln_rq_init(&rq, &op->qp, bias ? bias + c0 : NULL, wc, depth, c0, nc, x_zp, y_zp);
        if (depth < 16u) {
            tln_pad_weights(wpad, wc, depth, nc);
            wc = wpad;
        }
        for (r = 0; r < rows; r += TLN_ROWS) {
            const uint32_t r_n = rows - r < TLN_ROWS ? rows - r : TLN_ROWS;
            uint32_t i;
            for (i = 0; i < r_n; i++) {
                tln_pack_row(packed + i * stride, x + (size_t)(r + i) * depth, &k);
            }
            tln_gemm(packed, stride, r_n, wc, &k, nc, &rq, y + (size_t)r * units + c0, units);
        }
    }
}

static void eval_float_neon(const float *x, const float *w, const float *b, float *y, uint32_t rows, uint32_t units,
                            uint32_t depth, int32_t activation)
{
    uint32_t r, n, j;
    for (r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * depth;
        for (n = 0; n < units; n += 4u) {
            const uint32_t valid = units - n < 4u ? units - n : 4u;
            double acc[4] = {0.0, 0.0, 0.0, 0.0};
            if (valid == 4u) {
                tln_dot4_f32(xr, w + (size_t)n * depth, depth, depth, acc);
            } else {
                for (j = 0; j < valid; j++) {
                    acc[j] = tln_dot_f64(xr, w + (size_t)(n + j) * depth, depth);
                }
            }
            for (j = 0; j < valid; j++) {
                if (b) {
                    acc[j] += (double)b[n + j];
                }
                y[(size_t)r * units + n + j] = tl_activate_float((float)acc[j], activation);
            }
        }
    }
}

static tl_status eval_neon(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    if (x->dtype == TL_DTYPE_FLOAT32) {
        eval_float_neon((const float *)x->data, (const float *)w->data, b ? (const float *)b->data : NULL,
                        (float *)y->data, rows, units, depth, op->options.u.fully_connected_options.activation);
        return TL_OK;
    }
    if ((uint64_t)depth + 16u > TLN_MAX_DEPTH) {
        return eval(op);
    }
    eval_int8_neon(op, (const int8_t *)x->data, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL,
                   (int8_t *)y->data, rows, units, depth, x->zero_point, y->zero_point);
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1, TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS,
                                             1u << 2, check, NULL, eval_neon};
