/* TRANSPOSE: in [d0,..,dn-1] -> out [d_perm[0],..,d_perm[n-1]], out[i_0,..] = in[j] with j[perm[k]] = i_k.
 * Reference: converter/reference/ops/transpose.py. Pure data movement (int8 input and output share quantization);
 * any rank up to TL_MAX_RANK. perm must be a permutation of the input's dims. */
#include "nd_walk.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const tl_transpose_options *o = &op->options.u.transpose_options;
    const tl_tensor *acts[2];
    int64_t dims[TL_MAX_RANK];
    uint32_t seen = 0u, k;
    int is_int8;
    if (o->perm_count != x->rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "TRANSPOSE perm must have one entry per input dim");
    }
    for (k = 0; k < x->rank; k++) {
        const int32_t p = o->perm[k];
        if (p < 0 || (uint32_t)p >= x->rank || (seen >> p) & 1u) {
            return tl_fail(op, TL_ERROR_OPERATOR, NULL, "TRANSPOSE perm is not a permutation of the input's dims");
        }
        seen |= 1u << p;
        dims[k] = x->dims[p];
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
    const int32_t *perm = op->options.u.transpose_options.perm;
    uint32_t strides[TL_MAX_RANK], step[TL_MAX_RANK], k, i;
    tl_nd_walk w;
    tl_nd_strides(x, strides);
    for (k = 0; k < x->rank; k++) {
        step[k] = strides[perm[k]];
    }
    tl_nd_walk_init(&w, y->rank, y->dims, step, 0u);
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

const tl_kernel tl_kernel_transpose = {TL_OP_TRANSPOSE, 1, 1, 1, TL_OPERATOR_OPTIONS_TRANSPOSE_OPTIONS, 0u, check,
                                       NULL, eval};
