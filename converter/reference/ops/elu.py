"""ELU: in -> out = in >= 0 ? in : alpha * (exp(in) - 1), elementwise (alpha as stored: float32).

Int8: the 256-entry lut TFLite's EluPrepare builds with LUTPopulate<int8_t> (see activation_luts.tflite_float_lut):
in float32, x = s_in * (q - zp_in), f(x) = x < 0 ? alpha * expm1f(x) : x, out = roundf(f(x) * (1 / s_out)) + zp_out,
clamped. TFLite has no alpha (alpha = 1, where the float32 product is exact, so the table is TFLite's); TFLM's ELU
uses expf(x) - 1.0f, which differs from expm1f by float32 rounding near zero.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import EluOptions, OpCode
from tensorlet.converter.reference.ops.activation_luts import libm_f32, prepare_table, tflite_float_lut
from tensorlet.converter.reference.ops.common import (check_lut, check_unary, elementwise_macs, is_int8, require,
                                                      run_lut)

OPCODE = OpCode.ELU
OPTIONS = EluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def _alpha(op) -> np.float32:
    return np.float32(op.options.alpha)


def check(op, ins, outs) -> None:
    require(math.isfinite(op.options.alpha), f"ELU alpha {op.options.alpha} is not finite")
    if check_unary(op, ins, outs):
        check_lut(op)


def _elu_f32(alpha: np.float32):
    """float32 [n] -> float32 [n]: x < 0 ? alpha * expm1f(x) : x in C float arithmetic."""
    def transform(x: np.ndarray) -> np.ndarray:
        negative = alpha * libm_f32(math.expm1, np.minimum(x, np.float32(0.0)))
        return np.where(x < 0, negative, x).astype(np.float32)
    return transform


def prepare(op, ins, outs):
    return prepare_table(tflite_float_lut(_elu_f32(_alpha(op))), ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    x = values[0].astype(np.float64)
    return [np.where(x < 0, float(_alpha(op)) * np.expm1(np.minimum(x, 0.0)), x).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
