/* ADD, Cortex-M55 Helium (MVE) variant: replaces kernels/add.c in the cortex-m55 builds.
 *
 * The reference kernel's check is used as is (its file is included). Int8 without broadcasting (both inputs the
 * output's size, as in residual connections): four elements per vector, every step of TFLite's AddFunc in int32
 * lanes: (q - zp) << 20, each input's MultiplyByQuantizedMultiplier (input shifts are <= 0, checked), the wrapping
 * sum, the output's (output shift <= 0), + y_zp, clamp; the requantization steps are those of mve_int8.h, bit-exact
 * with tl_mbqm. Float32 and broadcasting run the reference eval.
 */
#define tl_kernel_add tl_kernel_add_reference
#include "../add.c"
#undef tl_kernel_add

#include "mve_int8.h"

/* MultiplyByQuantizedMultiplier(a, mult, -e) for a right shift e >= 0 (right = -e in every lane). */
static inline int32x4_t rescale(int32x4_t a, int32_t mult, int32x4_t right)
{
    a = vqrdmulhq_n_s32(a, mult);
    a = vqaddq_s32(a, vshrq_n_s32(vandq_s32(a, right), 31)); /* x - 1 where x < 0 and e > 0 */
    return vrshlq_s32(a, right);
}

static tl_status eval_mve(tl_op *op)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1);
    tl_tensor *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const int8_t *pa = (const int8_t *)a->data, *pb = (const int8_t *)b->data;
    int8_t *py = (int8_t *)y->data;
    uint32_t n = y->elements;
    if (a->dtype != TL_DTYPE_INT8 || a->elements != n || b->elements != n) {
        return eval(op);
    }
    {
        const int32_t ma = q->input_multiplier[0], mb = q->input_multiplier[1], my = q->output_multiplier[0];
        const int32x4_t ra = vdupq_n_s32(q->input_shift[0]), rb = vdupq_n_s32(q->input_shift[1]);
        const int32x4_t ry = vdupq_n_s32(q->output_shift[0]);
        const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
        const int32_t za = a->zero_point, zb = b->zero_point, zy = y->zero_point;
        for (; n >= 4u; n -= 4u, pa += 4, pb += 4, py += 4) {
            const int32x4_t xa = vshlq_n_s32(vsubq_n_s32(vldrbq_s32(pa), za), TL_ADD_SUB_LEFT_SHIFT);
            const int32x4_t xb = vshlq_n_s32(vsubq_n_s32(vldrbq_s32(pb), zb), TL_ADD_SUB_LEFT_SHIFT);
            const int32x4_t s = vaddq_s32(rescale(xa, ma, ra), rescale(xb, mb, rb)); /* wraps, as tl_add_wrap */
            vstrbq_s32(py, vmaxq_s32(vminq_s32(vqaddq_n_s32(rescale(s, my, ry), zy), hi), lo));
        }
        if (n) {
            const mve_pred16_t p = vctp32q(n);
            const int32x4_t xa = vshlq_n_s32(vsubq_n_s32(vldrbq_z_s32(pa, p), za), TL_ADD_SUB_LEFT_SHIFT);
            const int32x4_t xb = vshlq_n_s32(vsubq_n_s32(vldrbq_z_s32(pb, p), zb), TL_ADD_SUB_LEFT_SHIFT);
            const int32x4_t s = vaddq_s32(rescale(xa, ma, ra), rescale(xb, mb, rb));
            vstrbq_p_s32(py, vmaxq_s32(vminq_s32(vqaddq_n_s32(rescale(s, my, ry), zy), hi), lo), p);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_add = {TL_OP_ADD, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL, eval_mve};
