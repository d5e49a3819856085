/* FULLY_CONNECTED: in [..,K] (read as [B,K]), weights [N,K], bias (opt) [N] -> out [..,N] holding [B,N].
 * Reference: converter/reference/ops/fully_connected.py. Int8: acc[n] = bias[n] + sum_k (x - x_zp) * w[n,k] (int32,
 * wrapping as C), requantized per output unit, + y_zp, clamped to [act_min, act_max]. */
#include "tl_fixedpoint.h"
#include "tl_kernel.h"

static tl_status check(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    const tl_tensor *y = tl_output(op, 0);
    const tl_tensor *acts[2];
    int32_t units, depth;
    int is_int8;
    if (tl_require_rank(op, w, 2) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    units = w->dims[0];
    depth = w->dims[1];
    if (x->elements % (uint32_t)depth != 0) {
        return tl_fail(op, TL_ERROR_OPERATOR, x, "does not split into rows of the weights' inputs");
    }
    if (y->rank < 1 || y->dims[y->rank - 1] != units ||
        (uint64_t)y->elements != (uint64_t)(x->elements / (uint32_t)depth) * (uint64_t)units) {
        return tl_fail(op, TL_ERROR_OPERATOR, y, "must have shape [..,N] holding B x N values");
    }
    acts[0] = x;
    acts[1] = y;
    if (tl_require_float_or_int8(op, acts, 2, &is_int8) != TL_OK ||
        tl_check_weights(op, w, b, units, 0, is_int8) != TL_OK) {
        return TL_ERROR_OPERATOR;
    }
    return is_int8 ? tl_require_quant_params(op, units, units, -1, -1, -1) : TL_OK;
}

/* x: [B,K] float32, w: [N,K], b: [N] or NULL -> y: [B,N] */
static void eval_float(const float *x, const float *w, const float *b, float *y, uint32_t rows, uint32_t units,
                       uint32_t depth, int32_t activation)
{
    uint32_t r, n, k;
    for (r = 0; r < rows; r++) {
        for (n = 0; n < units; n++) {
            double acc = 0.0;
            for (k = 0; k < depth; k++) {
                acc += (double)x[r * depth + k] * (double)w[n * depth + k];
            }
            if (b) {
                acc += (double)b[n];
            }
            y[r * units + n] = tl_activate_float((float)acc, activation);
        }
    }
}

/* x: [B,K] int8, w: [N,K] int8, b: [N] int32 or NULL -> y: [B,N] int8 */
static void eval_int8(const tl_op *op, const int8_t *x, const int8_t *w, const int32_t *b, int8_t *y, uint32_t rows,
                      uint32_t units, uint32_t depth, int32_t x_zp, int32_t y_zp)
{
    const tl_quant_params *q = &op->qp;
    uint32_t r, n, k;
    for (r = 0; r < rows; r++) {
        for (n = 0; n < units; n++) {
            uint32_t acc = b ? (uint32_t)b[n] : 0u; /* int32 arithmetic, wrapping as the reference does */
            for (k = 0; k < depth; k++) {
                acc += (uint32_t)(((int32_t)x[r * depth + k] - x_zp) * (int32_t)w[n * depth + k]);
            }
            y[r * units + n] = tl_requantize_int8(tl_wrap32(acc), q->output_multiplier[n], q->output_shift[n], y_zp,
                                                  q->act_min, q->act_max);
        }
    }
}

static tl_status eval(tl_op *op)
{
    const tl_tensor *x = tl_input(op, 0), *w = tl_input(op, 1), *b = tl_input(op, 2);
    tl_tensor *y = tl_output(op, 0);
    const uint32_t units = (uint32_t)w->dims[0], depth = (uint32_t)w->dims[1];
    const uint32_t rows = x->elements / depth;
    if (x->dtype == TL_DTYPE_FLOAT32) {
        eval_float((const float *)x->data, (const float *)w->data, b ? (const float *)b->data : NULL, (float *)y->data,
                   rows, units, depth, op->options.u.fully_connected_options.activation);
    } else {
        eval_int8(op, (const int8_t *)x->data, (const int8_t *)w->data, b ? (const int32_t *)b->data : NULL,
                  (int8_t *)y->data, rows, units, depth, x->zero_point, y->zero_point);
    }
    return TL_OK;
}

const tl_kernel tl_kernel_fully_connected = {TL_OP_FULLY_CONNECTED, 2, 3, 1, TL_OPERATOR_OPTIONS_FULLY_CONNECTED_OPTIONS,
                                             1u << 2, check, NULL, eval};
