/* The WebAssembly glue of Tensorlet's runtime: what the JavaScript (tensorlet.js) and Python (tensorlet/runtime.py)
 * hosts call. Built freestanding (clang --target=wasm32 -nostdlib, no Emscripten) together with the portable C core
 * of runtime_embedded/.
 *
 * The core never allocates, so this file adds a bump allocator over the module's own linear memory: the host asks
 * for room for the model file (tlw_alloc), copies the file there, loads it (tlw_model_new + tlw_load), and binds it
 * (tlw_bind allocates the arena the loaded model asks for). Memory grows only during these steps; tlw_invoke never
 * allocates, so a model runs any number of times in a memory of fixed size. The hosts instantiate the module once
 * per model: disposing a model drops its instance and all of its memory.
 *
 * Tensor descriptions come back as a record of 32-bit words (TLW_INFO_*), read by the hosts at fixed word indexes;
 * metadata comes back field by field (strings are NUL-terminated UTF-8 in the verified model file, float vectors
 * are pointers and counts into it). For the WebGPU backend, the graph comes back too (every tensor, every operator
 * with its options and quant params as words) and one operator can be run alone (tlw_invoke_op). Every pointer
 * returned is a byte offset in this module's linear memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "tensorlet.h"
#include "tl_fb.h"

#define TLW_EXPORT(name) __attribute__((export_name(#name))) name
#define TLW_PAGE 65536u

/* Words of the tensor-description record (tlw_tensor_info). Keep tensorlet.js and tensorlet/runtime.py in step. */
enum {
    TLW_INFO_DATA = 0,         /* offset of the tensor's bytes (in the arena once bound) */
    TLW_INFO_NAME = 1,         /* offset of its NUL-terminated name */
    TLW_INFO_RANK = 2,
    TLW_INFO_DIMS = 3,         /* TL_MAX_RANK words */
    TLW_INFO_DTYPE = 3 + TL_MAX_RANK,
    TLW_INFO_BYTES,
    TLW_INFO_ELEMENTS,
    TLW_INFO_SCALE_BITS,       /* float32 bits of scales[0], 0 when not quantized */
    TLW_INFO_ZERO_POINT,
    TLW_INFO_QUANT_COUNT,      /* 0: not quantized, 1: per-tensor, else per-axis */
    TLW_INFO_QUANT_AXIS,       /* -1 when per-tensor */
    TLW_INFO_SCALES,           /* offset of quant_count float32 scales */
    TLW_INFO_ZERO_POINTS,      /* offset of quant_count int32 zero points */
    TLW_INFO_INDEX,            /* position in the model's tensor list */
    TLW_INFO_WORDS
};

/* Words of the operator record (tlw_operator_info). Keep runtime_wasm/tensorlet.js in step. */
enum {
    TLW_OP_OPCODE = 0,
    TLW_OP_INPUTS = 1,       /* offset of input_count int32 tensor ids (-1: an absent optional input) */
    TLW_OP_INPUT_COUNT = 2,
    TLW_OP_OUTPUTS = 3,      /* offset of output_count int32 tensor ids */
    TLW_OP_OUTPUT_COUNT = 4,
    TLW_OP_OPTIONS_TYPE = 5, /* the OperatorOptions member id, 0 for none */
    TLW_OP_WORDS
};
#define TLW_OPTION_WORDS 16u /* the most words an options table takes (QuantParams: 15) */

/* Metadata fields (tlw_meta_*). */
enum {
    TLW_META_PRODUCER = 0,
    TLW_META_PRODUCER_VERSION = 1,
    TLW_META_DESCRIPTION = 2,
    TLW_META_INPUT_NAMES = 3,
    TLW_META_OUTPUT_NAMES = 4,
    TLW_META_LABELS = 5,
    TLW_META_EXTRA_KEYS = 6,
    TLW_META_EXTRA_VALUES = 7,
    TLW_META_PREPROCESSING = 8, /* tlw_meta_count: 1 when present */
    TLW_META_LAYOUT = 9,
    TLW_META_MEAN = 10,
    TLW_META_STD = 11,
    TLW_META_SCALE = 12         /* tlw_meta_floats: the one float */
};

