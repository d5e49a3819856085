"""LOGISTIC: in -> out = 1 / (1 + exp(-in)), elementwise.

Float: computed in float64 (exp of -|x| only, so nothing overflows), rounded to float32.
Int8: the output quantization is fixed (scale 1/256, zero point -128; check() requires it) and the op is stored as
its 256-entry table. prepare() fills the table by running, at every int8 input, TFLite Micro's int8 kernel
(reference_integer_ops::Logistic, integer_ops/logistic.h) with the parameters its Prepare computes
(logistic_common.cc): real = input_scale (float32, widened) * 2^27, (q, input_left_shift) = frexp(real),
input_multiplier = round(q * 2^31), input_range_radius = CalculateInputRadius(4, input_left_shift, 31) (input
scales below 2^-28, whose negative shift makes that C undefined, are rejected); then
d = x - x_zp; d <= -radius -> -128; d >= radius -> 127; otherwise the Q4.27 input
MultiplyByQuantizedMultiplier(d, multiplier, shift) goes through gemmlowp's logistic (Q0.31 out), and
y = RoundingDivideByPOT(that, 23) - 128, clamped to int8.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import (multiply_by_quantized_multiplier, rounding_divide_by_pot,
                                                       tflite_round)
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_lut, check_unary, elementwise_macs,
                                                      is_int8, prepare_lut, require, run_lut, scale_zp)

OPCODE = OpCode.LOGISTIC
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

INPUT_INTEGER_BITS = 4           # the kernel's fixed-point input is Q4.27
OUTPUT_SCALE, OUTPUT_ZERO_POINT = 1.0 / 256, -128


def q4_input_params(input_scale: float) -> tuple[int, int, int]:
    """(input_multiplier, input_left_shift, input_range_radius) of TFLite Micro's int8 LOGISTIC/TANH Prepare."""
    real = float(np.float32(input_scale)) * float(1 << (31 - INPUT_INTEGER_BITS))
    fraction, shift = math.frexp(real)
    require(shift >= 0, f"int8 input scale {input_scale!r} is below 2^-28: TFLite's radius computation would shift "
                        f"by {shift} (undefined in C)")
    multiplier = int(tflite_round(fraction * (1 << 31)))
    require(multiplier < 1 << 31, f"input scale {input_scale!r} gives a multiplier outside int32")  # float32: never
    return multiplier, shift, gemmlowp.calculate_input_radius(INPUT_INTEGER_BITS, shift, 31)


def q4_inputs(q: np.ndarray, x) -> tuple[np.ndarray, np.ndarray, int]:
    """int8 values (int64, any shape) -> (d = q - x_zp, the Q4.27 raw of d * x_scale, radius)."""
    multiplier, shift, radius = q4_input_params(scale_zp(x)[0])
    d = np.asarray(q, dtype=np.int64) - scale_zp(x)[1]
    inside = np.where(np.abs(d) < radius, d, 0)    # outside the radius the kernel never rescales (it would overflow)
    return d, multiply_by_quantized_multiplier(inside, multiplier, shift), radius


def saturate_outside_radius(d: np.ndarray, radius: int, y: np.ndarray) -> np.ndarray:
    """The kernels' range test, in their order: d <= -radius -> -128, else d >= radius -> 127, else y."""
    return np.where(d <= -radius, INT8_MIN, np.where(d >= radius, INT8_MAX, y))


def int8_logistic(q: np.ndarray, x, y) -> np.ndarray:
    """int8 inputs (int64, any shape) -> int8 outputs (int64), TFLite Micro's int8 Logistic."""
    d, input_q4, radius = q4_inputs(q, x)
    output_q0 = gemmlowp.logistic(input_q4, INPUT_INTEGER_BITS)
    out = np.clip(rounding_divide_by_pot(output_q0, 31 - 8) + OUTPUT_ZERO_POINT, INT8_MIN, INT8_MAX)
    return saturate_outside_radius(d, radius, out)


def float_logistic(x: np.ndarray) -> np.ndarray:
    """x: float32 any shape -> float32 same shape."""
    x = x.astype(np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.float32)


def check(op, ins, outs) -> None:
    if check_unary(op, ins, outs):
        y = outs[0]
        q4_input_params(scale_zp(ins[0])[0])
        require(scale_zp(y) == (OUTPUT_SCALE, OUTPUT_ZERO_POINT),
                f"int8 LOGISTIC output {y.name!r} must have scale 1/256 and zero point -128, got {scale_zp(y)}")
        check_lut(op)


def prepare(op, ins, outs):
    return prepare_lut(int8_logistic, ins[0], outs[0])


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    return [float_logistic(values[0])]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
