"""LEAKY_RELU: in -> out = in > 0 ? in : alpha * in, elementwise (alpha as stored: float32).

Int8: the 256-entry lut of TFLite's QuantizeLeakyRelu with LeakyReluPrepare's parameters (TFLite and TFLM agree):
d = q - zp_in; out = zp_out + MultiplyByQuantizedMultiplier(d, identity) for d >= 0, else with alpha, clamped to
int8, where identity = s_in / s_out and alpha_multiplier = s_in * alpha / s_out are formed in float32 arithmetic
before QuantizeMultiplier. A negative alpha gives a negative multiplier, which the arithmetic handles.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import LeakyReluOptions, OpCode
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier
from tensorlet.converter.reference.ops.activation_luts import prepare_table
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_lut, check_unary, elementwise_macs,
                                                      is_int8, require, run_lut, scale_zp)

OPCODE = OpCode.LEAKY_RELU
OPTIONS = LeakyReluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def _alpha(op) -> np.float32:
    return np.float32(op.options.alpha)


def check(op, ins, outs) -> None:
    require(math.isfinite(op.options.alpha), f"LEAKY_RELU alpha {op.options.alpha} is not finite")
    if check_unary(op, ins, outs):
        check_lut(op)


def _quantized_leaky_relu(alpha: np.float32):
    """Table function: q int64[256] -> int8 values [256], TFLite's QuantizeLeakyRelu."""
    def table(q: np.ndarray, x, y) -> np.ndarray:
        s_in, zp_in = (np.float32(scale_zp(x)[0]), scale_zp(x)[1])
        s_out, zp_out = (np.float32(scale_zp(y)[0]), scale_zp(y)[1])
        identity = quantize_multiplier(float(s_in / s_out))
        negative = quantize_multiplier(float(s_in * alpha / s_out))
        d = q - zp_in
        scaled = np.where(d >= 0, multiply_by_quantized_multiplier(d, *identity),
                          multiply_by_quantized_multiplier(d, *negative))
        return np.clip(zp_out + scaled, INT8_MIN, INT8_MAX)
    return table


def prepare(op, ins, outs):
    return prepare_table(_quantized_leaky_relu(_alpha(op)), ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    x = values[0].astype(np.float64)
    return [np.where(x > 0, x, float(_alpha(op)) * x).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
