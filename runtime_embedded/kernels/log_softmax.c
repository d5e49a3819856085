/* LOG_SOFTMAX: in [..,C] -> out [..,C], over the last axis: z - log(sum(exp(z))) with z = beta * (x - max).
 * Reference: converter/reference/ops/log_softmax.py. Float in double, rounded to float32. Int8 exactly TFLite's
 * reference_ops::LogSoftmax for int8: per row, diff = x - max; entries with diff >= diff_min are rescaled to Q5.26
 * (input multiplier and left shift), exp'd (gemmlowp exp_on_negative_values) and summed in Q12.19; log_sum =
 * log_x_for_x_greater_than_or_equal_to_1<5>(sum); adjusted_diff_min = max(diff_min - 1,
 * MultiplyByQuantizedMultiplier(log_sum + INT32_MIN, output_multiplier[0], output_shift[0])); entries with
 * diff > adjusted_diff_min get RoundingDivideByPOT(scaled_diff - log_sum, 22) + 127, clamped, the others -128.
 * The output is fixed at scale 16/256, zero point 127. A row whose sum of exps passes int32 (4096 or more classes
 * at the row maximum) fails with TL_ERROR_KERNEL where the reference raises. */
#include "kernel_math.h"
#include "tl_gemmlowp.h"
#include "tl_kernel.h"
#include "tl_math.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12
#define OUTPUT_INTEGER_BITS 4

/* gemmlowp/TFLite constants of log_x_for_x_greater_than_or_equal_to_1 (Q0.31 raw values). */
#define LOG_2 1488522236          /* log(2) */
#define SQRT_SQRT_HALF 1805811301 /* 0.5^(1/4) */
#define SQRT_HALF 1518500250      /* sqrt(0.5) */
#define ONE_QUARTER 536870912     /* 1/4 */
#define LOG_ALPHA_N 117049297     /* 11/240 * 2^(1/4) */
#define LOG_ALPHA_D 127690142     /* 1/20 * 2^(1/4) */
#define LOG_ALPHA_I 1057819769    /* 2 / 2^(1/4) - 2^(1/4) */
#define LOG_ALPHA_F 638450708     /* 1/4 * 2^(1/4) */

static int32_t saturating_add(int32_t a, int32_t b)
{
    const int64_t v = (int64_t)a + b;
    return v > TL_INT32_MAX ? TL_INT32_MAX : (v < TL_INT32_MIN ? TL_INT32_MIN : (int32_t)v);
}

static int32_t saturating_sub(int32_t a, int32_t b)
{
    const int64_t v = (int64_t)a - b;
    return v > TL_INT32_MAX ? TL_INT32_MAX : (v < TL_INT32_MIN ? TL_INT32_MIN : (int32_t)v);
}

/* FixedPoint<int32, Q12> x >= 1 -> FixedPoint<int32, Q5> log(x) (TFLite's
 * log_x_for_x_greater_than_or_equal_to_1_impl, as converter/reference/gemmlowp.py): x = 2^z * r with r near 1,
 * found from x's leading zeros and from those of x * sqrt(1/2), keeping the smaller r; log(x) = z log 2 + log(r),
 * log(r) a rational function of q = 2 (r - 2^-1/4). */
static int32_t log_q12_to_q5(int32_t x)
{
    const int input_integer_bits = ACCUMULATION_INTEGER_BITS;
    const int accum_bits = SCALED_DIFF_INTEGER_BITS + 1; /* headroom: z * log 2 may saturate */
    const int32_t shifted_quarter = tl_gl_rescale(ONE_QUARTER, 0, accum_bits);
    const int z_a_headroom_plus_1 = tl_clz32((uint32_t)x);
    const int32_t r_a_tmp = tl_srmbpot(x, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = tl_srmbpot(tl_srdhm(r_a_tmp, SQRT_HALF), 1);
    const int32_t z_a_pow_2_adj =
        saturating_add(tl_srmbpot(input_integer_bits - z_a_headroom_plus_1, 31 - accum_bits), shifted_quarter);
    const int32_t z_b = tl_srdhm(x, SQRT_HALF);
    const int z_b_headroom = tl_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = tl_srmbpot(x, z_b_headroom);
    const int32_t z_b_pow_2_adj =
        saturating_sub(tl_srmbpot(input_integer_bits - z_b_headroom, 31 - accum_bits), shifted_quarter);
    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    const int32_t p = tl_gl_rounding_half_sum(r, SQRT_SQRT_HALF);
    const int32_t q0 = tl_sub_wrap(r, SQRT_SQRT_HALF);
    const int32_t q = tl_add_wrap(q0, q0);
    const int32_t common_sq = tl_srdhm(q, q);
    const int32_t num = tl_add_wrap(tl_srdhm(q, r), tl_srdhm(tl_srdhm(q, common_sq), LOG_ALPHA_N));
    const int32_t denom_minus_one_0 =
        tl_add_wrap(tl_srdhm(p, tl_add_wrap(tl_add_wrap(LOG_ALPHA_I, q), tl_srdhm(LOG_ALPHA_D, common_sq))),
                    tl_srdhm(LOG_ALPHA_F, q));
    const int32_t recip_denom = tl_gl_one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0);
    const int32_t num_scaled = tl_gl_rescale(num, 0, accum_bits);
    return tl_gl_rescale(tl_add_wrap(tl_srdhm(z_pow_2_adj, LOG_2), tl_srdhm(num_scaled, recip_denom)), accum_bits,
                         SCALED_DIFF_INTEGER_BITS);
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
    if (!(beta > 0.0f && tl_isfinite_f32(beta))) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "softmax beta must be finite and > 0");
    }
    if (tl_check_unary(op, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (y->scale != 16.0f / 256.0f || y->zero_point != 127) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "int8 LOG_SOFTMAX output must have scale 16/256 and zero point 127");
    }
    real = (double)beta * (double)x->scale * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
    if (!(real > 1.0)) { /* capped at 2^31 - 1 in TFLite; only "> 1" matters here */
        return tl_fail(op, TL_ERROR_OPERATOR, x, "beta * input scale is too small for TFLite's int8 kernel");
    }
    if (tl_require_quant_params(op, 1, 1, 1, 1, -1) != TL_OK) {
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
    if (q->output_shift[0] > 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.output_shift[0] (the reverse scaling) must be <= 0");
    }
    return TL_OK;
}