extern unsigned char __heap_base; /* set by wasm-ld: first byte past the stack and static data */

static uint32_t heap_top;             /* next free byte; 0 until the first allocation */
static uint32_t info[TLW_INFO_WORDS]; /* the record tlw_tensor_info returns (one call at a time) */
static uint32_t floats_count;         /* element count of the last tlw_meta_floats vector */

/* The end of linear memory (4 GiB at most, so 64 bits). */
static uint64_t heap_end(void)
{
    return (uint64_t)__builtin_wasm_memory_size(0) * TLW_PAGE;
}

/* `bytes` bytes, 16-byte aligned, growing memory as needed; 0 when memory cannot grow. Nothing is ever freed, so
 * the bytes are zero (fresh memory). */
uint32_t TLW_EXPORT(tlw_alloc)(uint32_t bytes)
{
    uint32_t at, end;
    if (heap_top == 0) {
        heap_top = ((uint32_t)(uintptr_t)&__heap_base + 15u) & ~15u;
    }
    at = heap_top;
    if (bytes > 0xFFFFFFF0u - at) {
        return 0;
    }
    end = (at + bytes + 15u) & ~15u;
    if (end > heap_end()) {
        const uint64_t pages = ((uint64_t)end - heap_end() + TLW_PAGE - 1u) / TLW_PAGE;
        if (__builtin_wasm_memory_grow(0, (size_t)pages) == (size_t)-1) {
            return 0;
        }
    }
    heap_top = end;
    return at;
}

/* First free byte of the heap (for tests: it must not move while a model runs). */
uint32_t TLW_EXPORT(tlw_heap_top)(void)
{
    return heap_top;
}

/* A new, empty model struct; 0 when memory cannot grow. */
uint32_t TLW_EXPORT(tlw_model_new)(void)
{
    return tlw_alloc((uint32_t)sizeof(tl_model));
}

/* tl_model_load on `size` bytes at `data` (from tlw_alloc, so 16-byte aligned): a tl_status. */
uint32_t TLW_EXPORT(tlw_load)(tl_model *m, const void *data, uint32_t size)
{
    return (uint32_t)tl_model_load(m, data, size);
}

/* Bytes of arena the loaded model needs. */
uint32_t TLW_EXPORT(tlw_arena_size)(const tl_model *m)
{
    return (uint32_t)tl_model_arena_size(m);
}

/* Allocate the arena the loaded model needs and bind the model to it: a tl_status. */
uint32_t TLW_EXPORT(tlw_bind)(tl_model *m)
{
    const uint32_t need = (uint32_t)tl_model_arena_size(m);
    uint32_t arena;
    if (need == 0) {
        return (uint32_t)tl_model_bind(m, NULL, 0); /* reports the model's state */
    }
    arena = tlw_alloc(need);
    if (arena == 0) {
        return (uint32_t)TL_ERROR_LIMIT;
    }
    return (uint32_t)tl_model_bind(m, (void *)(uintptr_t)arena, need);
}

uint32_t TLW_EXPORT(tlw_invoke)(tl_model *m)
{
    return (uint32_t)tl_model_invoke(m);
}

uint32_t TLW_EXPORT(tlw_input_count)(const tl_model *m)
{
    return tl_model_input_count(m);
}

uint32_t TLW_EXPORT(tlw_output_count)(const tl_model *m)
{
    return tl_model_output_count(m);
}

