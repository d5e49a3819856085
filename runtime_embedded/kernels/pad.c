/* PAD: in [d0,..] -> out [d0+before_0+after_0, ..], the border filled with a constant.
 * Reference: converter/reference/ops/pad.py. paddings holds (before_0, after_0, before_1, ...), all >= 0. Float:
 * the border is options.value; int8: input and output share quantization and the border is quant_params.constant
 * (the value quantized offline). Any rank up to TL_MAX_RANK. */
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *y = tl_output(op, 0);
    const tl_pad_options *o = &op->options.u.pad_options;
    const tl_tensor *acts[2];
    int64_t dims[TL_MAX_RANK];
    uint32_t d;
    int is_int8;
    if (o->paddings_count != 2u * x->rank) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "PAD paddings must hold a before and an after for each dim");
    }
    if (tl_require_at_least(op, o->paddings, o->paddings_count, 0, "PAD paddings must be >= 0") != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    for (d = 0; d < x->rank; d++) {
        dims[d] = (int64_t)x->dims[d] + o->paddings[2 * d] + o->paddings[2 * d + 1];
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_dims(op, y, dims, x->rank) != TL_OK || tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (!is_int8) {
        return TL_OK;
    }
    if (tl_require_same_quantization(op, x, y) != TL_OK || tl_require_quant_params(op, -1, -1, -1, -1, -1) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    if (op->qp.constant < -128 || op->qp.constant > 127) {
        return tl_fail(op, TL_ERROR_OPERATOR, NULL, "quant_params.constant is outside [-128, 127]");
    }
    return TL_OK;
}

/* Fill n elements of size `size` at dst with the element at fill. */
static void fill_elements(uint8_t *dst, const uint8_t *fill, uint32_t size, uint32_t n)
{
    uint32_t i;
    if (size == 1) {
        tl_fill(dst, fill[0], n);
        return;
    }
    for (i = 0; i < n; i++) {
        tl_copy(dst + (size_t)i * size, fill, size);
    }
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0);
    tl_tensor *y = tl_output(op, 0);
    const int32_t *pads = op->options.u.pad_options.paddings;
    const uint32_t size = x->dtype == TL_DTYPE_FLOAT32 ? 4u : 1u;
    const uint8_t *src = (const uint8_t *)x->data;
    uint8_t *dst = (uint8_t *)y->data;
    uint8_t fill[4];
    int32_t index[TL_MAX_RANK];
    uint32_t x_stride[TL_MAX_RANK];
    uint32_t rank = x->rank, last, rows, row, d;
    uint32_t out_row, in_row, before, after;
    if (size == 4) {
        const float value = op->options.u.pad_options.value;
        tl_copy(fill, &value, 4);
    } else {
        fill[0] = (uint8_t)(int8_t)op->qp.constant;
    }
    if (rank == 0) {
        tl_copy(dst, src, size);
        return TL_OK;
    }
    last = rank - 1;
    out_row = (uint32_t)y->dims[last];
    in_row = (uint32_t)x->dims[last];
    before = (uint32_t)pads[2 * last];
    after = (uint32_t)pads[2 * last + 1];
    rows = y->elements / out_row;
    tl_fill(index, 0, sizeof index);
    x_stride[last] = 1;
    for (d = last; d-- > 0;) {
        x_stride[d] = x_stride[d + 1] * (uint32_t)x->dims[d + 1];
    }
    for (row = 0; row < rows; row++) {
        uint8_t *out = dst + (size_t)row * out_row * size;
        uint32_t in_at = 0;
        int inside = 1;
        for (d = 0; d < last; d++) {
            const int32_t i = index[d] - pads[2 * d];
            if (i < 0 || i >= x->dims[d]) {
                inside = 0;
                break;
            }
            in_at += (uint32_t)i * x_stride[d];
        }
        if (!inside) {
            fill_elements(out, fill, size, out_row);
        } else {
            fill_elements(out, fill, size, before);
            tl_copy(out + (size_t)before * size, src + (size_t)in_at * size, (size_t)in_row * size);
            fill_elements(out + ((size_t)before + in_row) * size, fill, size, after);
        }
        for (d = last; d-- > 0;) { /* next row: advance the outer indices */
            if (++index[d] < y->dims[d]) {
                break;
            }
            index[d] = 0;
        }
    }
    return TL_OK;
}

const tl_kernel tl_kernel_pad = {TL_OP_PAD, 1, 1, 1, TL_OPERATOR_OPTIONS_PAD_OPTIONS, 0u, check, NULL, eval};
