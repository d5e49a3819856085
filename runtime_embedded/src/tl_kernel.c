/* Helpers shared by the kernels: failure reporting, the common checks of converter/reference/ops/common.py,
 * numpy broadcasting, and memory copy/fill (no libc). */
#include "tl_kernel.h"

tl_status(tl_fail)(tl_op *op, tl_status status, const tl_tensor *tensor, const char *why)
{
    op->why = why;
    op->why_tensor = tensor;
    return status;
}

void tl_copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    while (n--) {
        *d++ = *s++;
    }
}

void tl_fill(void *dst, uint8_t value, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    while (n--) {
        *d++ = value;
    }
}

tl_status tl_require_rank(tl_op *op, const tl_tensor *t, uint32_t rank)
{
    if (t->rank != rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, t, rank == 4 ? "must have rank 4" : (rank == 2 ? "must have rank 2"
                                                                                               : "has the wrong rank"));
    }
    return TL_OK;
}

tl_status tl_require_dims(tl_op *op, const tl_tensor *t, const int64_t *dims, uint32_t rank)
{
    uint32_t i;
    if (t->rank != rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, t, "has the wrong rank for the op's output shape rule");
    }
    for (i = 0; i < rank; i++) {
        if ((int64_t)t->dims[i] != dims[i]) {
            return tl_fail(op, TL_ERROR_OPERATOR, t, "has a shape the op's rule does not give");
        }
    }
    return TL_OK;
}

tl_status tl_require_same_shape(tl_op *op, const tl_tensor *t, const tl_tensor *like)
{
    int64_t dims[TL_MAX_RANK];
    uint32_t i;
    for (i = 0; i < like->rank; i++) {
        dims[i] = like->dims[i];
    }
    return tl_require_dims(op, t, dims, like->rank);
}

tl_status tl_require_dtype(tl_op *op, const tl_tensor *t, uint32_t dtype)
{
    if (t->dtype != dtype) {
        return tl_fail(op, TL_ERROR_OPERATOR, t, dtype == TL_DTYPE_FLOAT32 ? "must be FLOAT32" :
                                                 dtype == TL_DTYPE_INT8 ? "must be INT8" :
                                                 dtype == TL_DTYPE_INT32 ? "must be INT32" : "has the wrong dtype");
    }
    return TL_OK;
}

tl_status tl_require_per_tensor(tl_op *op, const tl_tensor *t)
{
    if (t->quant_count != 1 || t->quant_axis >= 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, t, "needs per-tensor quantization (one scale and zero point)");
    }
    return TL_OK;
}

tl_status tl_require_float_or_int8(tl_op *op, const tl_tensor *const *ts, uint32_t n, int *is_int8)
{
    const uint32_t dtype = ts[0]->dtype;
    uint32_t i;
    if (dtype != TL_DTYPE_FLOAT32 && dtype != TL_DTYPE_INT8) {
        return tl_fail(op, TL_ERROR_OPERATOR, ts[0], "is neither FLOAT32 nor INT8; this op runs on those");
    }
    for (i = 1; i < n; i++) {
        if (ts[i]->dtype != dtype) {
            return tl_fail(op, TL_ERROR_OPERATOR, ts[i], "has a different dtype than the op's other activations");
        }
    }
    if (dtype == TL_DTYPE_INT8) {
        for (i = 0; i < n; i++) {
            if (tl_require_per_tensor(op, ts[i]) != TL_OK) {
                return TL_ERROR_OPERATOR;
            }
        }
    }
    *is_int8 = dtype == TL_DTYPE_INT8;
    return TL_OK;
}

tl_status tl_require_same_quantization(tl_op *op, const tl_tensor *a, const tl_tensor *b)
{
    if (a->scale != b->scale || a->zero_point != b->zero_point) {
        return tl_fail(op, TL_ERROR_OPERATOR, b, "must share scale and zero point with the op's input");
    }
    return TL_OK;
}

static int length_ok(int32_t want, uint32_t got)
{
    return want < 0 || (uint32_t)want == got;
}

tl_status tl_require_quant_params(tl_op *op, int32_t output_multipliers, int32_t output_shifts,
                                  int32_t input_multipliers, int32_t input_shifts, int32_t lut)
{
    const tl_quant_params *q = &op->qp;
    uint32_t i;
    if (!op->has_quant_params) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "int8 op has no quant_params");
    }
    if (!length_ok(output_multipliers, q->output_multiplier_count)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.output_multiplier has the wrong length");
    }
    if (!length_ok(output_shifts, q->output_shift_count)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.output_shift has the wrong length");
    }
    if (!length_ok(input_multipliers, q->input_multiplier_count)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.input_multiplier has the wrong length");
    }
    if (!length_ok(input_shifts, q->input_shift_count)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.input_shift has the wrong length");
    }
    if (!length_ok(lut, q->lut_count)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.lut has the wrong length");
    }
    for (i = 0; i < q->output_shift_count; i++) {
        if (q->output_shift[i] < -31 || q->output_shift[i] > 31) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.output_shift is outside [-31, 31]");
        }
    }
    for (i = 0; i < q->input_shift_count; i++) {
        if (q->input_shift[i] < -31 || q->input_shift[i] > 31) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.input_shift is outside [-31, 31]");
        }
    }
    for (i = 0; i < q->output_multiplier_count; i++) {
        if (q->output_multiplier[i] < 0) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.output_multiplier is negative");
        }
    }
    for (i = 0; i < q->input_multiplier_count; i++) {
        if (q->input_multiplier[i] < 0) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.input_multiplier is negative");
        }
    }
    if (!(-128 <= q->act_min && q->act_min <= q->act_max && q->act_max <= 127)) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params activation range is not inside [-128, 127]");
    }
    return TL_OK;
}

