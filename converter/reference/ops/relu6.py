"""RELU6: in -> out = min(max(in, 0), 6), elementwise.

Int8: the 256-entry lut of TFLite's quantized ReLU6 (ReluPrepare + reference ReluX):
zp_out + MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out), clamped to
[max(-128, zp_out), min(127, zp_out + roundf(6 / s_out))]. (TFLM's Relu6 instead clamps the input in its own
domain without rescaling; the two agree when input and output share their quantization.)
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.reference.ops.activation_luts import prepare_table, quantized_relu_x
from tensorlet.converter.reference.ops.common import check_lut, check_unary, elementwise_macs, is_int8, run_lut

OPCODE = OpCode.RELU6
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    if check_unary(op, ins, outs):
        check_lut(op)


def prepare(op, ins, outs):
    return prepare_table(quantized_relu_x(Activation.RELU6), ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    return [np.clip(values[0].astype(np.float64), 0.0, 6.0).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
