/* THE op table: opcode -> kernel. One line per op; a build links only the kernels listed here.
 *
 * By default every kernel in kernels/ is in. To link a subset, compile this file with -DTL_SELECT_OPS and one
 * -DTL_USE_<OP> per op wanted (e.g. -DTL_SELECT_OPS -DTL_USE_FULLY_CONNECTED): a model using any other op is then
 * rejected at load with "operator N (OP): has no kernel in this build".
 * Adding an op: write kernels/<op>.c defining tl_kernel_<op>, add its TL_KERNEL line below and its file to the
 * Makefile's KERNELS.
 */
#include "tl_kernel.h"

#ifndef TL_SELECT_OPS
#define TL_USE_CONV_2D
#define TL_USE_DEPTHWISE_CONV_2D
#define TL_USE_FULLY_CONNECTED
#define TL_USE_ADD
#define TL_USE_AVERAGE_POOL_2D
#define TL_USE_MAX_POOL_2D
#define TL_USE_RESHAPE
#define TL_USE_SOFTMAX
#define TL_USE_LOGISTIC
#define TL_USE_TANH
#define TL_USE_RELU
#define TL_USE_RELU6
#define TL_USE_LEAKY_RELU
#define TL_USE_HARD_SWISH
#define TL_USE_ELU
#define TL_USE_GELU
#define TL_USE_QUANTIZE
#define TL_USE_DEQUANTIZE
#define TL_USE_TRANSPOSE_CONV
#define TL_USE_SUB
#define TL_USE_MUL
#define TL_USE_MEAN
#define TL_USE_CONCATENATION
#define TL_USE_PAD
#define TL_USE_LOG_SOFTMAX
#define TL_USE_LAYER_NORM
#define TL_USE_RESIZE_NEAREST
#define TL_USE_RESIZE_BILINEAR
#define TL_USE_TRANSPOSE
#define TL_USE_SLICE
#endif

#define TL_KERNEL(OP, op) extern const tl_kernel tl_kernel_##op;
#include "tl_op_list.h"
#undef TL_KERNEL

static const tl_kernel *const kernels[TL_OP_COUNT] = {
#define TL_KERNEL(OP, op) [TL_OP_##OP] = &tl_kernel_##op,
#include "tl_op_list.h"
#undef TL_KERNEL
};

const tl_kernel *tl_op_kernel(uint32_t opcode)
{
    return opcode < TL_OP_COUNT ? kernels[opcode] : NULL;
}

int tl_opcode_supported(uint32_t opcode)
{
    return tl_op_kernel(opcode) != NULL;
}
