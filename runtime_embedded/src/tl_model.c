/* The core: load (verify the whole file), size and bind the arena, invoke, and describe tensors.
 *
 * Validation mirrors converter/fbs_decode.py, converter/reader.py and converter/validate.py. The graph-wide rules
 * that need working memory proportional to the model (each activation written once and before it is read, model
 * inputs/outputs not repeated, live activations never sharing arena bytes) run in tl_model_bind, on the arena.
 */
#include "tl_fb.h"
#include "tl_kernel.h"
#include "tl_math.h"

enum { STAGE_EMPTY = 0, STAGE_LOADED = 1, STAGE_BOUND = 2 };

#define MAX_TENSOR_BYTES 0x7FFFFFFFu /* 2 GiB - 1, as validate.py */

/* What the arena keeps per operator; the full tl_op (decoded options and quant params) is rebuilt on the stack
 * from it and the file for every kernel step, which keeps the arena small. Built with -DTL_CACHE_OPS (where memory
 * is plentiful: the wasm runtime), the slot also keeps the op decoded at bind, and invoke runs kernels on it
 * directly (a few hundred bytes more per operator, no decoding per run). */
typedef struct tl_op_slot {
#ifdef TL_CACHE_OPS
    tl_op op;
#endif
    const tl_kernel *kernel;
    const int32_t *input_ids;  /* in the model file */
    const int32_t *output_ids; /* in the model file */
    void *state;
    uint32_t pos;              /* the Operator table in the file */
    uint32_t state_bytes;
    uint16_t num_inputs;
    uint16_t num_outputs;
} tl_op_slot;
#define FLAG_OUTPUT 1u               /* tensor flag during bind: listed as a model output */

#ifndef TL_NO_DETAIL_MESSAGES
static uint32_t tl_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}
#endif

static uint64_t align16(uint64_t n)
{
    return (n + 15u) & ~(uint64_t)15u;
}

static tl_fb reader_of(const tl_model *m)
{
    tl_fb r;
    r.buf = m->file;
    r.size = m->file_size;
    return r;
}

/* ---- detail messages ----
 * Built with -DTL_NO_DETAIL_MESSAGES these are macros that return the status and leave the detail message empty:
 * the phrases and the formatting code are compiled out, every status stays as it is. */

#ifndef TL_NO_DETAIL_MESSAGES

static tl_status fail_text(tl_model *m, tl_status status, const char *what)
{
    tl_text t;
    tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
    tl_text_str(&t, what);
    return status;
}

/* "tensor 5 'name': <why><int><tail>" (the int only when with_value) */
static tl_status fail_tensor(tl_model *m, tl_status status, int64_t index, const char *name, const char *why,
                             int with_value, int64_t value, const char *tail)
{
    tl_text t;
    tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
    tl_text_str(&t, "tensor ");
    tl_text_int(&t, index);
    if (name) {
        tl_text_str(&t, " ");
        tl_text_quoted(&t, name);
    }
    tl_text_str(&t, ": ");
    tl_text_str(&t, why);
    if (with_value) {
        tl_text_int(&t, value);
    }
    tl_text_str(&t, tail);
    return status;
}

/* "operator 3 (CONV_2D): <why><int><tail>" */
static tl_status fail_op(tl_model *m, tl_status status, uint32_t index, uint32_t opcode, const char *why,
                         int with_value, int64_t value, const char *tail)
{
    tl_text t;
    tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
    tl_text_str(&t, "operator ");
    tl_text_int(&t, index);
    tl_text_str(&t, " (");
    tl_text_str(&t, tl_opcode_name(opcode));
    tl_text_str(&t, "): ");
    tl_text_str(&t, why);
    if (with_value) {
        tl_text_int(&t, value);
    }
    tl_text_str(&t, tail);
    return status;
}

/* A kernel step failed: "operator 3 (CONV_2D): tensor 5 'x' <why>" */
static tl_status fail_kernel(tl_model *m, const tl_op *op, tl_status status)
{
    tl_text t;
    tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
    tl_text_str(&t, "operator ");
    tl_text_int(&t, op->index);
    tl_text_str(&t, " (");
    tl_text_str(&t, tl_opcode_name(op->opcode));
    tl_text_str(&t, "): ");
    if (op->why_tensor) {
        tl_text_str(&t, "tensor ");
        tl_text_int(&t, op->why_tensor->index);
        tl_text_str(&t, " ");
        tl_text_quoted(&t, op->why_tensor->name);
        tl_text_str(&t, " ");
    }
    tl_text_str(&t, op->why ? op->why : "fails its op's rule");
    return status == TL_OK ? TL_ERROR_OPERATOR : status;
}

#else
#define fail_text(m, status, what) ((void)(m), (void)(what), (status))
#define fail_tensor(m, status, index, name, why, with_value, value, tail)                                            \
    ((void)(m), (void)(index), (void)(name), (void)(why), (void)(value), (status))
#define fail_op(m, status, index, opcode, why, with_value, value, tail)                                              \
    ((void)(m), (void)(index), (void)(opcode), (void)(value), (status))
#define fail_kernel(m, op, status) ((void)(m), (void)(op), (status) == TL_OK ? TL_ERROR_OPERATOR : (status))
#endif

/* ---- decoding ---- */