/* Fill the TLW_INFO_* record with *t; returns its offset. */
static uint32_t describe(const tl_tensor *t)
{
    uint32_t i;
    union {
        float f;
        uint32_t u;
    } scale;
    scale.f = t->scale;
    info[TLW_INFO_DATA] = (uint32_t)(uintptr_t)t->data;
    info[TLW_INFO_NAME] = (uint32_t)(uintptr_t)t->name;
    info[TLW_INFO_RANK] = t->rank;
    for (i = 0; i < TL_MAX_RANK; i++) {
        info[TLW_INFO_DIMS + i] = i < t->rank ? (uint32_t)t->dims[i] : 0u;
    }
    info[TLW_INFO_DTYPE] = t->dtype;
    info[TLW_INFO_BYTES] = t->bytes;
    info[TLW_INFO_ELEMENTS] = t->elements;
    info[TLW_INFO_SCALE_BITS] = scale.u;
    info[TLW_INFO_ZERO_POINT] = (uint32_t)t->zero_point;
    info[TLW_INFO_QUANT_COUNT] = t->quant_count;
    info[TLW_INFO_QUANT_AXIS] = (uint32_t)t->quant_axis;
    info[TLW_INFO_SCALES] = (uint32_t)(uintptr_t)t->scales;
    info[TLW_INFO_ZERO_POINTS] = (uint32_t)(uintptr_t)t->zero_points;
    info[TLW_INFO_INDEX] = (uint32_t)t->index;
    return (uint32_t)(uintptr_t)info;
}

/* Describe model input (is_output 0) or output (1) `index` into the TLW_INFO_* record; 0 when there is none. */
uint32_t TLW_EXPORT(tlw_tensor_info)(const tl_model *m, uint32_t is_output, uint32_t index)
{
    tl_tensor t;
    if ((is_output ? tl_model_output(m, index, &t) : tl_model_input(m, index, &t)) != TL_OK) {
        return 0;
    }
    return describe(&t);
}

/* Words in the record (TL_MAX_RANK of this build decides it): the hosts check it. */
uint32_t TLW_EXPORT(tlw_info_words)(void)
{
    return TLW_INFO_WORDS;
}

uint32_t TLW_EXPORT(tlw_max_rank)(void)
{
    return TL_MAX_RANK;
}

const char *TLW_EXPORT(tlw_detail)(const tl_model *m)
{
    return tl_model_detail(m);
}

const char *TLW_EXPORT(tlw_status_string)(uint32_t status)
{
    return tl_status_string((tl_status)status);
}

/* The enum name of a status ("TL_ERROR_NOT_TLET"), "TL_ERROR_UNKNOWN" past the list. */
const char *TLW_EXPORT(tlw_status_name)(uint32_t status)
{
    static const char *const names[TL_STATUS_COUNT] = {
        "TL_OK", "TL_ERROR_ARGUMENT", "TL_ERROR_NOT_TLET", "TL_ERROR_FILE_LENGTH", "TL_ERROR_VERSION",
        "TL_ERROR_ALIGNMENT", "TL_ERROR_STRUCTURE", "TL_ERROR_TENSOR", "TL_ERROR_GRAPH", "TL_ERROR_OPERATOR",
        "TL_ERROR_UNSUPPORTED_OP", "TL_ERROR_LIMIT", "TL_ERROR_STATE", "TL_ERROR_ARENA_TOO_SMALL", "TL_ERROR_KERNEL"};
    return status < TL_STATUS_COUNT && names[status] ? names[status] : "TL_ERROR_UNKNOWN";
}

const char *TLW_EXPORT(tlw_opcode_name)(uint32_t opcode)
{
    return tl_opcode_name(opcode);
}

uint32_t TLW_EXPORT(tlw_opcode_supported)(uint32_t opcode)
{
    return (uint32_t)tl_opcode_supported(opcode);
}

/* 1 when this build's kernels use SIMD128 (a hint for the hosts and tests). */
uint32_t TLW_EXPORT(tlw_simd)(void)
{
#ifdef __wasm_simd128__
    return 1;
#else
    return 0;
#endif
}

/* ---- metadata: read from the loaded (so verified) file with the core's FlatBuffers accessors ---- */

static int meta_reader(const tl_model *m, tl_fb *r, uint32_t *meta)
{
    uint32_t root;
    if (m == NULL || m->file == NULL || tl_model_input_count(m) == 0) {
        return 0; /* not loaded */
    }
    r->buf = m->file;
    r->size = m->file_size;
    root = tl_fb_deref(r, 0);
    *meta = tl_fb_table(r, root, TL_SLOT_MODEL_METADATA);
    return *meta != 0;
}

static uint32_t preprocessing_of(const tl_fb *r, uint32_t meta)
{
    return tl_fb_table(r, meta, TL_SLOT_METADATA_PREPROCESSING);
}

