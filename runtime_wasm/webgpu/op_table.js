// The WebGPU kernels, by opcode name: each module exports plan(op, context) -> passes [{ code, groups }] and
// optionally lacking(op) -> "" or why it cannot take this operator, and float16Constants (reads float16 weights).
// An opcode missing here runs in wasm, operator by operator (model.backendReport says so).
import * as ADD from "./ops/add.js";
import * as AVERAGE_POOL_2D from "./ops/average_pool_2d.js";
import * as CONCATENATION from "./ops/concatenation.js";
import * as CONV_2D from "./ops/conv_2d.js";
import * as DEPTHWISE_CONV_2D from "./ops/depthwise_conv_2d.js";
import * as DEQUANTIZE from "./ops/dequantize.js";
import * as ELU from "./ops/elu.js";
import * as FULLY_CONNECTED from "./ops/fully_connected.js";
import * as GELU from "./ops/gelu.js";
import * as HARD_SWISH from "./ops/hard_swish.js";
import * as LAYER_NORM from "./ops/layer_norm.js";
import * as LEAKY_RELU from "./ops/leaky_relu.js";
import * as LOG_SOFTMAX from "./ops/log_softmax.js";
import * as LOGISTIC from "./ops/logistic.js";
import * as MAX_POOL_2D from "./ops/max_pool_2d.js";
import * as MEAN from "./ops/mean.js";
import * as MUL from "./ops/mul.js";
import * as PAD from "./ops/pad.js";
import * as QUANTIZE from "./ops/quantize.js";
import * as RELU from "./ops/relu.js";
import * as RELU6 from "./ops/relu6.js";
import * as RESHAPE from "./ops/reshape.js";
import * as RESIZE_BILINEAR from "./ops/resize_bilinear.js";
import * as RESIZE_NEAREST from "./ops/resize_nearest.js";
import * as SLICE from "./ops/slice.js";
import * as SOFTMAX from "./ops/softmax.js";
import * as SUB from "./ops/sub.js";
import * as TANH from "./ops/tanh.js";
import * as TRANSPOSE from "./ops/transpose.js";
import * as TRANSPOSE_CONV from "./ops/transpose_conv.js";

export const KERNELS = Object.freeze({
  ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, ELU, FULLY_CONNECTED, GELU,
  HARD_SWISH, LAYER_NORM, LEAKY_RELU, LOG_SOFTMAX, LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, QUANTIZE, RELU, RELU6,
  RESHAPE, RESIZE_BILINEAR, RESIZE_NEAREST, SLICE, SOFTMAX, SUB, TANH, TRANSPOSE, TRANSPOSE_CONV,
});
