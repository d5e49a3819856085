/* ADD, WebAssembly SIMD128 variant (kernels/wasm_simd/ replaces kernels/add.c in runtime_wasm's SIMD build). The
 * reference check is used as is (the file is included). Inputs of the output's own size (no broadcasting, the
 * residual connections of ResNets) go four lanes at a time: int8 through TFLite's AddFunc in int32/int64 lanes,
 * bit-exact (see wasm_simd.h); float32 with f32x4.add (the correctly rounded sum the reference rounds from double).
 * Broadcasting uses the reference eval.
 */
#define tl_kernel_add tl_kernel_add_reference
#include "../add.c"
#undef tl_kernel_add

#include "wasm_simd.h"

/* One int8 lane group: (q - zp) << 20, rescaled by the input's multiplier and right shift. */
static inline v128_t add_input4(v128_t q, v128_t zp, int32_t multiplier, int32_t shift)
{
    return tlw_rdbpot4(tlw_srdhm4(wasm_i32x4_shl(wasm_i32x4_sub(q, zp), TL_ADD_SUB_LEFT_SHIFT), multiplier), (int)-shift);
}

static void eval_int8_flat(const tl_op *op, const int8_t *pa, const int8_t *pb, int8_t *py, uint32_t count)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1), *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const v128_t za = wasm_i32x4_splat(a->zero_point), zb = wasm_i32x4_splat(b->zero_point);
    const v128_t zy = wasm_i32x4_splat(y->zero_point);
    const v128_t lo = wasm_i32x4_splat(q->act_min), hi = wasm_i32x4_splat(q->act_max);
    const uint32_t count8 = count & ~7u;
    uint32_t i;
    for (i = 0; i < count8; i += 8) {
        const v128_t va = wasm_i16x8_load8x8(pa + i), vb = wasm_i16x8_load8x8(pb + i);
        v128_t r[2];
        int h;
        for (h = 0; h < 2; h++) {
            const v128_t qa = h ? wasm_i32x4_extend_high_i16x8(va) : wasm_i32x4_extend_low_i16x8(va);
            const v128_t qb = h ? wasm_i32x4_extend_high_i16x8(vb) : wasm_i32x4_extend_low_i16x8(vb);
            const v128_t sum = wasm_i32x4_add(add_input4(qa, za, q->input_multiplier[0], q->input_shift[0]),
                                              add_input4(qb, zb, q->input_multiplier[1], q->input_shift[1]));
            const v128_t v = wasm_i32x4_add(tlw_rdbpot4(tlw_srdhm4(sum, q->output_multiplier[0]),
                                                        (int)-q->output_shift[0]), zy);
            r[h] = wasm_i32x4_min(wasm_i32x4_max(v, lo), hi);
        }
        {
            const v128_t n16 = wasm_i16x8_narrow_i32x4(r[0], r[1]);
            wasm_v128_store64_lane(py + i, wasm_i8x16_narrow_i16x8(n16, n16), 0);
        }
    }
    for (; i < count; i++) {
        const int32_t xa = tl_mbqm(((int32_t)pa[i] - a->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT), q->input_multiplier[0],
                                   q->input_shift[0]);
        const int32_t xb = tl_mbqm(((int32_t)pb[i] - b->zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT), q->input_multiplier[1],
                                   q->input_shift[1]);
        const int64_t v =
            (int64_t)tl_mbqm(tl_add_wrap(xa, xb), q->output_multiplier[0], q->output_shift[0]) + y->zero_point;
        py[i] = (int8_t)(v < q->act_min ? q->act_min : (v > q->act_max ? q->act_max : v));
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

const tl_kernel tl_kernel_add = {TL_OP_ADD, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL, add_simd_eval};
