"""GELU: in -> out = in * Phi(in) = 0.5 * in * (1 + erf(in / sqrt(2))), or with options.approximate its tanh form
0.5 * in * (1 + tanh(sqrt(2 / pi) * (in + 0.044715 * in^3))), elementwise. The float path uses the equal
0.5 * in * erfc(-in / sqrt(2)), which does not cancel for large negative inputs.

Int8: the 256-entry lut TFLite's GeluPrepare builds with LUTPopulate<int8_t> and reference_ops::GeluTransform /
GeluTransformApproximate (see activation_luts.tflite_float_lut), all in float32 as C evaluates them:
  exact:  (0.5f * x) * erfcf(x * (float)-M_SQRT1_2)
  approx: (0.5f * x) * (1.f + tanhf((float)(M_2_SQRTPI * M_SQRT1_2) * (x + ((0.044715f * x) * x) * x)))
(TFLM's GELU writes the exact form as 0.5f * x * (1.f + erff(x * (float)M_SQRT1_2)), which can differ in the last
float32 bits for negative x.)
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import GeluOptions, OpCode
from tensorlet.converter.reference.ops.activation_luts import erfc, libm_f32, prepare_table, tflite_float_lut
from tensorlet.converter.reference.ops.common import check_lut, check_unary, elementwise_macs, is_int8, run_lut

OPCODE = OpCode.GELU
OPTIONS = GeluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

M_SQRT1_2 = 0.70710678118654752440   # C's <math.h> constants, as double literals
M_2_SQRTPI = 1.12837916709551257390
COEFFICIENT = 0.044715


def check(op, ins, outs) -> None:
    if check_unary(op, ins, outs):
        check_lut(op)


def _gelu_f32(x: np.ndarray) -> np.ndarray:
    """float32 [n] -> float32 [n]: TFLite's GeluTransform in C float arithmetic."""
    return (np.float32(0.5) * x) * libm_f32(math.erfc, x * np.float32(-M_SQRT1_2))


def _gelu_tanh_f32(x: np.ndarray) -> np.ndarray:
    """float32 [n] -> float32 [n]: TFLite's GeluTransformApproximate in C float arithmetic."""
    cube = ((np.float32(COEFFICIENT) * x) * x) * x
    inner = np.float32(M_2_SQRTPI * M_SQRT1_2) * (x + cube)
    return (np.float32(0.5) * x) * (np.float32(1.0) + libm_f32(math.tanh, inner))


def prepare(op, ins, outs):
    return prepare_table(tflite_float_lut(_gelu_tanh_f32 if op.options.approximate else _gelu_f32), ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    x = values[0].astype(np.float64)
    if op.options.approximate:
        y = 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + COEFFICIENT * x ** 3)))
    else:
        y = 0.5 * x * erfc(-x * M_SQRT1_2)
    return [y.astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
