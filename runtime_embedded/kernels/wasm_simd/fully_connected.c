/* FULLY_CONNECTED, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/fully_connected.c in
 * runtime_wasm's SIMD build). The reference check is used as is (the file is included). Int8: two input rows by
 * four units at a time through i32x4.dot_i16x8_s on raw int8 values, the zero-point term x_zp * sum(w) folded into
 * the bias at bind; bit-exact with the reference (see wasm_simd.h). Float32: float64 dot products.
 */
#define tl_kernel_fully_connected tl_kernel_fully_connected_reference
#include "../fully_connected.c"
#undef tl_kernel_fully_connected

#include "wasm_simd.h"

static tl_status fully_connected_simd_check(tl_op *op)
{
    const tl_status status = check(op);
    if (status == TL_OK && tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        op->state_bytes = tlw_rq_bytes((uint32_t)tl_input(op, 1)->dims[0]);
    }
    return status;
}

static tl_status fully_connected_simd_prepare(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    if (x->dtype != TL_DTYPE_INT8) {
        return TL_OK;
    }
    tlw_rq_init((int32_t *)op->state, &op->qp, (uint32_t)w->dims[0]);
    if (w->is_constant && (b == NULL || b->is_constant)) {
        tlw_rq_bias((int32_t *)op->state, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL,
                    (uint32_t)w->dims[0], (uint32_t)w->dims[1], x->zero_point);
    }
    return TL_OK;
}

static tl_status fully_connected_simd_eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    uint32_t r, n;
    if (x->dtype == TL_DTYPE_INT8) {
        const int8_t *px = (const int8_t *)x->data;
        int8_t *py = (int8_t *)y->data;
        int32_t *rq = (int32_t *)op->state;
        if (!w->is_constant || (b != NULL && !b->is_constant)) {
            tlw_rq_bias(rq, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL, units, depth, x->zero_point);
        }
        for (r = 0; r < rows; r += 2) {
            const int two = r + 1 < rows;
            const int8_t *xa = px + (size_t)r * depth;
            int8_t *ya = py + (size_t)r * units;
            tlw_gemm_int8_rows(xa, two ? xa + depth : xa, (const int8_t *)w->data, rq, units, depth, ya,
                               two ? ya + units : ya, y->zero_point, op->qp.act_min, op->qp.act_max);
        }
        return TL_OK;
    }
    {
        const float *px = (const float *)x->data, *pw = (const float *)w->data;
        const float *pb = b ? (const float *)b->data : NULL;
        const int32_t activation = op->options.u.fully_connected_options.activation;
        float *py = (float *)y->data;
        for (r = 0; r < rows; r++) {
            for (n = 0; n < units; n += 4) {
                const uint32_t valid = units - n < 4u ? units - n : 4u, last = units - 1u;
                double acc[4];
                uint32_t j;
                tlw_dot4_f64(px + (size_t)r * depth, pw + (size_t)n * depth,
                             pw + (size_t)(n + 1 < units ? n + 1 : last) * depth,
                             pw + (size_t)(n + 2 < units ? n + 2 : last) * depth,
                             pw + (size_t)(n + 3 < units ? n + 3 : last) * depth, depth, acc);
                for (j = 0; j < valid; j++) {
                    if (pb) {
                        acc[j] += (double)pb[n + j];
                    }
                    py[(size_t)r * units + n + j] = tl_activate_float((float)acc[j], activation);
                }
            }
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1, TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS,
                                             1u << 2, fully_connected_simd_check, fully_connected_simd_prepare, fully_connected_simd_eval};