static const void *vector_ptr(const tl_fb *r, uint32_t t, uint32_t slot, uint32_t *count)
{
    const uint32_t first = tl_fb_vector(r, t, slot, count);
    return first ? (const void *)(r->buf + first) : NULL;
}

static int enum_ok(int64_t value, int64_t count)
{
    return count == 0 || (value >= 0 && value < count);
}

/* Field decoders of the X lists of tl_schema.h: scalars with their defaults, scalar vectors as pointers into the
 * file (verified in bounds and aligned to their element size, the file being 16-byte aligned). An enum field
 * outside its values makes the decoder return the field's name ("" without detail messages). */
#ifdef TL_NO_DETAIL_MESSAGES
#define TL_FIELD_NAME_(name) ""
#else
#define TL_FIELD_NAME_(name) name
#endif
#define TL_DEC_SCALAR_(kind, r, t, slot, def, ref, dst, name)                                                        \
    dst = tl_fb_get_##kind(r, t, slot, def);                                                                          \
    if (!enum_ok((int64_t)dst, ref)) {                                                                               \
        return TL_FIELD_NAME_(name);                                                                                 \
    }
#define TL_DEC_bool(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(bool, r, t, slot, def, ref, dst, name)
#define TL_DEC_i8(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(i8, r, t, slot, def, ref, dst, name)
#define TL_DEC_u8(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(u8, r, t, slot, def, ref, dst, name)
#define TL_DEC_i16(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(i16, r, t, slot, def, ref, dst, name)
#define TL_DEC_u16(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(u16, r, t, slot, def, ref, dst, name)
#define TL_DEC_i32(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(i32, r, t, slot, def, ref, dst, name)
#define TL_DEC_u32(r, t, slot, def, ref, dst, cnt, name) TL_DEC_SCALAR_(u32, r, t, slot, def, ref, dst, name)
#define TL_DEC_f32(r, t, slot, def, ref, dst, cnt, name) dst = tl_fb_get_f32(r, t, slot, def);
#define TL_DEC_VEC_(type, r, t, slot, dst, cnt) dst = (const type *)vector_ptr(r, t, slot, &(cnt));
#define TL_DEC_VEC_i8(r, t, slot, def, ref, dst, cnt, name) TL_DEC_VEC_(int8_t, r, t, slot, dst, cnt)
#define TL_DEC_VEC_u8(r, t, slot, def, ref, dst, cnt, name) TL_DEC_VEC_(uint8_t, r, t, slot, dst, cnt)
#define TL_DEC_VEC_i32(r, t, slot, def, ref, dst, cnt, name) TL_DEC_VEC_(int32_t, r, t, slot, dst, cnt)
#define TL_DEC_VEC_f32(r, t, slot, def, ref, dst, cnt, name) TL_DEC_VEC_(float, r, t, slot, dst, cnt)
#define TL_DECODE_FIELD_(T, name, slot, kind, def, ref, align)                                                       \
    TL_DEC_##kind(r, t, slot, def, ref, out->name, out->name##_count, #name)

/* decode_<member>(r, t, out): one options table; NULL, or the name of an enum field with an unknown value. */
#define TL_DEFINE_OPTIONS_DECODER_(UPPER, lower, id, table)                                                          \
    static const char *decode_##lower(const tl_fb *r, uint32_t t, tl_##lower *out)                                  \
    {                                                                                                                 \
        TL_FIELDS_##UPPER(TL_DECODE_FIELD_) return NULL;                                                             \
    }
TL_OPERATOR_OPTIONS_LIST(TL_DEFINE_OPTIONS_DECODER_)

static const char *decode_quant_params(const tl_fb *r, uint32_t t, tl_quant_params *out)
{
    TL_FIELDS_QUANT_PARAMS(TL_DECODE_FIELD_)
    return NULL;
}

/* The options of an operator: type (0 when absent, as the reference reader) and the decoded member. */
static const char *decode_options(const tl_fb *r, uint32_t op_pos, tl_options *options)
{
    const uint32_t value = tl_fb_table(r, op_pos, TL_SLOT_OPERATOR_OPTIONS);
    tl_fill(options, 0, sizeof *options);
    options->type = tl_fb_get_u8(r, op_pos, TL_SLOT_OPERATOR_OPTIONS_TYPE, 0);
    if (value == 0) {
        options->type = 0;
    }
    switch (options->type) {
#define TL_OPTIONS_CASE_(UPPER, lower, id, table)                                                                    \
    case id:                                                                                                          \
        return decode_##lower(r, value, &options->u.lower);
        TL_OPERATOR_OPTIONS_LIST(TL_OPTIONS_CASE_)
#undef TL_OPTIONS_CASE_
    default:
        options->type = 0; /* the verifier rejected unknown member ids */
        return NULL;
    }
}

static int64_t dtype_range_min(uint32_t dtype)
{
    switch (dtype) {
    case TL_DTYPE_INT8:
        return -128;
    case TL_DTYPE_UINT8:
        return 0;
    case TL_DTYPE_INT16:
        return -32768;
    default:
        return -2147483647 - 1;
    }
}

static int64_t dtype_range_max(uint32_t dtype)
{
    switch (dtype) {
    case TL_DTYPE_INT8:
        return 127;
    case TL_DTYPE_UINT8:
        return 255;
    case TL_DTYPE_INT16:
        return 32767;
    default:
        return 2147483647;
    }
}

