/* SOFTMAX: in [..,C] -> out [..,C], over the last axis: exp(beta * (x - max)) / sum.
 * Reference: converter/reference/ops/softmax.py. Float in double, rounded to float32. Int8 exactly TFLite Micro's
 * int8 -> int8 SOFTMAX: diffs below diff_min give -128; the others, rescaled to Q5.26, go through gemmlowp's
 * exp_on_negative_values, are summed in Q12.19, and scaled by the sum's reciprocal to the fixed output quantization
 * (scale 1/256, zero point -128). A row whose sum overflows TFLite's accumulator or reaches 512 fails with
 * TL_ERROR_KERNEL where the reference raises. */
#include "tl_gemmlowp.h"
#include "tl_kernel.h"
#include "tl_math.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

static int beta_ok(float beta)
{
    return beta > 0.0f && tl_isfinite_f32(beta);
}

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const float beta = op->options.u.softmax_options.beta;
    const tl_quant_params *q = &op->qp;
    int is_int8;
    double real;
    int32_t shift, radius;
    if (x->rank < 1) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "must have rank >= 1");
    }
    if (!beta_ok(beta)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "softmax beta must be finite and > 0");
    }
    if (tl_check_unary(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (y->scale != 1.0f / 256.0f || y->zero_point != -128) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "int8 SOFTMAX output must have scale 1/256 and zero point -128");
    }
    real = (double)beta * (double)x->scale * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
    if (!(real > 1.0)) { /* capped at 2^31 - 1 in TFLite; only "> 1" matters here */
        return tl_fail(op, TL_ERROR_OPERATOR, x, "beta * input scale is too small for TFLite's int8 kernel");
    }
    if (tl_require_quant_params(op, -1, -1, 1, 1, -1) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    shift = q->input_shift[0];
    if (shift < 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.input_shift[0] must be a left shift >= 0");
    }
    radius = (int32_t)((((uint32_t)1 << SCALED_DIFF_INTEGER_BITS) - 1u) << (31 - SCALED_DIFF_INTEGER_BITS) >> shift);
    if (q->diff_min < -radius || q->diff_min > 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.diff_min is outside [-input radius, 0]");
    }
    return TL_OK;
}

/* One row x[0..c) -> y[0..c), float32. */
static void softmax_float(const float *x, float *y, uint32_t c, double beta)
{
    double largest = x[0], sum = 0.0;
    uint32_t i;
    for (i = 1; i < c; i++) {
        largest = (double)x[i] > largest ? (double)x[i] : largest;
    }
    for (i = 0; i < c; i++) {
        sum += tl_exp(beta * ((double)x[i] - largest));
    }
    for (i = 0; i < c; i++) {
        y[i] = (float)(tl_exp(beta * ((double)x[i] - largest)) / sum);
    }
}

/* Q0.31 exp of one entry's scaled diff (the entry must be valid: diff >= diff_min). */
static int32_t exp_of_diff(const tl_quant_params *q, int32_t diff)
{
    const int32_t rescaled = tl_mbqm(diff, q->input_multiplier[0], q->input_shift[0]);
    return tl_gl_exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS);
}

/* One row x[0..c) -> y[0..c), int8; TL_ERROR_KERNEL where the reference raises. */
static tl_status softmax_int8(const tl_quant_params *q, const int8_t *x, int8_t *y, uint32_t c)
{
    int32_t largest = x[0], reciprocal;
    int64_t sum = 0;
    int num_bits_over_unit, exponent;
    uint32_t i;
    for (i = 1; i < c; i++) {
        largest = x[i] > largest ? x[i] : largest;
    }
    for (i = 0; i < c; i++) {
        const int32_t diff = (int32_t)x[i] - largest;
        if (diff >= q->diff_min) {
            sum += tl_gl_rescale(exp_of_diff(q, diff), 0, ACCUMULATION_INTEGER_BITS);
        }
    }
    if (sum > TL_INT32_MAX) {
        return TL_ERROR_KERNEL;
    }
    reciprocal = tl_gl_get_reciprocal((int32_t)sum, ACCUMULATION_INTEGER_BITS, &num_bits_over_unit);
    exponent = num_bits_over_unit + 31 - 8;
    if (exponent < 0 || exponent > 31) {
        return TL_ERROR_KERNEL;
    }
    for (i = 0; i < c; i++) {
        const int32_t diff = (int32_t)x[i] - largest;
        if (diff >= q->diff_min) {
            const int32_t unsaturated = tl_rdbpot(tl_srdhm(reciprocal, exp_of_diff(q, diff)), exponent);
            y[i] = tl_clamp_int8(unsaturated - 128, -128, 127);
        } else {
            y[i] = -128;
        }
    }
    return TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t c = (uint32_t)x->dims[x->rank - 1];
    const uint32_t rows = x->elements / c;
    uint32_t r;
    for (r = 0; r < rows; r++) {
        if (x->dtype == TL_DTYPE_FLOAT32) {
            softmax_float((const float *)x->data + r * c, (float *)y->data + r * c, c,
                          (double)op->options.u.softmax_options.beta);
        } else if (softmax_int8(&op->qp, (const int8_t *)x->data + r * c, (int8_t *)y->data + r * c, c) != TL_OK) {
            return tl_fail(op, TL_ERROR_KERNEL, x, "has a row whose sum of exps TFLite's int8 kernel rejects "
                                                   "(512 or more at the row maximum)");
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_softmax = {TL_OP_SOFTMAX, 1, 1, 1, TL_OPERATOR_OPTIONS_SOFTMAX_OPTIONS, 0u, check, NULL, eval};
