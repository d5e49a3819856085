/* Tensorlet's portable C99 runtime: run a .tlet model read in place from a const buffer (RAM or flash).
 *
 * No malloc, no global mutable state, no stdio: the caller owns every byte. A program may hold any number of
 * models at once, each a tl_model struct plus its own arena.
 *
 *   tl_model m;
 *   if (tl_model_load(&m, model_data, model_size) != TL_OK) puts(tl_model_detail(&m));
 *   size_t need = tl_model_arena_size(&m);                 // activations + the runtime's own tables
 *   tl_model_bind(&m, arena, sizeof arena);                // arena: 16-byte aligned, >= need bytes
 *   tl_tensor in; tl_model_input(&m, 0, &in);              // in.data, in.dims, in.scale, ...
 *   ... write in.bytes bytes to in.data ...
 *   tl_model_invoke(&m);
 *   tl_tensor out; tl_model_output(&m, 0, &out);          // read out.data
 *
 * Every function returns a tl_status (TL_OK is 0); tl_status_string() names a status and tl_model_detail() says
 * what exactly failed (which tensor or operator, and why). The model data must stay in place, unmodified and
 * 16-byte aligned for as long as the model is used; so must the arena. Little-endian targets only.
 */
#ifndef TENSORLET_H
#define TENSORLET_H

#include <stddef.h>
#include <stdint.h>

#include "tl_schema.h" /* generated from schemas/tensorlet.fbs: TL_DTYPE_*, TL_OP_*, TL_ACTIVATION_* */