static int is_finite_positive(float s)
{
    return s > 0.0f && tl_isfinite_f32(s);
}

/* Decode and validate tensor `index` into *t (data: NULL for an activation when arena is NULL). */
static tl_status decode_tensor(tl_model *m, const tl_fb *r, uint32_t index, tl_tensor *t, uint8_t *arena)
{
    const uint32_t pos = tl_fb_table_at(r, m->tensors_at, index);
    uint32_t first, count, i, q;
    int32_t dtype, buffer;
    uint64_t elements = 1, itemsize;
    tl_fill(t, 0, sizeof *t);
    t->index = (int32_t)index;
    t->name = tl_fb_string(r, pos, TL_SLOT_TENSOR_NAME);
    t->producer = -1;
    t->first_use = -1;
    t->last_use = -1;
    t->quant_axis = -1;
    dtype = TL_GET(r, pos, TENSOR, DTYPE);
    if (!enum_ok(dtype, TL_DTYPE_COUNT)) {
        return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "dtype has unknown value ", 1, dtype, "");
    }
    t->dtype = (uint8_t)dtype;
    itemsize = tl_dtype_size((uint32_t)dtype);
    if (itemsize == 0) {
        return fail_tensor(m, TL_ERROR_LIMIT, index, t->name, "has a dtype this build does not know", 0, 0, "");
    }
    first = tl_fb_vector(r, pos, TL_SLOT_TENSOR_SHAPE, &count);
    if (count > TL_MAX_RANK) {
        return fail_tensor(m, TL_ERROR_LIMIT, index, t->name, "has rank ", 1, count,
                           ", more than this build's TL_MAX_RANK");
    }
    t->rank = count;
    for (i = 0; i < count; i++) {
        const int32_t d = tl_fb_i32_at(r, first, i);
        if (d < 1) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "has dimension ", 1, d,
                               "; every dimension must be >= 1");
        }
        t->dims[i] = d;
        elements *= (uint64_t)d;
        if (elements * itemsize > MAX_TENSOR_BYTES) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "is larger than 2 GiB", 0, 0, "");
        }
    }
    t->elements = (uint32_t)elements;
    t->bytes = (uint32_t)(elements * itemsize);

    q = tl_fb_table(r, pos, TL_SLOT_TENSOR_QUANTIZATION);
    if (q) {
        uint32_t nscale, nzero;
        const uint32_t scale_at = tl_fb_vector(r, q, TL_SLOT_QUANTIZATION_SCALE, &nscale);
        const uint32_t zero_at = tl_fb_vector(r, q, TL_SLOT_QUANTIZATION_ZERO_POINT, &nzero);
        const int32_t axis = TL_GET(r, q, QUANTIZATION, AXIS);
        if (nscale == 0 || nscale != nzero) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "has ", 1, nscale,
                               " scales but a different number of zero points (or none)");
        }
        if (axis >= 0) {
            if ((uint32_t)axis >= t->rank || (nscale != 1 && nscale != (uint32_t)t->dims[axis])) {
                return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "is quantized along axis ", 1, axis,
                                   " with a scale count that does not fit its shape");
            }
        } else if (nscale != 1) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "has ", 1, nscale,
                               " scales but no quantized axis");
        }
        t->scales = (const float *)(const void *)(r->buf + scale_at);
        t->zero_points = (const int32_t *)(const void *)(r->buf + zero_at);
        for (i = 0; i < nscale; i++) {
            union {
                uint32_t u;
                float f;
            } s;
            s.u = tl_fb_u32_at(r, scale_at + 4u * i);
            if (!is_finite_positive(s.f)) {
                return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "has a scale that is not finite and > 0",
                                   0, 0, "");
            }
            if (i == 0) {
                t->scale = s.f;
            }
        }
        if (dtype != TL_DTYPE_INT8 && dtype != TL_DTYPE_UINT8 && dtype != TL_DTYPE_INT16 && dtype != TL_DTYPE_INT32) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "is not an integer dtype but carries "
                               "quantization parameters", 0, 0, "");
        }
        for (i = 0; i < nzero; i++) {
            const int32_t z = tl_fb_i32_at(r, zero_at, i);
            if (z < dtype_range_min((uint32_t)dtype) || z > dtype_range_max((uint32_t)dtype)) {
                return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "has zero point ", 1, z,
                                   " outside its dtype's range");
            }
        }
        t->zero_point = tl_fb_i32_at(r, zero_at, 0);
        t->quant_count = nscale;
        t->quant_axis = axis >= 0 ? axis : -1;
    }

    buffer = TL_GET(r, pos, TENSOR, BUFFER);
    t->arena_offset = TL_GET(r, pos, TENSOR, ARENA_OFFSET);
    if (buffer != -1) {
        uint32_t data_count, data_at, buf_pos;
        if (buffer < 0 || (uint32_t)buffer >= m->buffer_count) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "refers to buffer ", 1, buffer,
                               ", which the file does not have");
        }
        buf_pos = tl_fb_table_at(r, m->buffers_at, (uint32_t)buffer);
        data_at = tl_fb_vector(r, buf_pos, TL_SLOT_BUFFER_DATA, &data_count);
        if (data_count != t->bytes) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "needs ", 1, t->bytes,
                               " bytes but its buffer holds a different number");
        }
        if (t->arena_offset != -1) {
            return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "is a constant but also has arena offset ", 1,
                               t->arena_offset, "");
        }
        t->is_constant = 1;
        t->data = (void *)(uintptr_t)(r->buf + data_at); /* constants are never written */
        return TL_OK;
    }
    if (t->arena_offset < 0 || t->arena_offset % 16) {
        return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "is an activation with arena offset ", 1,
                           t->arena_offset, "; it needs a non-negative offset aligned to 16 bytes");
    }
    if ((uint64_t)t->arena_offset + t->bytes > m->activation_bytes) {
        return fail_tensor(m, TL_ERROR_TENSOR, index, t->name, "ends past arena_bytes ", 1, m->activation_bytes,
                           " of the memory plan");
    }
    t->data = arena ? arena + t->arena_offset : NULL;
    return TL_OK;
}

