/* Names of status codes, dtypes and opcodes (from tl_schema.h's lists), and dtype sizes. */
#include "tensorlet.h"

const char *tl_status_string(tl_status status)
{
    switch (status) {
    case TL_OK:
        return "ok";
    case TL_ERROR_ARGUMENT:
        return "invalid argument (NULL pointer, index out of range or wrong byte count)";
    case TL_ERROR_NOT_TLET:
        return "not a .tlet model (too short or wrong file identifier)";
    case TL_ERROR_FILE_LENGTH:
        return "file length is not a multiple of 16: truncated or padded";
    case TL_ERROR_VERSION:
        return "unsupported .tlet format version";
    case TL_ERROR_ALIGNMENT:
        return "model data or arena is not 16-byte aligned";
    case TL_ERROR_STRUCTURE:
        return "malformed file structure (offset, length, vtable, alignment or string)";
    case TL_ERROR_TENSOR:
        return "invalid tensor (dtype, shape, quantization, buffer or arena placement)";
    case TL_ERROR_GRAPH:
        return "invalid graph (model inputs/outputs, operator tensors, dataflow order or memory plan)";
    case TL_ERROR_OPERATOR:
        return "operator breaks its op's rule (arity, options, shapes, dtypes or quant params)";
    case TL_ERROR_UNSUPPORTED_OP:
        return "operator has no kernel in this build";
    case TL_ERROR_LIMIT:
        return "model exceeds a limit of this build";
    case TL_ERROR_STATE:
        return "call in the wrong state (model not loaded or not bound)";
    case TL_ERROR_ARENA_TOO_SMALL:
        return "arena is smaller than the model needs";
    case TL_ERROR_KERNEL:
        return "a kernel cannot compute this input";
    default:
        return "unknown status";
    }
}

const char *tl_dtype_name(uint32_t dtype)
{
    switch (dtype) {
#define TL_DTYPE_NAME_(NAME, value)                                                                                  \
    case value:                                                                                                       \
        return #NAME;
        TL_DTYPE_LIST(TL_DTYPE_NAME_)
#undef TL_DTYPE_NAME_
    default:
        return "?";
    }
}

uint32_t tl_dtype_size(uint32_t dtype)
{
    switch (dtype) {
    case TL_DTYPE_FLOAT32:
    case TL_DTYPE_INT32:
        return 4;
    case TL_DTYPE_INT8:
    case TL_DTYPE_UINT8:
        return 1;
    case TL_DTYPE_INT16:
    case TL_DTYPE_FLOAT16:
        return 2;
    default:
        return 0;
    }
}

const char *tl_opcode_name(uint32_t opcode)
{
    switch (opcode) {
#define TL_OPCODE_NAME_(NAME, value)                                                                                 \
    case value:                                                                                                       \
        return #NAME;
        TL_OP_LIST(TL_OPCODE_NAME_)
#undef TL_OPCODE_NAME_
    default:
        return "?";
    }
}
