/* ADD, Cortex-M4 (DSP extension) variant: replaces kernels/add.c in the cortex-m4 builds.
 *
 * The reference kernel is included as is (renamed): its check is this kernel's check, and its eval runs float32
 * and broadcasting. Int8 inputs of the output's own size (the residual connections of ResNets): an input's
 * rescaled term tl_mbqm((q - zp) * 2^20, input multiplier, input shift) depends on its 256 possible values only, so
 * both inputs' terms are tabulated once per call (two 256-entry tables, 2 KB of stack); each element then adds two
 * table entries (int32, wrapping as the reference) and requantizes the sum (cm4_dsp.h's tl_cm4_rq, bit-exact
 * tl_mbqm, for output shifts <= -2; tl_mbqm itself otherwise). No arena state.
 */
#define tl_kernel_add tl_kernel_add_reference
#include "../add.c"
#undef tl_kernel_add

#include "cm4_dsp.h"

/* table[q + 128] = input q's rescaled term */
static void add_table(int32_t *table, int32_t zero_point, int32_t multiplier, int32_t shift)
{
    int32_t v;
    for (v = -128; v < 128; v++) {
        table[v + 128] = tl_mbqm((v - zero_point) * (1 << TL_ADD_SUB_LEFT_SHIFT), multiplier, shift);
    }
}

static tl_status eval_cm4(tl_op *op)
{
    const tl_tensor *a = tl_input(op, 0), *b = tl_input(op, 1);
    tl_tensor *y = tl_output(op, 0);
    const tl_quant_params *q = &op->qp;
    const int32_t y_zp = y->zero_point, lo = q->act_min, hi = q->act_max;
    const int8_t *pa = (const int8_t *)a->data, *pb = (const int8_t *)b->data;
    int8_t *py = (int8_t *)y->data;
    int32_t ta[256], tb[256], m, s;
    uint32_t i;
    if (a->dtype != TL_DTYPE_INT8 || a->elements != y->elements || b->elements != y->elements) {
        return eval(op);
    }
    m = q->output_multiplier[0];
    s = q->output_shift[0];
    add_table(ta, a->zero_point, q->input_multiplier[0], q->input_shift[0]);
    add_table(tb, b->zero_point, q->input_multiplier[1], q->input_shift[1]);
    if (s <= -2) {
        for (i = 0; i < y->elements; i++) {
            const int32_t sum = tl_add_wrap(ta[pa[i] + 128], tb[pb[i] + 128]);
            py[i] = tl_cm4_clamp(tl_cm4_rq(sum, m, s) + y_zp, lo, hi);
        }
    } else {
        for (i = 0; i < y->elements; i++) {
            py[i] = tl_cm4_rq_any(tl_add_wrap(ta[pa[i] + 128], tb[pb[i] + 128]), m, s, y_zp, lo, hi);
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_add = {TL_OP_ADD, 2, 2, 1, TL_OPERATOR_OPTIONS_BINARY_OPTIONS, 0u, check, NULL, eval_cm4};