/* Decode operator n's header, options and quant params into *op and check what the core checks for every op
 * (kernel present, arity, tensor indices, outputs are activations, options type). op->tensors and the id arrays
 * are left to the caller. */
static tl_status decode_operator(tl_model *m, const tl_fb *r, uint32_t n, tl_op *op, uint32_t *inputs_at,
                                 uint32_t *outputs_at)
{
    const uint32_t pos = tl_fb_table_at(r, m->operators_at, n);
    const uint32_t opcode = TL_GET(r, pos, OPERATOR, OPCODE);
    const tl_kernel *kernel;
    uint32_t in_count, out_count, k, qp;
    const char *bad;
    tl_fill(op, 0, sizeof *op);
    op->index = n;
    op->opcode = (uint16_t)opcode;
    if (opcode >= TL_OP_COUNT) {
        return fail_op(m, TL_ERROR_OPERATOR, n, opcode, "opcode has unknown value ", 1, opcode, "");
    }
    bad = decode_options(r, pos, &op->options);
    if (bad) {
#ifndef TL_NO_DETAIL_MESSAGES
        tl_text why;
        fail_op(m, TL_ERROR_OPERATOR, n, opcode, "options field ", 0, 0, bad);
        tl_text_init(&why, m->detail + tl_strlen(m->detail), TL_DETAIL_SIZE - tl_strlen(m->detail));
        tl_text_str(&why, " has an unknown value");
#endif
        return TL_ERROR_OPERATOR;
    }
    qp = tl_fb_table(r, pos, TL_SLOT_OPERATOR_QUANT_PARAMS);
    {
        tl_quant_params *out = &op->qp; /* the defaults, then the file's fields */
        out->act_min = TL_DEFAULT_QUANT_PARAMS_ACT_MIN;
        out->act_max = TL_DEFAULT_QUANT_PARAMS_ACT_MAX;
        if (qp) {
            op->has_quant_params = 1;
            (void)decode_quant_params(r, qp, out);
        }
    }
    kernel = tl_op_kernel(opcode);
    if (kernel == NULL) {
#ifndef TL_NO_DETAIL_MESSAGES
        tl_text t;
        tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
        tl_text_str(&t, "operator ");
        tl_text_int(&t, n);
        tl_text_str(&t, ": ");
        tl_text_str(&t, tl_opcode_name(opcode));
        tl_text_str(&t, " has no kernel in this build");
#endif
        return TL_ERROR_UNSUPPORTED_OP;
    }
    op->kernel = kernel;
    *inputs_at = tl_fb_vector(r, pos, TL_SLOT_OPERATOR_INPUTS, &in_count);
    *outputs_at = tl_fb_vector(r, pos, TL_SLOT_OPERATOR_OUTPUTS, &out_count);
    if (in_count > TL_MAX_OP_INPUTS || out_count > TL_MAX_OP_OUTPUTS) {
        return fail_op(m, TL_ERROR_LIMIT, n, opcode, "has ", 1, in_count, " inputs, more than TL_MAX_OP_INPUTS");
    }
    if (in_count < kernel->min_inputs || in_count > kernel->max_inputs) {
        return fail_op(m, TL_ERROR_OPERATOR, n, opcode, "has ", 1, in_count, " inputs, outside the op's arity");
    }
    if (out_count != kernel->outputs) {
        return fail_op(m, TL_ERROR_OPERATOR, n, opcode, "has ", 1, out_count, " outputs, not the op's count");
    }
    op->num_inputs = (uint16_t)in_count;
    op->num_outputs = (uint16_t)out_count;
    for (k = 0; k < in_count; k++) {
        const int32_t id = tl_fb_i32_at(r, *inputs_at, k);
        if (id == -1 && k < 32 && (kernel->optional_inputs >> k) & 1u) {
            continue;
        }
        if (id < 0 || (uint32_t)id >= m->tensor_count) {
            return fail_op(m, TL_ERROR_GRAPH, n, opcode, "an input refers to tensor ", 1, id,
                           ", which the model does not have");
        }
    }
    for (k = 0; k < out_count; k++) {
        const int32_t id = tl_fb_i32_at(r, *outputs_at, k);
        if (id < 0 || (uint32_t)id >= m->tensor_count) {
            return fail_op(m, TL_ERROR_GRAPH, n, opcode, "an output refers to tensor ", 1, id,
                           ", which the model does not have");
        }
        if (TL_GET(r, tl_fb_table_at(r, m->tensors_at, (uint32_t)id), TENSOR, BUFFER) != -1) {
            return fail_op(m, TL_ERROR_GRAPH, n, opcode, "writes constant tensor ", 1, id, "");
        }
    }
    if (op->options.type != kernel->options_type) {
        return fail_op(m, TL_ERROR_OPERATOR, n, opcode, "has options of type ", 1, op->options.type,
                       kernel->options_type ? ", not the op's options type" : ", but the op takes none");
    }
    return TL_OK;
}

