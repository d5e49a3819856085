/* SLICE: in [d0,..] -> out[k0,..] = in[begin_0 + k0*strides_0, ..], k_i < ceil((end_i - begin_i) / strides_i).
 * Reference: converter/reference/ops/slice.py. Pure data movement (int8 input and output share quantization);
 * 0 <= begin < end <= dim and strides >= 1 on every axis keep every read inside the input. */
#include "nd_walk.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const tl_slice_options *o = &op->options.u.slice_options;
    const tl_tensor *acts[2];
    int64_t dims[TL_MAX_RANK];
    uint32_t d;
    int is_int8;
    if (o->begin_count != x->rank || o->end_count != x->rank || o->strides_count != x->rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "SLICE begin, end and strides need one entry per input dim");
    }
    for (d = 0; d < x->rank; d++) {
        const int64_t begin = o->begin[d], end = o->end[d], stride = o->strides[d];
        if (stride < 1) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "SLICE strides must be >= 1");
        }
        if (!(0 <= begin && begin < end && end <= x->dims[d])) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "SLICE window needs 0 <= begin < end <= dim on every axis");
        }
        dims[d] = (end - begin + stride - 1) / stride;
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, x->rank) != TL_OK || tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_same_quantization(op, x, y) : TL_OK;
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const tl_slice_options *o = &op->options.u.slice_options;
    uint32_t strides[TL_MAX_RANK], step[TL_MAX_RANK], at = 0, d, i;
    tl_nd_walk w;
    tl_nd_strides(x, strides);
    for (d = 0; d < x->rank; d++) {
        step[d] = (uint32_t)o->strides[d] * strides[d]; /* modulo 2^32: only ever used to reach real elements */
        at += (uint32_t)o->begin[d] * strides[d];
    }
    tl_nd_walk_init(&w, y->rank, y->dims, step, at);
    if (x->dtype == TL_DTYPE_FLOAT32) {
        const float *src = (const float *)x->data;
        float *dst = (float *)y->data;
        for (i = 0; i < y->elements; i++, tl_nd_walk_next(&w)) {
            dst[i] = src[w.at];
        }
    } else {
        const int8_t *src = (const int8_t *)x->data;
        int8_t *dst = (int8_t *)y->data;
        for (i = 0; i < y->elements; i++, tl_nd_walk_next(&w)) {
            dst[i] = src[w.at];
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_slice = {TL_OP_SLICE, 1, 1, 1, TL_OPERATOR_OPTIONS_SLICE_OPTIONS, 0u, check, NULL, eval};