/* Elements of a list field (names, labels, extra), 1/0 for TLW_META_PREPROCESSING, 0 when absent. */
uint32_t TLW_EXPORT(tlw_meta_count)(const tl_model *m, uint32_t field)
{
    tl_fb r;
    uint32_t meta, count = 0;
    if (!meta_reader(m, &r, &meta)) {
        return 0;
    }
    switch (field) {
    case TLW_META_INPUT_NAMES:
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_INPUT_NAMES, &count);
        return count;
    case TLW_META_OUTPUT_NAMES:
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_OUTPUT_NAMES, &count);
        return count;
    case TLW_META_LABELS:
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_LABELS, &count);
        return count;
    case TLW_META_EXTRA_KEYS:
    case TLW_META_EXTRA_VALUES:
        (void)tl_fb_vector(&r, meta, TL_SLOT_METADATA_EXTRA, &count);
        return count;
    case TLW_META_PREPROCESSING:
        return preprocessing_of(&r, meta) != 0;
    default:
        return 0;
    }
}

/* A string of the metadata: a scalar field (index ignored) or element `index` of a list field; 0 when absent. */
const char *TLW_EXPORT(tlw_meta_string)(const tl_model *m, uint32_t field, uint32_t index)
{
    tl_fb r;
    uint32_t meta, first, count, slot, pre;
    if (!meta_reader(m, &r, &meta)) {
        return NULL;
    }
    switch (field) {
    case TLW_META_PRODUCER:
        return tl_fb_field(&r, meta, TL_SLOT_METADATA_PRODUCER) ? tl_fb_string(&r, meta, TL_SLOT_METADATA_PRODUCER)
                                                                 : NULL;
    case TLW_META_PRODUCER_VERSION:
        return tl_fb_field(&r, meta, TL_SLOT_METADATA_PRODUCER_VERSION)
                   ? tl_fb_string(&r, meta, TL_SLOT_METADATA_PRODUCER_VERSION) : NULL;
    case TLW_META_DESCRIPTION:
        return tl_fb_field(&r, meta, TL_SLOT_METADATA_DESCRIPTION)
                   ? tl_fb_string(&r, meta, TL_SLOT_METADATA_DESCRIPTION) : NULL;
    case TLW_META_LAYOUT:
        pre = preprocessing_of(&r, meta);
        return pre && tl_fb_field(&r, pre, TL_SLOT_PREPROCESSING_LAYOUT)
                   ? tl_fb_string(&r, pre, TL_SLOT_PREPROCESSING_LAYOUT) : NULL;
    case TLW_META_INPUT_NAMES:
        slot = TL_SLOT_METADATA_INPUT_NAMES;
        break;
    case TLW_META_OUTPUT_NAMES:
        slot = TL_SLOT_METADATA_OUTPUT_NAMES;
        break;
    case TLW_META_LABELS:
        slot = TL_SLOT_METADATA_LABELS;
        break;
    case TLW_META_EXTRA_KEYS:
    case TLW_META_EXTRA_VALUES:
        first = tl_fb_vector(&r, meta, TL_SLOT_METADATA_EXTRA, &count);
        if (index >= count) {
            return NULL;
        }
        {
            const uint32_t kv = tl_fb_table_at(&r, first, index);
            const uint32_t kslot = field == TLW_META_EXTRA_KEYS ? TL_SLOT_KEY_VALUE_KEY : TL_SLOT_KEY_VALUE_VALUE;
            return tl_fb_string(&r, kv, kslot);
        }
    default:
        return NULL;
    }
    first = tl_fb_vector(&r, meta, slot, &count);
    if (index >= count) {
        return NULL;
    }
    first = tl_fb_deref(&r, first + 4u * index); /* the string's length word */
    return (const char *)(r.buf + first + 4u);
}

/* A float field of the preprocessing table: offset of its float32 values (count in tlw_meta_floats_count), or 0
 * when absent. TLW_META_SCALE gives the one scale (its default 1 when the field is absent but the table is not). */