/* The operator of slot n as kernels see it: options and quant params decoded from the file (already verified). */
static void op_from_slot(const tl_model *m, const tl_fb *r, uint32_t n, tl_op *op)
{
    const tl_op_slot *slot = &m->ops[n];
    const uint32_t qp = tl_fb_table(r, slot->pos, TL_SLOT_OPERATOR_QUANT_PARAMS);
    tl_fill(op, 0, sizeof *op);
    op->kernel = slot->kernel;
    op->tensors = m->tensors;
    op->input_ids = slot->input_ids;
    op->output_ids = slot->output_ids;
    op->state = slot->state;
    op->state_bytes = slot->state_bytes;
    op->index = n;
    op->opcode = slot->kernel->opcode;
    op->num_inputs = slot->num_inputs;
    op->num_outputs = slot->num_outputs;
    (void)decode_options(r, slot->pos, &op->options);
    op->qp.act_min = TL_DEFAULT_QUANT_PARAMS_ACT_MIN;
    op->qp.act_max = TL_DEFAULT_QUANT_PARAMS_ACT_MAX;
    if (qp) {
        op->has_quant_params = 1;
        (void)decode_quant_params(r, qp, &op->qp);
    }
}

/* ---- load ---- */

static int little_endian(void)
{
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

tl_status tl_model_load(tl_model *m, const void *data, size_t size)
{
    const uint8_t *bytes = (const uint8_t *)data;
    tl_fb r;
    tl_text why;
    uint32_t root, meta, i, state_bytes = 0;
    uint64_t arena;
    tl_status status;
    if (m == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    tl_fill(m, 0, sizeof *m);
    if (data == NULL) {
        return fail_text(m, TL_ERROR_ARGUMENT, "model data is NULL");
    }
    if (size < 8) {
        return fail_text(m, TL_ERROR_NOT_TLET, "file is too short to be a .tlet model");
    }
    if (size % 16) {
        return fail_text(m, TL_ERROR_FILE_LENGTH, "file length is not a multiple of 16: truncated or padded");
    }
    if (size > 0x7FFFFFF0u) {
        return fail_text(m, TL_ERROR_LIMIT, "file is larger than 2 GiB");
    }
    if (bytes[4] != 'T' || bytes[5] != 'L' || bytes[6] != 'E' || bytes[7] != 'T') {
        return fail_text(m, TL_ERROR_NOT_TLET, "file identifier is not TLET: not a .tlet model");
    }
    if ((uintptr_t)data % TL_ALIGNMENT) {
        return fail_text(m, TL_ERROR_ALIGNMENT, "model data is not 16-byte aligned");
    }
    if (!little_endian()) {
        return fail_text(m, TL_ERROR_LIMIT, "this runtime reads models on little-endian targets only");
    }
    m->file = bytes;
    m->file_size = (uint32_t)size;
    r = reader_of(m);
    tl_text_init(&why, m->detail, TL_DETAIL_SIZE);
    status = tl_fb_verify(&r, &root, &why);
    if (status != TL_OK) {
        m->file = NULL;
        return status;
    }
    if (TL_GET(&r, root, MODEL, VERSION) != TL_FORMAT_VERSION) {
        return fail_text(m, TL_ERROR_VERSION, "format version is not supported (this runtime reads version 1)");
    }
    m->tensors_at = tl_fb_vector(&r, root, TL_SLOT_MODEL_TENSORS, &m->tensor_count);
    m->operators_at = tl_fb_vector(&r, root, TL_SLOT_MODEL_OPERATORS, &m->operator_count);
    m->inputs_at = tl_fb_vector(&r, root, TL_SLOT_MODEL_INPUTS, &m->input_count);
    m->outputs_at = tl_fb_vector(&r, root, TL_SLOT_MODEL_OUTPUTS, &m->output_count);
    m->buffers_at = tl_fb_vector(&r, root, TL_SLOT_MODEL_BUFFERS, &m->buffer_count);
    m->activation_bytes = TL_GET(&r, root, MODEL, ARENA_BYTES);

    for (i = 0; i < m->tensor_count; i++) {
        tl_tensor t;
        status = decode_tensor(m, &r, i, &t, NULL);
        if (status != TL_OK) {
            return status;
        }
    }
    for (i = 0; i < 2; i++) {
        const uint32_t at = i ? m->outputs_at : m->inputs_at;
        const uint32_t count = i ? m->output_count : m->input_count;
        const char *kind = i ? "model output" : "model input";
        uint32_t k;
        if (count == 0) {
            return fail_text(m, TL_ERROR_GRAPH, i ? "the model has no outputs" : "the model has no inputs");
        }
        for (k = 0; k < count; k++) {
            const int32_t id = tl_fb_i32_at(&r, at, k);
            if (id < 0 || (uint32_t)id >= m->tensor_count) {
                return fail_tensor(m, TL_ERROR_GRAPH, id, NULL, kind, 0, 0, " refers to a tensor the model lacks");
            }
            if (TL_GET(&r, tl_fb_table_at(&r, m->tensors_at, (uint32_t)id), TENSOR, BUFFER) != -1) {
                return fail_tensor(m, TL_ERROR_GRAPH, id, NULL, kind, 0, 0, " is a constant");
            }
        }
    }
    meta = tl_fb_table(&r, root, TL_SLOT_MODEL_METADATA);
    if (meta) {
        uint32_t names;
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_INPUT_NAMES, &names);
        if (names && names != m->input_count) {
            return fail_text(m, TL_ERROR_GRAPH, "metadata input_names has a different count than the model inputs");
        }
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_OUTPUT_NAMES, &names);
        if (names && names != m->output_count) {
            return fail_text(m, TL_ERROR_GRAPH, "metadata output_names has a different count than the model outputs");
        }
    }

    for (i = 0; i < m->operator_count; i++) {
        tl_tensor local[TL_MAX_OP_INPUTS + TL_MAX_OP_OUTPUTS];
        int32_t in_ids[TL_MAX_OP_INPUTS], out_ids[TL_MAX_OP_OUTPUTS];
        uint32_t inputs_at, outputs_at, k;
        tl_op op;
        status = decode_operator(m, &r, i, &op, &inputs_at, &outputs_at);
        if (status != TL_OK) {
            return status;
        }
        for (k = 0; k < op.num_inputs; k++) {
            const int32_t id = tl_fb_i32_at(&r, inputs_at, k);
            in_ids[k] = id < 0 ? -1 : (int32_t)k;
            if (id >= 0) {
                (void)decode_tensor(m, &r, (uint32_t)id, &local[k], NULL);
            }
        }
        for (k = 0; k < op.num_outputs; k++) {
            out_ids[k] = (int32_t)(TL_MAX_OP_INPUTS + k);
            (void)decode_tensor(m, &r, (uint32_t)tl_fb_i32_at(&r, outputs_at, k), &local[TL_MAX_OP_INPUTS + k],
                                NULL);
        }
        op.tensors = local;
        op.input_ids = in_ids;
        op.output_ids = out_ids;
        status = op.kernel->check(&op);
        if (status != TL_OK) {
            return fail_kernel(m, &op, status);
        }
        state_bytes += (uint32_t)align16(op.state_bytes);
        if (state_bytes > MAX_TENSOR_BYTES) {
            return fail_op(m, TL_ERROR_LIMIT, i, op.opcode, "kernel state exceeds 2 GiB", 0, 0, "");
        }
    }

    arena = align16(m->activation_bytes) + align16((uint64_t)m->tensor_count * sizeof(tl_tensor)) +
            align16((uint64_t)m->operator_count * sizeof(tl_op_slot)) + state_bytes;
    if (arena > (uint64_t)((size_t)-1) || arena > 0xFFFFFFFFu) {
        return fail_text(m, TL_ERROR_LIMIT, "the arena this model needs does not fit in memory");
    }
    m->arena_size = (size_t)arena;
    m->state_bytes = state_bytes;
    m->stage = STAGE_LOADED;
    m->detail[0] = '\0';
    return TL_OK;
}