#ifdef __cplusplus
extern "C" {
#endif

#define TL_FORMAT_VERSION 1u /* the Model.version this runtime reads */
#define TL_ALIGNMENT 16u     /* byte alignment of the model data and of the arena */
#ifndef TL_MAX_RANK
#define TL_MAX_RANK 8 /* tensors of higher rank are rejected with TL_ERROR_LIMIT */
#endif
#define TL_DETAIL_SIZE 192 /* bytes of the per-model detail message, NUL included */

/* Status codes; TL_OK is 0, every error is positive. */
typedef enum tl_status {
    TL_OK = 0,
    TL_ERROR_ARGUMENT,       /* a NULL pointer, an index out of range or a byte count that does not match */
    TL_ERROR_NOT_TLET,       /* too short or wrong file identifier: not a .tlet model */
    TL_ERROR_FILE_LENGTH,    /* the length is not a multiple of 16: truncated or padded */
    TL_ERROR_VERSION,        /* Model.version is not TL_FORMAT_VERSION */
    TL_ERROR_ALIGNMENT,      /* the model data or the arena is not 16-byte aligned */
    TL_ERROR_STRUCTURE,      /* a FlatBuffers offset, length, vtable, alignment or string is invalid */
    TL_ERROR_TENSOR,         /* a tensor's dtype, shape, quantization, buffer or arena placement is invalid */
    TL_ERROR_GRAPH,          /* model inputs/outputs, operator tensor lists, dataflow order or memory plan */
    TL_ERROR_OPERATOR,       /* an operator breaks its op's rule: arity, options, shapes, dtypes, quant params */
    TL_ERROR_UNSUPPORTED_OP, /* a valid operator that has no kernel in this build */
    TL_ERROR_LIMIT,          /* valid, but past this build's limits (TL_MAX_RANK, TL_MAX_OP_INPUTS, 2 GiB) */
    TL_ERROR_STATE,          /* called in the wrong state: not loaded, or not bound */
    TL_ERROR_ARENA_TOO_SMALL, /* the arena is smaller than tl_model_arena_size() */
    TL_ERROR_KERNEL,         /* a kernel met data it cannot compute (e.g. int8 SOFTMAX over 511 classes) */
    TL_STATUS_COUNT
} tl_status;

/* One tensor of a model, as the runtime holds it (all fields are read-only for the caller). */
typedef struct tl_tensor {
    void *data;                 /* activation: its bytes in the arena once bound, else NULL; constant: in the file */
    const char *name;           /* NUL-terminated UTF-8 in the model file; "" when it has none */
    const float *scales;        /* quant_count scales in the model file, NULL when not quantized */
    const int32_t *zero_points; /* quant_count zero points in the model file, NULL when not quantized */
    int32_t dims[TL_MAX_RANK];  /* dims[0..rank), each >= 1 */
    uint32_t rank;
    uint32_t elements;      /* product of the dims (1 for rank 0) */
    uint32_t bytes;         /* elements * tl_dtype_size(dtype) */
    int32_t index;          /* position in the model's tensor list */
    int32_t arena_offset;   /* activation: byte offset in the arena; constant: -1 */
    float scale;            /* scales[0], or 0 when not quantized */
    int32_t zero_point;     /* zero_points[0], or 0 when not quantized */
    uint32_t quant_count;   /* 0: not quantized, 1: per-tensor, else one per slice along quant_axis */
    int32_t quant_axis;     /* the quantized dimension, -1 when per-tensor */
    int32_t producer;       /* set by bind: the operator writing it, -2 for a model input, -1 for none */
    int32_t first_use;      /* set by bind: first operator step the activation is live, -1 when never */
    int32_t last_use;       /* set by bind: last operator step the activation is live, -1 when never */
    uint8_t dtype;          /* TL_DTYPE_* */
    uint8_t is_constant;    /* 1 for a constant (data in the file), 0 for an activation (data in the arena) */
    uint8_t flags;          /* runtime bookkeeping */
    uint8_t reserved;
} tl_tensor;

struct tl_op_slot;

/* A loaded model. The caller owns it (static, stack or inside another struct); its fields are private. */
typedef struct tl_model {
    const uint8_t *file;     /* the model data, read in place */
    uint8_t *arena;          /* the bound arena, NULL before tl_model_bind */
    tl_tensor *tensors;      /* tensor_count entries in the arena once bound */
    struct tl_op_slot *ops;  /* operator_count entries in the arena once bound */
    size_t arena_size;       /* bytes tl_model_bind needs */
    uint32_t file_size;
    uint32_t stage;          /* 0 empty, 1 loaded, 2 bound */
    uint32_t tensors_at, tensor_count;     /* file position of Model.tensors' first element, count */
    uint32_t operators_at, operator_count;
    uint32_t inputs_at, input_count;
    uint32_t outputs_at, output_count;
    uint32_t buffers_at, buffer_count;
    uint32_t activation_bytes; /* Model.arena_bytes: the offline memory plan's size */
    uint32_t state_bytes;      /* what the kernels asked for, per-op state */
    char detail[TL_DETAIL_SIZE]; /* what the last failure was about */
} tl_model;

/* Verify the whole .tlet file at data[0..size) and load it into *model (data is read in place, never copied, and
 * must outlive the model): identifier, version, length, every offset/length/alignment/index, dtypes, shapes
 * against buffer sizes, activations inside the arena plan, every operator's arity, options, shapes and quant
 * params, and that each operator has a kernel in this build. data must be 16-byte aligned. On failure *model
 * holds only the detail message. */
tl_status tl_model_load(tl_model *model, const void *data, size_t size);

/* Bytes of arena a loaded model needs for tl_model_bind (activations, the runtime's per-tensor and per-operator
 * tables, kernel state); 0 when the model is not loaded. */
size_t tl_model_arena_size(const tl_model *model);

/* Lay a loaded model out in the caller's arena (16-byte aligned, at least tl_model_arena_size() bytes), finish
 * verification (each activation written once and before it is read, live activations never overlap in the plan)
 * and run every kernel's prepare step. The arena must outlive the model and is the model's only working memory.
 * A model may be bound again to another arena. */
tl_status tl_model_bind(tl_model *model, void *arena, size_t arena_size);

/* Run one inference on a bound model: inputs are read from, and outputs written to, their tensors' data. */
tl_status tl_model_invoke(tl_model *model);

/* Run operators [first, first + count) of a bound model, in execution order: a host that runs some operators
 * elsewhere (a GPU) runs the others here; their inputs must hold their values. TL_ERROR_ARGUMENT when the range
 * passes the operator count. */
tl_status tl_model_invoke_range(tl_model *model, uint32_t first, uint32_t count);

/* Number of model inputs (0 when not loaded). */
uint32_t tl_model_input_count(const tl_model *model);

/* Number of model outputs (0 when not loaded). */
uint32_t tl_model_output_count(const tl_model *model);

/* Number of tensors in the model (0 when not loaded). */
uint32_t tl_model_tensor_count(const tl_model *model);

/* Number of operators in the model (0 when not loaded). */
uint32_t tl_model_operator_count(const tl_model *model);

/* Describe model input `index` in *out: name, rank, dims, dtype, quantization, byte size and (once bound) data. */
tl_status tl_model_input(const tl_model *model, uint32_t index, tl_tensor *out);

/* Describe model output `index` in *out, as tl_model_input does. */
tl_status tl_model_output(const tl_model *model, uint32_t index, tl_tensor *out);

/* Describe any tensor of the model by its index in the model's tensor list (constants included). */
tl_status tl_model_tensor(const tl_model *model, uint32_t index, tl_tensor *out);

/* Copy `bytes` bytes (exactly the input's byte size) from src into model input `index` of a bound model. */
tl_status tl_model_set_input(tl_model *model, uint32_t index, const void *src, size_t bytes);

/* Copy model output `index` of a bound model (exactly `bytes` bytes, its byte size) into dst. */
tl_status tl_model_get_output(const tl_model *model, uint32_t index, void *dst, size_t bytes);

/* The model's detail message: what the last failing call was about (a tensor or operator index and why);
 * "" after success. Never NULL. */
const char *tl_model_detail(const tl_model *model);

/* A fixed English sentence naming `status`; never NULL (unknown codes get a generic sentence). */
const char *tl_status_string(tl_status status);

/* The name of a TL_DTYPE_* value ("FLOAT32", ...), "?" when unknown. */
const char *tl_dtype_name(uint32_t dtype);

/* Bytes per element of a TL_DTYPE_* value, 0 when unknown. */
uint32_t tl_dtype_size(uint32_t dtype);

/* The name of a TL_OP_* opcode ("CONV_2D", ...), "?" when unknown. */
const char *tl_opcode_name(uint32_t opcode);

/* 1 when this build has a kernel for the opcode, else 0. */
int tl_opcode_supported(uint32_t opcode);

/* sizeof(tl_model) and sizeof(tl_tensor), for foreign-function bindings that allocate them. */
size_t tl_model_struct_size(void);
size_t tl_tensor_struct_size(void);

#ifdef __cplusplus
}
#endif

#endif /* TENSORLET_H */