uint32_t TLW_EXPORT(tlw_meta_floats)(const tl_model *m, uint32_t field)
{
    static const float one = 1.0f;
    tl_fb r;
    uint32_t meta, pre, first;
    floats_count = 0;
    if (!meta_reader(m, &r, &meta) || (pre = preprocessing_of(&r, meta)) == 0) {
        return 0;
    }
    if (field == TLW_META_SCALE) {
        first = tl_fb_field(&r, pre, TL_SLOT_PREPROCESSING_SCALE);
        floats_count = 1;
        return first ? (uint32_t)(uintptr_t)(r.buf + first) : (uint32_t)(uintptr_t)&one;
    }
    if (field != TLW_META_MEAN && field != TLW_META_STD) {
        return 0;
    }
    first = tl_fb_vector(&r, pre, field == TLW_META_MEAN ? TL_SLOT_PREPROCESSING_MEAN : TL_SLOT_PREPROCESSING_STD,
                         &floats_count);
    return first ? (uint32_t)(uintptr_t)(r.buf + first) : 0;
}

uint32_t TLW_EXPORT(tlw_meta_floats_count)(void)
{
    return floats_count;
}

/* ---- the graph, for the WebGPU backend (runtime_wasm/webgpu/): operators, tensors and single-operator runs ----
 * The core has verified the file, so these read it with its FlatBuffers accessors and no further checks. */

static uint32_t op_words[TLW_OP_WORDS];         /* the record tlw_operator_info returns */
static uint32_t option_words[TLW_OPTION_WORDS]; /* the record tlw_operator_options returns */

uint32_t TLW_EXPORT(tlw_tensor_count)(const tl_model *m)
{
    return tl_model_tensor_count(m);
}

uint32_t TLW_EXPORT(tlw_operator_count)(const tl_model *m)
{
    return tl_model_operator_count(m);
}

/* Bytes of the activation region at the start of the arena (the file's memory plan, Model.arena_bytes). */
uint32_t TLW_EXPORT(tlw_activation_bytes)(const tl_model *m)
{
    return m->activation_bytes;
}

/* Describe tensor `index` of the model's list into the TLW_INFO_* record (a constant's data points into the file,
 * an activation's into the arena once bound); 0 when there is none. */
uint32_t TLW_EXPORT(tlw_tensor_at)(const tl_model *m, uint32_t index)
{
    tl_tensor t;
    if (tl_model_tensor(m, index, &t) != TL_OK) {
        return 0;
    }
    return describe(&t);
}

/* Byte offset of tensor `index` in the activation region, -1 for a constant. */
int32_t TLW_EXPORT(tlw_tensor_arena_offset)(const tl_model *m, uint32_t index)
{
    tl_tensor t;
    if (tl_model_tensor(m, index, &t) != TL_OK || t.is_constant) {
        return -1;
    }
    return t.arena_offset;
}

/* Operator `n` (execution order) into the TLW_OP_* record; 0 when there is none. */
uint32_t TLW_EXPORT(tlw_operator_info)(const tl_model *m, uint32_t n)
{
    tl_fb r;
    uint32_t pos, count;
    if (n >= tl_model_operator_count(m)) {
        return 0;
    }
    r.buf = m->file;
    r.size = m->file_size;
    pos = tl_fb_table_at(&r, m->operators_at, n);
    op_words[TLW_OP_OPCODE] = TL_GET(&r, pos, OPERATOR, OPCODE);
    op_words[TLW_OP_INPUTS] = (uint32_t)(uintptr_t)(r.buf + tl_fb_vector(&r, pos, TL_SLOT_OPERATOR_INPUTS, &count));
    op_words[TLW_OP_INPUT_COUNT] = count;
    op_words[TLW_OP_OUTPUTS] = (uint32_t)(uintptr_t)(r.buf + tl_fb_vector(&r, pos, TL_SLOT_OPERATOR_OUTPUTS, &count));
    op_words[TLW_OP_OUTPUT_COUNT] = count;
    op_words[TLW_OP_OPTIONS_TYPE] = tl_fb_get_u8(&r, pos, TL_SLOT_OPERATOR_OPTIONS_TYPE, 0);
    return (uint32_t)(uintptr_t)op_words;
}

/* Operator n's options as 32-bit words, one per field of its options table in schema order (absent fields take
 * their defaults): ints, bools and enums as int32, floats as float32 bits, a vector as two words (offset of its
 * values in the file, count). The count is in tlw_operator_options_count; 0 when the op takes no options. */