size_t tl_model_arena_size(const tl_model *m)
{
    return (m && m->stage >= STAGE_LOADED) ? m->arena_size : 0;
}

/* ---- bind ---- */

/* Each activation written once, before it is read; inputs/outputs not repeated; lifetimes as planner.lifetimes. */
static tl_status check_dataflow(tl_model *m, const tl_fb *r)
{
    uint32_t i, k;
    const int32_t last_step = m->operator_count ? (int32_t)m->operator_count - 1 : 0;
    for (i = 0; i < m->input_count; i++) {
        tl_tensor *t = &m->tensors[tl_fb_i32_at(r, m->inputs_at, i)];
        if (t->producer != -1) {
            return fail_tensor(m, TL_ERROR_GRAPH, t->index, t->name, "is listed twice as a model input", 0, 0, "");
        }
        t->producer = -2;
        t->first_use = 0;
        t->last_use = 0;
    }
    for (i = 0; i < m->operator_count; i++) {
        const tl_op_slot *op = &m->ops[i];
        for (k = 0; k < op->num_inputs; k++) {
            tl_tensor *t = op->input_ids[k] < 0 ? NULL : &m->tensors[op->input_ids[k]];
            if (t == NULL || t->is_constant) {
                continue;
            }
            if (t->producer == -1) {
                return fail_op(m, TL_ERROR_GRAPH, i, op->kernel->opcode, "reads tensor ", 1, t->index,
                               " before any operator writes it");
            }
            t->last_use = (int32_t)i;
        }
        for (k = 0; k < op->num_outputs; k++) {
            tl_tensor *t = &m->tensors[op->output_ids[k]];
            if (t->producer != -1) {
                return fail_op(m, TL_ERROR_GRAPH, i, op->kernel->opcode, "writes tensor ", 1, t->index,
                               ", which is already written");
            }
            t->producer = (int32_t)i;
            t->first_use = (int32_t)i;
            t->last_use = (int32_t)i;
        }
    }
    for (i = 0; i < m->output_count; i++) {
        tl_tensor *t = &m->tensors[tl_fb_i32_at(r, m->outputs_at, i)];
        if (t->flags & FLAG_OUTPUT) {
            return fail_tensor(m, TL_ERROR_GRAPH, t->index, t->name, "is listed twice as a model output", 0, 0, "");
        }
        t->flags |= FLAG_OUTPUT;
        if (t->producer == -1) {
            return fail_tensor(m, TL_ERROR_GRAPH, t->index, t->name, "is a model output no operator writes", 0, 0,
                               "");
        }
        t->last_use = last_step;
    }
    for (i = 0; i < m->tensor_count; i++) {
        m->tensors[i].flags = 0;
    }
    return TL_OK;
}

