/* The kernels of this build, one TL_KERNEL(OPCODE, file name) line per op (included twice by tl_op_table.c). */
#ifdef TL_USE_CONV_2D
TL_KERNEL(CONV_2D, conv_2d)
#endif
#ifdef TL_USE_DEPTHWISE_CONV_2D
TL_KERNEL(DEPTHWISE_CONV_2D, depthwise_conv_2d)
#endif
#ifdef TL_USE_FULLY_CONNECTED
TL_KERNEL(FULLY_CONNECTED, fully_connected)
#endif
#ifdef TL_USE_ADD
TL_KERNEL(ADD, add)
#endif
#ifdef TL_USE_AVERAGE_POOL_2D
TL_KERNEL(AVERAGE_POOL_2D, average_pool_2d)
#endif
#ifdef TL_USE_MAX_POOL_2D
TL_KERNEL(MAX_POOL_2D, max_pool_2d)
#endif
#ifdef TL_USE_RESHAPE
TL_KERNEL(RESHAPE, reshape)
#endif
#ifdef TL_USE_SOFTMAX
TL_KERNEL(SOFTMAX, softmax)
#endif
#ifdef TL_USE_LOGISTIC
TL_KERNEL(LOGISTIC, logistic)
#endif
#ifdef TL_USE_TANH
TL_KERNEL(TANH, tanh)
#endif
#ifdef TL_USE_RELU
TL_KERNEL(RELU, relu)
#endif
#ifdef TL_USE_RELU6
TL_KERNEL(RELU6, relu6)
#endif
#ifdef TL_USE_LEAKY_RELU
TL_KERNEL(LEAKY_RELU, leaky_relu)
#endif
#ifdef TL_USE_HARD_SWISH
TL_KERNEL(HARD_SWISH, hard_swish)
#endif
#ifdef TL_USE_ELU
TL_KERNEL(ELU, elu)
#endif
#ifdef TL_USE_GELU
TL_KERNEL(GELU, gelu)
#endif
#ifdef TL_USE_QUANTIZE
TL_KERNEL(QUANTIZE, quantize)
#endif
#ifdef TL_USE_DEQUANTIZE
TL_KERNEL(DEQUANTIZE, dequantize)
#endif
#ifdef TL_USE_TRANSPOSE_CONV
TL_KERNEL(TRANSPOSE_CONV, transpose_conv)
#endif
#ifdef TL_USE_SUB
TL_KERNEL(SUB, sub)
#endif
#ifdef TL_USE_MUL
TL_KERNEL(MUL, mul)
#endif
#ifdef TL_USE_MEAN
TL_KERNEL(MEAN, mean)
#endif
#ifdef TL_USE_CONCATENATION
TL_KERNEL(CONCATENATION, concatenation)
#endif
#ifdef TL_USE_PAD
TL_KERNEL(PAD, pad)
#endif
#ifdef TL_USE_LOG_SOFTMAX
TL_KERNEL(LOG_SOFTMAX, log_softmax)
#endif
#ifdef TL_USE_LAYER_NORM
TL_KERNEL(LAYER_NORM, layer_norm)
#endif
#ifdef TL_USE_RESIZE_NEAREST
TL_KERNEL(RESIZE_NEAREST, resize_nearest)
#endif
#ifdef TL_USE_RESIZE_BILINEAR
TL_KERNEL(RESIZE_BILINEAR, resize_bilinear)
#endif
#ifdef TL_USE_TRANSPOSE
TL_KERNEL(TRANSPOSE, transpose)
#endif
#ifdef TL_USE_SLICE
TL_KERNEL(SLICE, slice)
#endif
