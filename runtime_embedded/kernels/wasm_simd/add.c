/* ADD, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/add.c in runtime_wasm's SIMD build). The
 * reference check is used as is (the file is included). Inputs of the output's own size (no broadcasting, the
 * residual connections of ResNets) go eight lanes at a time: int8 through TFLite's AddFunc in int32/int64 lanes,
 * bit-exact (each input's rescale in 32-bit lanes, see add_input4; the output's as wasm_simd.h); float32 with
 * f32x4.add (the correctly rounded sum the reference rounds from double). Broadcasting uses the reference eval.
 */
#define tl_kernel_add tl_kernel_add_reference
#include "../add.c"
#undef tl_kernel_add

#include "wasm_simd_ops.h"

/* One input's rescale, four lanes: tl_mbqm(d * 2^20, m, -e) for d = q - zp in [-255, 255], m = mh * 2^11 + ml
 * (0 <= ml < 2^11), e >= 0. Its SRDHM is floor((d * 2^20 * m + 2^30) / 2^31) = floor((d * m + 2^10) / 2^11)
 * = d * mh + floor((d * ml + 2^10) / 2^11), every term inside int32 (|d * mh| < 2^28); then RDBPOT by e. The
 * results and their sum stay below 2^29 in magnitude, and so does the output's SRDHM of the sum (m < 2^31). */
static inline v128_t add_input4(v128_t d, v128_t mh, v128_t ml, const tlw_rdbpot_k *r, int e)
{
    const v128_t low = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(d, ml), wasm_i32x4_splat(1 << 10)), 11);
    return tlw_rdbpot4_small(wasm_i32x4_add(wasm_i32x4_mul(d, mh), low), r, e);
}

/* in a, b: int8 [count] -> out [count] int8, TFLite's AddFunc per element. */
static void eval_int8_flat(const tl_op *op, const int8_t *pa, const int8_t *pb, int8_t *py, uint32_t count)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1), *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const v128_t za = wasm_i16x8_splat((int16_t)a->zero_point), zb = wasm_i16x8_splat((int16_t)b->zero_point);
    const v128_t mha = wasm_i32x4_splat(q->input_multiplier[0] >> 11);
    const v128_t mla = wasm_i32x4_splat(q->input_multiplier[0] & 0x7FF);
    const v128_t mhb = wasm_i32x4_splat(q->input_multiplier[1] >> 11);
    const v128_t mlb = wasm_i32x4_splat(q->input_multiplier[1] & 0x7FF);
    const tlw_rdbpot_k ra = tlw_rdbpot_setup((int)-q->input_shift[0]), rb = tlw_rdbpot_setup((int)-q->input_shift[1]);
    const tlw_rdbpot_k ry = tlw_rdbpot_setup((int)-q->output_shift[0]);
    const v128_t zy = wasm_i32x4_splat(y->zero_point);
    const v128_t lo = wasm_i32x4_splat(q->act_min), hi = wasm_i32x4_splat(q->act_max);
    const uint32_t count8 = count & ~7u;
    /* read in the loop (volatile): keeps each shift count and the output multiplier where they are used, so that
     * the shifts stay i32x4.shr_s and the SRDHM i64x2.extmul (see tlw_rdbpot4_small) */
    volatile int32_t shift[3];
    volatile v128_t ym;
    uint32_t i;
    shift[0] = ra.e;
    shift[1] = rb.e;
    shift[2] = ry.e;
    ym = wasm_i32x4_splat(q->output_multiplier[0]);
    for (i = 0; i < count8; i += 8) {
        const int ea = shift[0], eb = shift[1], ey = shift[2];
        const v128_t m = ym;
        const v128_t da = wasm_i16x8_sub(wasm_i16x8_load8x8(pa + i), za);
        const v128_t db = wasm_i16x8_sub(wasm_i16x8_load8x8(pb + i), zb);
        const v128_t s0 = wasm_i32x4_add(add_input4(wasm_i32x4_extend_low_i16x8(da), mha, mla, &ra, ea),
                                         add_input4(wasm_i32x4_extend_low_i16x8(db), mhb, mlb, &rb, eb));
        const v128_t s1 = wasm_i32x4_add(add_input4(wasm_i32x4_extend_high_i16x8(da), mha, mla, &ra, ea),
                                         add_input4(wasm_i32x4_extend_high_i16x8(db), mhb, mlb, &rb, eb));
        const v128_t r0 = wasm_i32x4_add(tlw_rdbpot4_small(tlw_srdhm4v(s0, m), &ry, ey), zy);
        const v128_t r1 = wasm_i32x4_add(tlw_rdbpot4_small(tlw_srdhm4v(s1, m), &ry, ey), zy);
        const v128_t n16 = wasm_i16x8_narrow_i32x4(wasm_i32x4_min(wasm_i32x4_max(r0, lo), hi),
                                                   wasm_i32x4_min(wasm_i32x4_max(r1, lo), hi));
        wasm_v128_store64_lane(py + i, wasm_i8x16_narrow_i16x8(n16, n16), 0);
    }
    TLW_NO_UNROLL
    for (; i < count; i++) {
        const int32_t xa = tl_mbqm(((int32_t)pa[i] - a->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT),
                                   q->input_multiplier[0], q->input_shift[0]);
        const int32_t xb = tl_mbqm(((int32_t)pb[i] - b->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT),
                                   q->input_multiplier[1], q->input_shift[1]);
        py[i] = tl_requantize_int8(tl_add_wrap(xa, xb), q->output_multiplier[0], q->output_shift[0], y->zero_point,
                                   q->act_min, q->act_max);
    }
}

static void eval_float_flat(const float *pa, const float *pb, float *py, uint32_t count, int32_t activation)
{
    const uint32_t count4 = count & ~3u;
    uint32_t i;
    for (i = 0; i < count4; i += 4) {
        wasm_v128_store(py + i, tlw_activate_f32x4(wasm_f32x4_add(wasm_v128_load(pa + i), wasm_v128_load(pb + i)),
                                                   activation));
    }
    TLW_NO_UNROLL
    for (; i < count; i++) {
        py[i] = tl_activate_float((float)((double)pa[i] + (double)pb[i]), activation);
    }
}

static tl_status add_simd_eval(tl_op *op)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1);
    tl_tensor *y = tl_output(op, 0);
    if (a->elements != y->elements || b->elements != y->elements) {
        return eval(op);
    }
    if (a->dtype == TL_DTYPE_INT8) {
        eval_int8_flat(op, (const int8_t *)a->data, (const int8_t *)b->data, (int8_t *)y->data, y->elements);
    } else {
        eval_float_flat((const float *)a->data, (const float *)b->data, (float *)y->data, y->elements,
                        op->options.u.binary_options.activation);
    }
    return TL_OK;
}

const tl_kernel tl_kernel_add = {TL_OP_ADD, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL,
                                 add_simd_eval};