/* One row x[0..c) -> y[0..c), float32. */
static void log_softmax_float(const float *x, float *y, uint32_t c, double beta)
{
    double largest = x[0], sum = 0.0, log_sum;
    uint32_t i;
    for (i = 1; i < c; i++) {
        largest = (double)x[i] > largest ? (double)x[i] : largest;
    }
    for (i = 0; i < c; i++) {
        sum += tl_exp(beta * ((double)x[i] - largest));
    }
    log_sum = tl_kmath_log(sum);
    for (i = 0; i < c; i++) {
        y[i] = (float)(beta * ((double)x[i] - largest) - log_sum);
    }
}

/* Q5.26 beta * diff of one entry with diff >= diff_min (the reference rescales 0 for the others). */
static int32_t scaled_diff(const tl_quant_params *q, int32_t diff)
{
    return tl_mbqm(diff >= q->diff_min ? diff : 0, q->input_multiplier[0], q->input_shift[0]);
}

/* One row x[0..c) -> y[0..c), int8; TL_ERROR_KERNEL where the reference raises. */
static tl_status log_softmax_int8(const tl_quant_params *q, const int8_t *x, int8_t *y, uint32_t c)
{
    const int shift = 31 - SCALED_DIFF_INTEGER_BITS - OUTPUT_INTEGER_BITS;
    int32_t largest = x[0], log_sum, reverse, adjusted_diff_min;
    int64_t sum = 0;
    uint32_t i;
    for (i = 1; i < c; i++) {
        largest = x[i] > largest ? x[i] : largest;
    }
    for (i = 0; i < c; i++) {
        const int32_t diff = (int32_t)x[i] - largest;
        if (diff >= q->diff_min) {
            const int32_t e = tl_gl_exp_on_negative_values(scaled_diff(q, diff), SCALED_DIFF_INTEGER_BITS);
            sum += tl_gl_rescale(e, 0, ACCUMULATION_INTEGER_BITS);
        }
    }
    if (sum > TL_INT32_MAX) {
        return TL_ERROR_KERNEL;
    }
    log_sum = log_q12_to_q5((int32_t)sum); /* sum >= 1: the row maximum contributes exp(0) */
    reverse = tl_mbqm(tl_add_wrap(log_sum, TL_INT32_MIN), q->output_multiplier[0], q->output_shift[0]);
    adjusted_diff_min = q->diff_min - 1 > reverse ? q->diff_min - 1 : reverse;
    for (i = 0; i < c; i++) {
        const int32_t diff = (int32_t)x[i] - largest;
        if (diff > adjusted_diff_min) {
            const int32_t v = tl_rdbpot(tl_sub_wrap(scaled_diff(q, diff), log_sum), shift);
            y[i] = tl_clamp_int8(v + 127, -128, 127); /* |v| <= 2^9: no overflow */
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
            log_softmax_float((const float *)x->data + r * c, (float *)y->data + r * c, c,
                              (double)op->options.u.softmax_options.beta);
        } else if (log_softmax_int8(&op->qp, (const int8_t *)x->data + r * c, (int8_t *)y->data + r * c, c) !=
                   TL_OK) {
            return tl_fail(op, TL_ERROR_KERNEL, x, "has a row whose sum of exps overflows TFLite's int32 "
                                                   "accumulator (4096 or more classes at the row maximum)");
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_log_softmax = {TL_OP_LOG_SOFTMAX, 1, 1, 1, TL_OPERATOR_OPTIONS_SOFTMAX_OPTIONS, 0u, check,
                                         NULL, eval};