/* Activations whose lifetimes overlap must not share arena bytes (validate._check_arena). */
static tl_status check_arena_plan(tl_model *m)
{
    uint32_t i, j;
    for (i = 0; i < m->tensor_count; i++) {
        const tl_tensor *a = &m->tensors[i];
        if (a->is_constant || a->first_use < 0) {
            continue;
        }
        for (j = 0; j < i; j++) {
            const tl_tensor *b = &m->tensors[j];
            if (b->is_constant || b->first_use < 0 || a->first_use > b->last_use || b->first_use > a->last_use) {
                continue;
            }
            if ((uint32_t)a->arena_offset < (uint32_t)b->arena_offset + b->bytes &&
                (uint32_t)b->arena_offset < (uint32_t)a->arena_offset + a->bytes) {
                return fail_tensor(m, TL_ERROR_GRAPH, a->index, a->name, "and tensor ", 1, b->index,
                                   " are live at the same time but overlap in the arena");
            }
        }
    }
    return TL_OK;
}

tl_status tl_model_bind(tl_model *m, void *arena, size_t arena_size)
{
    uint8_t *base = (uint8_t *)arena;
    uint8_t *state;
    tl_fb r;
    uint32_t i;
    tl_status status;
    if (m == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    if (m->stage < STAGE_LOADED) {
        return fail_text(m, TL_ERROR_STATE, "bind needs a loaded model");
    }
    m->stage = STAGE_LOADED;
    if (arena == NULL) {
        return fail_text(m, TL_ERROR_ARGUMENT, "arena is NULL");
    }
    if ((uintptr_t)arena % TL_ALIGNMENT) {
        return fail_text(m, TL_ERROR_ALIGNMENT, "arena is not 16-byte aligned");
    }
    if (arena_size < m->arena_size) {
#ifndef TL_NO_DETAIL_MESSAGES
        tl_text t;
        tl_text_init(&t, m->detail, TL_DETAIL_SIZE);
        tl_text_str(&t, "arena has ");
        tl_text_int(&t, (int64_t)arena_size);
        tl_text_str(&t, " bytes, the model needs ");
        tl_text_int(&t, (int64_t)m->arena_size);
#endif
        return TL_ERROR_ARENA_TOO_SMALL;
    }
    tl_fill(base, 0, m->arena_size);
    r = reader_of(m);
    m->arena = base;
    m->tensors = (tl_tensor *)(void *)(base + align16(m->activation_bytes));
    m->ops = (tl_op_slot *)(void *)((uint8_t *)m->tensors + align16((uint64_t)m->tensor_count * sizeof(tl_tensor)));
    state = (uint8_t *)m->ops + align16((uint64_t)m->operator_count * sizeof(tl_op_slot));
    for (i = 0; i < m->tensor_count; i++) {
        status = decode_tensor(m, &r, i, &m->tensors[i], base);
        if (status != TL_OK) {
            return status;
        }
    }
    for (i = 0; i < m->operator_count; i++) {
        tl_op_slot *slot = &m->ops[i];
        tl_op op;
        uint32_t inputs_at, outputs_at;
        status = decode_operator(m, &r, i, &op, &inputs_at, &outputs_at);
        if (status != TL_OK) {
            return status;
        }
        slot->kernel = op.kernel;
        slot->input_ids = (const int32_t *)(const void *)(m->file + inputs_at);
        slot->output_ids = (const int32_t *)(const void *)(m->file + outputs_at);
        slot->pos = tl_fb_table_at(&r, m->operators_at, i);
        slot->num_inputs = op.num_inputs;
        slot->num_outputs = op.num_outputs;
    }
    status = check_dataflow(m, &r);
    if (status == TL_OK) {
        status = check_arena_plan(m);
    }
    if (status != TL_OK) {
        return status;
    }
    for (i = 0; i < m->operator_count; i++) {
        tl_op_slot *slot = &m->ops[i];
        tl_op op;
        op_from_slot(m, &r, i, &op);
        status = op.kernel->check(&op);
        if (status != TL_OK) {
            return fail_kernel(m, &op, status);
        }
        slot->state_bytes = op.state_bytes;
        slot->state = op.state_bytes ? state : NULL;
        state += align16(op.state_bytes);
        if ((uint64_t)(state - base) > m->arena_size) {
            return fail_op(m, TL_ERROR_LIMIT, i, op.opcode, "kernel state differs between load and bind", 0, 0, "");
        }
        op.state = slot->state;
        if (op.kernel->prepare) {
            status = op.kernel->prepare(&op);
            if (status != TL_OK) {
                return fail_kernel(m, &op, status);
            }
        }
#ifdef TL_CACHE_OPS
        slot->op = op;
#endif
    }
    m->stage = STAGE_BOUND;
    m->detail[0] = '\0';
    return TL_OK;
}

/* ---- invoke ---- */

tl_status tl_model_invoke(tl_model *m)
{
    return tl_model_invoke_range(m, 0, m ? m->operator_count : 0);
}

tl_status tl_model_invoke_range(tl_model *m, uint32_t first, uint32_t count)
{
    uint32_t i;
#ifndef TL_CACHE_OPS
    tl_fb r;
#endif
    if (m == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    if (m->stage != STAGE_BOUND) {
        return fail_text(m, TL_ERROR_STATE, "invoke needs a bound model");
    }
    if (first > m->operator_count || count > m->operator_count - first) {
        return fail_text(m, TL_ERROR_ARGUMENT, "operator range passes the model's operator count");
    }
#ifndef TL_CACHE_OPS
    r = reader_of(m);
#endif
    for (i = first; i < first + count; i++) {
        tl_status status;
#ifdef TL_CACHE_OPS
        tl_op *op = &m->ops[i].op;
#else
        tl_op decoded, *op = &decoded;
        op_from_slot(m, &r, i, op);
#endif
        status = op->kernel->eval(op);
        if (status != TL_OK) {
            status = fail_kernel(m, op, status);
            op->why = NULL; /* a cached op starts its next run clean */
            op->why_tensor = NULL;
            return status;
        }
    }
    m->detail[0] = '\0';
    return TL_OK;
}

/* ---- describing tensors ---- */

uint32_t tl_model_input_count(const tl_model *m)
{
    return (m && m->stage >= STAGE_LOADED) ? m->input_count : 0;
}

uint32_t tl_model_output_count(const tl_model *m)
{
    return (m && m->stage >= STAGE_LOADED) ? m->output_count : 0;
}

uint32_t tl_model_tensor_count(const tl_model *m)
{
    return (m && m->stage >= STAGE_LOADED) ? m->tensor_count : 0;
}

uint32_t tl_model_operator_count(const tl_model *m)
{
    return (m && m->stage >= STAGE_LOADED) ? m->operator_count : 0;
}

tl_status tl_model_tensor(const tl_model *m, uint32_t index, tl_tensor *out)
{
    tl_fb r;
    tl_model scratch;
    if (m == NULL || out == NULL || m->stage < STAGE_LOADED || index >= m->tensor_count) {
        return m == NULL || out == NULL || m->stage >= STAGE_LOADED ? TL_ERROR_ARGUMENT : TL_ERROR_STATE;
    }
    if (m->stage == STAGE_BOUND) {
        *out = m->tensors[index];
        return TL_OK;
    }
    r = reader_of(m);
    scratch = *m; /* decode_tensor may write a detail message; a loaded model's tensors are all valid */
    return decode_tensor(&scratch, &r, index, out, NULL);
}

static tl_status model_io(const tl_model *m, uint32_t index, tl_tensor *out, int output)
{
    tl_fb r;
    if (m == NULL || out == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    if (m->stage < STAGE_LOADED) {
        return TL_ERROR_STATE;
    }
    if (index >= (output ? m->output_count : m->input_count)) {
        return TL_ERROR_ARGUMENT;
    }
    r = reader_of(m);
    return tl_model_tensor(m, (uint32_t)tl_fb_i32_at(&r, output ? m->outputs_at : m->inputs_at, index), out);
}

tl_status tl_model_input(const tl_model *m, uint32_t index, tl_tensor *out)
{
    return model_io(m, index, out, 0);
}

tl_status tl_model_output(const tl_model *m, uint32_t index, tl_tensor *out)
{
    return model_io(m, index, out, 1);
}

tl_status tl_model_set_input(tl_model *m, uint32_t index, const void *src, size_t bytes)
{
    tl_tensor t;
    tl_status status;
    if (m == NULL || src == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    if (m->stage != STAGE_BOUND) {
        return fail_text(m, TL_ERROR_STATE, "set_input needs a bound model");
    }
    status = tl_model_input(m, index, &t);
    if (status != TL_OK) {
        return fail_text(m, status, "no such model input");
    }
    if (bytes != t.bytes) {
        return fail_tensor(m, TL_ERROR_ARGUMENT, t.index, t.name, "input takes ", 1, t.bytes, " bytes");
    }
    tl_copy(t.data, src, bytes);
    return TL_OK;
}

tl_status tl_model_get_output(const tl_model *m, uint32_t index, void *dst, size_t bytes)
{
    tl_tensor t;
    tl_status status;
    if (m == NULL || dst == NULL) {
        return TL_ERROR_ARGUMENT;
    }
    if (m->stage != STAGE_BOUND) {
        return TL_ERROR_STATE;
    }
    status = tl_model_output(m, index, &t);
    if (status != TL_OK) {
        return status;
    }
    if (bytes != t.bytes) {
        return TL_ERROR_ARGUMENT;
    }
    tl_copy(dst, t.data, bytes);
    return TL_OK;
}

const char *tl_model_detail(const tl_model *m)
{
    return m ? m->detail : "";
}

size_t tl_model_struct_size(void)
{
    return sizeof(tl_model);
}

size_t tl_tensor_struct_size(void)
{
    return sizeof(tl_tensor);
}
