"""TANH: in -> out = tanh(in), elementwise.

Float: computed in float64, rounded to float32.
Int8: the output quantization is fixed (scale 1/128, zero point 0; check() requires it) and the op is stored as its
256-entry table. prepare() fills the table by running, at every int8 input, TFLite Micro's int8 kernel
(reference_integer_ops::Tanh, integer_ops/tanh.h) with the parameters its Prepare computes (tanh.cc, the same as
LOGISTIC's: multiplier and shift by frexp of input_scale * 2^27, radius = CalculateInputRadius(4, shift, 31); input
scales below 2^-28 are rejected):
d = x - x_zp; d <= -radius -> -128; d >= radius -> 127; otherwise the Q4.27 input goes through gemmlowp's tanh
(Q0.31 out) and y = RoundingDivideByPOT(that, 24), clamped to int8 (no output offset: the zero point is 0).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import rounding_divide_by_pot
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_lut, check_unary, elementwise_macs,
                                                      is_int8, prepare_lut, require, run_lut, scale_zp)
from tensorlet.converter.reference.ops.logistic import (INPUT_INTEGER_BITS, q4_input_params, q4_inputs,
                                                        saturate_outside_radius)

OPCODE = OpCode.TANH
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

OUTPUT_SCALE, OUTPUT_ZERO_POINT = 1.0 / 128, 0


def int8_tanh(q: np.ndarray, x, y) -> np.ndarray:
    """int8 inputs (int64, any shape) -> int8 outputs (int64), TFLite Micro's int8 Tanh."""
    d, input_q4, radius = q4_inputs(q, x)
    output_q0 = gemmlowp.tanh(input_q4, INPUT_INTEGER_BITS)
    out = np.clip(rounding_divide_by_pot(output_q0, 31 - 7), INT8_MIN, INT8_MAX)
    return saturate_outside_radius(d, radius, out)


def check(op, ins, outs) -> None:
    if check_unary(op, ins, outs):
        y = outs[0]
        q4_input_params(scale_zp(ins[0])[0])
        require(scale_zp(y) == (OUTPUT_SCALE, OUTPUT_ZERO_POINT),
                f"int8 TANH output {y.name!r} must have scale 1/128 and zero point 0, got {scale_zp(y)}")
        check_lut(op)


def prepare(op, ins, outs):
    return prepare_lut(int8_tanh, ins[0], outs[0])


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    return [np.tanh(values[0].astype(np.float64)).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