static uint32_t option_count;

#define TLW_PUT_i32(r, t, slot, def) option_words[option_count++] = (uint32_t)tl_fb_get_i32(r, t, slot, def)
#define TLW_PUT_i8(r, t, slot, def) option_words[option_count++] = (uint32_t)(int32_t)tl_fb_get_i8(r, t, slot, def)
#define TLW_PUT_bool(r, t, slot, def) option_words[option_count++] = tl_fb_get_bool(r, t, slot, def)
#define TLW_PUT_f32(r, t, slot, def)                                                                                 \
    do {                                                                                                              \
        union {                                                                                                       \
            float f;                                                                                                  \
            uint32_t u;                                                                                               \
        } bits;                                                                                                       \
        bits.f = tl_fb_get_f32(r, t, slot, def);                                                                      \
        option_words[option_count++] = bits.u;                                                                        \
    } while (0)
#define TLW_PUT_VEC_i32(r, t, slot, def)                                                                             \
    do {                                                                                                              \
        uint32_t n_ = 0;                                                                                              \
        const uint32_t first_ = tl_fb_vector(r, t, slot, &n_);                                                       \
        option_words[option_count++] = first_ ? (uint32_t)(uintptr_t)((r)->buf + first_) : 0u;                       \
        option_words[option_count++] = first_ ? n_ : 0u;                                                              \
    } while (0)
#define TLW_PUT_VEC_i8(r, t, slot, def) TLW_PUT_VEC_i32(r, t, slot, def)
#define TLW_PUT_(kind, r, t, slot, def) TLW_PUT_##kind(r, t, slot, def)
#define TLW_FIELD_(TABLE, field, slot, kind, def, ref, align) TLW_PUT_(kind, &r, value, slot, def);

uint32_t TLW_EXPORT(tlw_operator_options)(const tl_model *m, uint32_t n)
{
    tl_fb r;
    uint32_t pos, value;
    option_count = 0;
    if (n >= tl_model_operator_count(m)) {
        return 0;
    }
    r.buf = m->file;
    r.size = m->file_size;
    pos = tl_fb_table_at(&r, m->operators_at, n);
    value = tl_fb_table(&r, pos, TL_SLOT_OPERATOR_OPTIONS);
    switch (tl_fb_get_u8(&r, pos, TL_SLOT_OPERATOR_OPTIONS_TYPE, 0)) {
#define TLW_OPTIONS_CASE_(UPPER, lower, id, table)                                                                   \
    case id:                                                                                                          \
        TL_FIELDS_##UPPER(TLW_FIELD_) break;
        TL_OPERATOR_OPTIONS_LIST(TLW_OPTIONS_CASE_)
#undef TLW_OPTIONS_CASE_
    default:
        break;
    }
    return (uint32_t)(uintptr_t)option_words;
}

/* Operator n's quant params (the QuantParams table) as words in the layout of tlw_operator_options (a [byte]
 * vector as offset and count too); count 0 when the operator has none. */
uint32_t TLW_EXPORT(tlw_operator_quant_params)(const tl_model *m, uint32_t n)
{
    tl_fb r;
    uint32_t value;
    option_count = 0;
    if (n >= tl_model_operator_count(m)) {
        return 0;
    }
    r.buf = m->file;
    r.size = m->file_size;
    value = tl_fb_table(&r, tl_fb_table_at(&r, m->operators_at, n), TL_SLOT_OPERATOR_QUANT_PARAMS);
    if (value) {
        TL_FIELDS_QUANT_PARAMS(TLW_FIELD_)
    }
    return (uint32_t)(uintptr_t)option_words;
}

uint32_t TLW_EXPORT(tlw_operator_options_count)(void)
{
    return option_count;
}

/* Run operator n of a bound model alone (its inputs must hold their values): a tl_status; the model's detail names
 * the operator on failure. */
uint32_t TLW_EXPORT(tlw_invoke_op)(tl_model *m, uint32_t n)
{
    return (uint32_t)tl_model_invoke_range(m, n, 1);
}
