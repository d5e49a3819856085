/* The kernel interface: what one op's kernel receives and the three steps it implements.
 *
 * A kernel lives in kernels/<op>.c (the name of converter/reference/ops/<op>.py) and defines one
 *   const tl_kernel tl_kernel_<op> = { TL_OP_<OP>, min_inputs, max_inputs, outputs, options type,
 *                                       optional-input mask, check, prepare (or NULL), eval };
 * listed once in tl_op_table.c. The core has already checked, before any step runs: the operator's arity and
 * options type against these fields; that every tensor index is valid, every output is an activation, absent
 * inputs (-1) appear only at optional positions; every tensor's dims (>= 1, rank <= TL_MAX_RANK), byte size,
 * quantization (scales finite and > 0, zero points inside the dtype, axis and count consistent) and placement.
 *
 *   check(op)    at load AND at bind: enforce the op's rule exactly as the reference op's check() does (shapes,
 *                dtypes, options, quant_params lengths and ranges), so that eval can never read or write out of
 *                bounds on any file that passes; may set op->state_bytes (per-op state it wants in the arena).
 *                Activations' data pointers are NULL at load: check must look at metadata only. Tensor
 *                pointers from tl_input/tl_output are valid only during the call.
 *   prepare(op)  at bind, after check: may precompute into op->state (op->state_bytes bytes, 16-byte aligned,
 *                zeroed). NULL when there is nothing to do.
 *   eval(op)     at invoke: compute the outputs from the inputs; bit-exact with the reference op in int8, within
 *                1e-5 (relative to the output's largest magnitude) in float32. Returns TL_OK, or
 *                tl_fail(op, TL_ERROR_KERNEL, ...) where the reference raises on the data. eval changes nothing
 *                in *op but op->why (through tl_fail) and the bytes of op->state.
 * A failing step returns a status through tl_fail(), naming what was wrong; the core adds the operator.
 * The tl_op a step receives is rebuilt by the core for that call (the arena keeps only a compact per-op slot):
 * keep nothing that must outlive the call anywhere but in op->state.
 */
#ifndef TL_KERNEL_H
#define TL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "tensorlet.h"
#include "tl_schema.h"

#ifndef TL_MAX_OP_INPUTS
#define TL_MAX_OP_INPUTS 16 /* inputs per operator this build accepts (CONCATENATION may have more: TL_ERROR_LIMIT) */
#endif
#define TL_MAX_OP_OUTPUTS 4

/* An operator's decoded OperatorOptions: `type` is its TL_OPERATOR_OPTIONS_* member id (0: none) and u holds
 * the member of that name (e.g. u.conv2d_options); vector fields point into the model file. */
typedef struct tl_options {
    uint8_t type;
    union {
        uint8_t none;
#define TL_OPTIONS_MEMBER_(UPPER, lower, id, table) tl_##lower lower;
        TL_OPERATOR_OPTIONS_LIST(TL_OPTIONS_MEMBER_)
#undef TL_OPTIONS_MEMBER_
    } u;
} tl_options;

struct tl_kernel;

/* One operator, as a kernel sees it. */
typedef struct tl_op {
    const struct tl_kernel *kernel;
    tl_tensor *tensors;        /* the tensor table that input_ids/output_ids index (use tl_input/tl_output) */
    const int32_t *input_ids;  /* num_inputs ids; -1 for an absent optional input */
    const int32_t *output_ids; /* num_outputs ids */
    void *state;               /* per-op state in the arena (prepare/eval), state_bytes long; NULL when 0 */
    const char *why;           /* set by tl_fail: what was wrong */
    const tl_tensor *why_tensor; /* set by tl_fail: the tensor concerned, or NULL */
    uint32_t index;            /* position in the model's execution order */
    uint32_t state_bytes;      /* set by check: per-op state wanted */
    uint16_t opcode;           /* TL_OP_* */
    uint16_t num_inputs;
    uint16_t num_outputs;
    uint8_t has_quant_params;  /* 0 when the operator has no QuantParams table (qp then holds its defaults) */
    tl_options options;
    tl_quant_params qp;        /* Operator.quant_params, vectors in the model file */
} tl_op;

/* An op's kernel: its arity and options type (checked by the core) and its steps (see the top of this file). */
typedef struct tl_kernel {
    uint16_t opcode;           /* TL_OP_* */
    uint8_t min_inputs;
    uint8_t max_inputs;
    uint8_t outputs;
    uint8_t options_type;      /* TL_OPERATOR_OPTIONS_* the op takes, TL_OPERATOR_OPTIONS_NONE for none */
    uint32_t optional_inputs;  /* bit k set: input k may be absent (-1) */
    tl_status (*check)(tl_op *op);
    tl_status (*prepare)(tl_op *op);
    tl_status (*eval)(tl_op *op);
} tl_kernel;

/* The kernel for an opcode in this build, or NULL (tl_op_table.c). */
const tl_kernel *tl_op_kernel(uint32_t opcode);

/* Input k of the operator (k < num_inputs), NULL for an absent optional input. */
static inline const tl_tensor *tl_input(const tl_op *op, uint32_t k)
{
    return (k < op->num_inputs && op->input_ids[k] >= 0) ? &op->tensors[op->input_ids[k]] : NULL;
}

/* Output k of the operator (k < num_outputs). */
static inline tl_tensor *tl_output(const tl_op *op, uint32_t k)
{
    return &op->tensors[op->output_ids[k]];
}

