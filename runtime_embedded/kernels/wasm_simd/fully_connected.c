/* FULLY_CONNECTED, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/fully_connected.c in
 * runtime_wasm's SIMD build). The reference check is used as is (the file is included). eval is the GEMM of
 * tlw_gemm.h over the input rows, four at a time, with the weights packed into panels at bind (at each eval when
 * they are given at run time). Int8: rows widened to int16 in the state, the zero-point term x_zp * sum(w) folded
 * into the bias, the requantization fused; bit-exact with the reference (see wasm_simd.h). Float32: rows read in
 * place, float32 sums.
 */
#define tl_kernel_fully_connected tl_kernel_fully_connected_reference
#include "../fully_connected.c"
#undef tl_kernel_fully_connected

#include "tlw_gemm.h"

/* The state: int8 [rq block][int16 panel][TLW_ROWS widened rows]; float [float panel]. */
typedef struct fc_layout {
    uint64_t panel, rows, bytes;
} fc_layout;

static uint64_t align16(uint64_t n)
{
    return (n + 15u) & ~(uint64_t)15u;
}

/* int16 values from one widened row to the next: at least depth + 1 (an odd row reads one value past its end). */
static uint64_t row_stride(uint64_t depth)
{
    return (depth + 8u) & ~(uint64_t)7u;
}

static fc_layout layout_of(const tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1);
    const uint64_t units = (uint64_t)w->dims[0], depth = (uint64_t)w->dims[1];
    fc_layout l;
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        l.panel = align16(tlw_rq_bytes((uint32_t)units));
        l.rows = l.panel + align16(tlw_panel_i8_bytes(units, 1u, depth));
        l.bytes = l.rows + 2u * TLW_ROWS * row_stride(depth);
    } else {
        l.panel = 0;
        l.rows = tlw_panel_f32_bytes(units, depth);
        l.bytes = l.rows;
    }
    return l;
}

static tl_status fully_connected_simd_check(tl_op *op)
{
    const tl_status status = check(op);
    return status != TL_OK ? status : tlw_request_state(op, layout_of(op).bytes);
}

/* Pack the panel (and, int8, fold the zero-point term into the bias): at bind, or at eval for run-time weights. */
static void pack(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    void *panel = (uint8_t *)op->state + layout_of(op).panel;
    if (x->dtype != TL_DTYPE_INT8) {
        tlw_pack_f32((float *)panel, (const float *)w->data, units, depth);
        return;
    }
    tlw_pack_i8((int16_t *)panel, (const int8_t *)w->data, units, 1u, depth, NULL);
    tlw_rq_bias((int32_t *)op->state, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL, units, depth,
                x->zero_point, NULL);
}

static int packed_at_bind(const tl_op *op)
{
    const tl_tensor *w = tl_input(op, 1), *b = tl_input(op, 2);
    return w->is_constant && (b == NULL || b->is_constant || tl_input(op, 0)->dtype != TL_DTYPE_INT8);
}

static tl_status fully_connected_simd_prepare(tl_op *op)
{
    if (tl_input(op, 0)->dtype == TL_DTYPE_INT8) {
        tlw_rq_init((int32_t *)op->state, &op->qp, (uint32_t)tl_input(op, 1)->dims[0]);
    }
    if (packed_at_bind(op)) {
        pack(op);
    }
    return TL_OK;
}

static tl_status fully_connected_simd_eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const fc_layout l = layout_of(op);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    const uint32_t zero = 0u;
    tlw_runs runs;
    uint32_t r, t;
    runs.offsets = &zero;
    runs.runs = 1u;
    runs.run = depth;
    if (!packed_at_bind(op)) {
        pack(op);
    }
    for (r = 0; r < rows; r += TLW_ROWS) {
        const uint32_t count = rows - r < TLW_ROWS ? rows - r : TLW_ROWS;
        if (x->dtype == TL_DTYPE_INT8) {
            const uint32_t stride = (uint32_t)row_stride(depth);
            int16_t *buffer = (int16_t *)(void *)((uint8_t *)op->state + l.rows);
            const int16_t *bases[TLW_ROWS];
            for (t = 0; t < count; t++) {
                bases[t] = buffer + (size_t)t * stride;
                tlw_widen(buffer + (size_t)t * stride, (const int8_t *)x->data + (size_t)(r + t) * depth, depth);
            }
            tlw_gemm_i8(bases, count, &runs, (const int16_t *)(const void *)((const uint8_t *)op->state + l.panel),
                        (const int32_t *)op->state, units, (int8_t *)y->data + (size_t)r * units, y->zero_point,
                        op->qp.act_min, op->qp.act_max);
        } else {
            const float *bases[TLW_ROWS];
            for (t = 0; t < count; t++) {
                bases[t] = (const float *)x->data + (size_t)(r + t) * depth;
            }
            tlw_gemm_f32(bases, count, &runs, (const float *)(const void *)((const uint8_t *)op->state + l.panel),
                         b ? (const float *)b->data : NULL, units, (float *)y->data + (size_t)r * units,
                         op->options.u.fully_connected_options.activation);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1,
                                             TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS, 1u << 2,
                                             fully_connected_simd_check, fully_connected_simd_prepare,
                                             fully_connected_simd_eval};