tl_status tl_check_weights(tl_op *op, const tl_tensor *w, const tl_tensor *b, int64_t channels, int32_t axis,
                           int is_int8)
{
    uint32_t i;
    if (b != NULL) {
        const int64_t dims[1] = {channels};
        if (tl_require_dims(op, b, dims, 1) != TL_OK) {
            return tl_fail(op, TL_ERROR_OPERATOR, b, "bias must be [output channels]");
        }
    }
    if (!is_int8) {
        if (tl_require_dtype(op, w, TL_DTYPE_FLOAT32) != TL_OK) {
            return TL_ERROR_OPERATOR;
        }
        return b ? tl_require_dtype(op, b, TL_DTYPE_FLOAT32) : TL_OK;
    }
    if (w->dtype != TL_DTYPE_INT8) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "weights of an int8 op must be INT8");
    }
    if (w->quant_count == 0 || (w->quant_count != 1 && (int64_t)w->quant_count != channels)) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "int8 weights need 1 or one-per-channel scales");
    }
    if (w->quant_count != 1 && w->quant_axis != axis) {
        return tl_fail(op, TL_ERROR_OPERATOR, w, "int8 weights are quantized along the wrong axis");
    }
    for (i = 0; i < w->quant_count; i++) {
        if (w->zero_points[i] != 0) {
            return tl_fail(op, TL_ERROR_OPERATOR, w, "int8 weights must be symmetric (zero point 0)");
        }
    }
    if (b != NULL && b->dtype != TL_DTYPE_INT32) {
        return tl_fail(op, TL_ERROR_OPERATOR, b, "bias of an int8 op must be INT32");
    }
    return TL_OK;
}

tl_status tl_check_unary(tl_op *op, int *is_int8)
{
    const tl_tensor *ts[2];
    ts[0] = tl_input(op, 0);
    ts[1] = tl_output(op, 0);
    if (tl_require_same_shape(op, ts[1], ts[0]) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return tl_require_float_or_int8(op, ts, 2, is_int8);
}

tl_status tl_check_binary(tl_op *op, int *is_int8)
{
    const tl_tensor *ts[3];
    ts[0] = tl_input(op, 0);
    ts[1] = tl_input(op, 1);
    ts[2] = tl_output(op, 0);
    if (tl_require_broadcast_to(op, ts[0], ts[1], ts[2]) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return tl_require_float_or_int8(op, ts, 3, is_int8);
}

tl_status tl_check_lut(tl_op *op)
{
    return tl_require_quant_params(op, -1, -1, -1, -1, 256); /* lut entries are int8 by type */
}

tl_status(tl_require_at_least)(tl_op *op, const int32_t *values, uint32_t n, int32_t minimum, const char *why)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (values[i] < minimum) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, why);
        }
    }
    return TL_OK;
}

int64_t tl_conv_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_before,
                            int64_t pad_after)
{
    const int64_t effective = (kernel - 1) * dilation + 1;
    const int64_t span = size + pad_before + pad_after - effective;
    const int64_t q = span / stride; /* stride >= 1 here; make it floor division */
    return (span % stride != 0 && span < 0 ? q - 1 : q) + 1;
}

tl_status tl_require_broadcast_to(tl_op *op, const tl_tensor *a, const tl_tensor *b, const tl_tensor *out)
{
    const uint32_t rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[TL_MAX_RANK];
    uint32_t i;
    for (i = 0; i < rank; i++) {
        const int64_t da = i + a->rank >= rank ? a->dims[i + a->rank - rank] : 1;
        const int64_t db = i + b->rank >= rank ? b->dims[i + b->rank - rank] : 1;
        if (da != db && da != 1 && db != 1) {
            return tl_fail(op, TL_ERROR_OPERATOR, b, "does not broadcast with the op's first input");
        }
        dims[i] = da == 1 ? db : da;
    }
    return tl_require_dims(op, out, dims, rank);
}

void tl_broadcast_init(tl_broadcast *it, const tl_tensor *out, const tl_tensor *a, const tl_tensor *b)
{
    uint32_t i, sa = 1, sb = 1;
    it->rank = out->rank;
    for (i = out->rank; i-- > 0;) {
        const int32_t da = i + a->rank >= out->rank ? a->dims[i + a->rank - out->rank] : 1;
        const int32_t db = i + b->rank >= out->rank ? b->dims[i + b->rank - out->rank] : 1;
        it->dims[i] = out->dims[i];
        it->index[i] = 0;
        it->a_stride[i] = da == 1 ? 0 : sa;
        it->b_stride[i] = db == 1 ? 0 : sb;
        sa *= (uint32_t)da;
        sb *= (uint32_t)db;
    }
    it->a_at = 0;
    it->b_at = 0;
}

void tl_broadcast_next(tl_broadcast *it)
{
    uint32_t i = it->rank;
    while (i-- > 0) {
        it->index[i]++;
        it->a_at += it->a_stride[i];
        it->b_at += it->b_stride[i];
        if (it->index[i] < it->dims[i]) {
            return;
        }
        it->a_at -= it->a_stride[i] * (uint32_t)it->dims[i];
        it->b_at -= it->b_stride[i] * (uint32_t)it->dims[i];
        it->index[i] = 0;
    }
}