/* Record why a check/prepare step failed (a static phrase, and the tensor concerned or NULL); returns status.
 * Built with -DTL_NO_DETAIL_MESSAGES, the phrase is dropped at every call (the status is kept): see tensorlet.h. */
tl_status tl_fail(tl_op *op, tl_status status, const tl_tensor *tensor, const char *why);
#ifdef TL_NO_DETAIL_MESSAGES
#define tl_fail(op, status, tensor, why) ((void)(why), tl_fail(op, status, tensor, (const char *)0))
#endif

/* ---- checks shared by the kernels' check steps (each returns TL_OK or fails with TL_ERROR_OPERATOR) ---- */

/* tensor has rank `rank`. */
tl_status tl_require_rank(tl_op *op, const tl_tensor *t, uint32_t rank);

/* t has exactly the dims dims[0..rank). */
tl_status tl_require_dims(tl_op *op, const tl_tensor *t, const int64_t *dims, uint32_t rank);

/* t has the same shape as like. */
tl_status tl_require_same_shape(tl_op *op, const tl_tensor *t, const tl_tensor *like);

/* t has dtype `dtype`. */
tl_status tl_require_dtype(tl_op *op, const tl_tensor *t, uint32_t dtype);

/* t is int8 with one scale and zero point. */
tl_status tl_require_per_tensor(tl_op *op, const tl_tensor *t);

/* ts[0..n) all float32, or all int8 per-tensor (reference: require_float_or_int8); *is_int8 says which. */
tl_status tl_require_float_or_int8(tl_op *op, const tl_tensor *const *ts, uint32_t n, int *is_int8);

/* a and b share scale and zero point (int8). */
tl_status tl_require_same_quantization(tl_op *op, const tl_tensor *a, const tl_tensor *b);

/* The op has quant_params whose vectors have these lengths (-1: not checked), every shift in [-31, 31], every
 * multiplier >= 0 and -128 <= act_min <= act_max <= 127 (reference: require_quant_params). */
tl_status tl_require_quant_params(tl_op *op, int32_t output_multipliers, int32_t output_shifts,
                                  int32_t input_multipliers, int32_t input_shifts, int32_t lut);

/* Filter/weights w and optional bias b of a conv-like op with `channels` output channels along `axis`
 * (reference: check_weights): float32, or int8 symmetric per-tensor/per-channel with an int32 bias. */
tl_status tl_check_weights(tl_op *op, const tl_tensor *w, const tl_tensor *b, int64_t channels, int32_t axis,
                           int is_int8);

/* An elementwise op y = f(x): same shape, float32 or int8 (reference: check_unary). */
tl_status tl_check_unary(tl_op *op, int *is_int8);

/* An elementwise op y = f(a, b): a and b broadcast to y's shape, all float32 or all int8 per-tensor (reference:
 * check_binary). */
tl_status tl_check_binary(tl_op *op, int *is_int8);

/* An int8 op given by its 256-entry table quant_params.lut (reference: check_lut). */
tl_status tl_check_lut(tl_op *op);

/* Each of n values (named for the message) is >= minimum. */
tl_status tl_require_at_least(tl_op *op, const int32_t *values, uint32_t n, int32_t minimum, const char *why);
#ifdef TL_NO_DETAIL_MESSAGES
#define tl_require_at_least(op, values, n, minimum, why) tl_require_at_least(op, values, n, minimum, (const char *)0)
#endif

/* Output length of a strided, dilated window over a padded axis: floor((size + pads - effective) / stride) + 1,
 * in 64 bits (inputs may be any int32). */
int64_t tl_conv_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_before,
                            int64_t pad_after);

/* ---- small shared pieces of eval ---- */

/* A fused activation on a float32 value (NaN stays NaN). */
static inline float tl_activate_float(float x, int32_t activation)
{
    if (activation == TL_ACTIVATION_RELU) {
        return x < 0.0f ? 0.0f : x;
    }
    if (activation == TL_ACTIVATION_RELU6) {
        return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    }
    return x;
}

/* Clamp an int32 value to [lo, hi] and narrow it to int8 (lo, hi inside int8). */
static inline int8_t tl_clamp_int8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* Copy n bytes (regions must not overlap); the core brings its own so it needs no libc. */
void tl_copy(void *dst, const void *src, size_t n);

/* Set n bytes to value. */
void tl_fill(void *dst, uint8_t value, size_t n);

/* numpy broadcasting of two inputs to an output of rank <= TL_MAX_RANK: for output element i (row-major),
 * the element offsets into a and b. Initialise with tl_broadcast_init, then read a_at/b_at and call
 * tl_broadcast_next once per output element. */
typedef struct tl_broadcast {
    uint32_t rank;
    int32_t dims[TL_MAX_RANK];
    uint32_t a_stride[TL_MAX_RANK]; /* 0 along broadcast dims */
    uint32_t b_stride[TL_MAX_RANK];
    int32_t index[TL_MAX_RANK];
    uint32_t a_at, b_at;
} tl_broadcast;

/* Set up the walk of out's elements over inputs a and b (shapes already checked to broadcast to out). */
void tl_broadcast_init(tl_broadcast *it, const tl_tensor *out, const tl_tensor *a, const tl_tensor *b);

/* Advance to the next output element. */
void tl_broadcast_next(tl_broadcast *it);

/* The numpy broadcast shape of a and b into dims (rank max of both); TL_OK, or fails when they do not broadcast
 * or the result differs from out's shape (reference: check_binary's shape rule). */
tl_status tl_require_broadcast_to(tl_op *op, const tl_tensor *a, const tl_tensor *b, const tl_tensor *out);

#endif /* TL_KERNEL_H */
