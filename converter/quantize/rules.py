"""What each op demands of int8 quantization (the op modules' check() rules, as data for the quantizer).

  SHARED          output takes the input's scale and zero point (pure data movement, pools, resizes).
  FIXED_OUTPUT    output quantization fixed by the kernel (TFLite's requirement), by opcode.
  WEIGHT_AXIS     conv-like ops: constant weights at input 1 quantized per channel along this axis, bias at input 2
                  int32.
  FLOAT_ONLY      no int8 kernel: the op stays float32 between a DEQUANTIZE and a QUANTIZE.
CONCATENATION needs all inputs and the output on one quantization; groups.py decides how.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference.ops import log_softmax, logistic, softmax, tanh

SHARED = frozenset({OpCode.AVERAGE_POOL_2D, OpCode.MAX_POOL_2D, OpCode.RESHAPE, OpCode.TRANSPOSE, OpCode.SLICE,
                    OpCode.PAD, OpCode.RESIZE_NEAREST, OpCode.RESIZE_BILINEAR})

FIXED_OUTPUT: dict[OpCode, tuple[float, int]] = {
    OpCode.SOFTMAX: (softmax.OUTPUT_SCALE, softmax.OUTPUT_ZERO_POINT),
    OpCode.LOGISTIC: (logistic.OUTPUT_SCALE, logistic.OUTPUT_ZERO_POINT),
    OpCode.TANH: (tanh.OUTPUT_SCALE, tanh.OUTPUT_ZERO_POINT),
    OpCode.LOG_SOFTMAX: (log_softmax.OUTPUT_SCALE, log_softmax.OUTPUT_ZERO_POINT),
}

WEIGHT_AXIS: dict[OpCode, int] = {OpCode.CONV_2D: 0, OpCode.TRANSPOSE_CONV: 0, OpCode.FULLY_CONNECTED: 0,
                                  OpCode.DEPTHWISE_CONV_2D: 3}
WEIGHTS, BIAS = 1, 2   # input positions of a conv-like op

FLOAT_ONLY = frozenset({OpCode.LAYER_NORM})

# How an op of the source model is rewritten:
INT8 = "int8"          # int8 inputs, int8 outputs
FLOAT = "float"        # float32 inputs and outputs (FLOAT_ONLY, or conv-like with weights computed at run time)
TO_FLOAT = "to_float"  # a DEQUANTIZE already in the source: int8 in, float out
CONVERT = "convert"    # a QUANTIZE already in the source: reads its input as it is (float or int8), int8 out


def op_kind(model: ir.Model, op: ir.Operator) -> str:
    """INT8, FLOAT, TO_FLOAT or CONVERT for one operator of a float source model."""
    if op.opcode == OpCode.DEQUANTIZE:
        return TO_FLOAT
    if op.opcode == OpCode.QUANTIZE:
        return CONVERT
    if op.opcode in FLOAT_ONLY:
        return FLOAT
    if op.opcode in WEIGHT_AXIS:
        params = [i for k, i in enumerate(op.inputs) if k in (WEIGHTS, BIAS) and i >= 0]
        if not all(model.tensors[i].is_constant for i in params):
            return FLOAT
    return INT8


def is_weight(op: ir.Operator, position: int) -> bool:
    """Whether input `position` of an int8 op is conv-like weights or bias (quantized per channel / int32)."""
    return op.opcode in WEIGHT_AXIS and position in (WEIGHTS, BIAS)


def ties_output(op: ir.Operator) -> bool:
    """Whether an int8 op's data inputs must carry its output's quantization (SHARED ops and CONCATENATION)."""
    return op.opcode in SHARED or op.opcode == OpCode.CONCATENATION
