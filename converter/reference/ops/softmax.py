"""SOFTMAX: in [..,C] -> out [..,C], over the last axis: exp(beta * (x - max)) / sum.

Float: computed in float64, rounded to float32.
Int8 exactly as TFLite Micro's int8 -> int8 SOFTMAX (softmax_common.cc CalculateSoftmaxParams, then
tensorflow/lite/kernels/internal/reference/softmax.h's quantized Softmax, default double rounding):
  prepare: (input_multiplier[0], input_shift[0]) = PreprocessSoftmaxScaling(beta, input_scale, 5), i.e. the Q31
           quantization of beta * input_scale * 2^26 (capped at 2^31 - 1; input_shift is a left shift >= 0), and
           diff_min = -CalculateInputRadius(5, input_shift), beta and input_scale read as float32 as TFLite does;
  run, per row: diff = x - max(row); entries with diff < diff_min contribute nothing and output -128; the others
           are rescaled to Q5.26 (SRDHM(diff * 2^input_shift, input_multiplier)), exp'd (gemmlowp
           exp_on_negative_values -> Q0.31), summed in Q12.19 (each exp rounding-shifted right by 12);
           (s, n) = GetReciprocal(sum, 12); y = RoundingDivideByPOT(SRDHM(s, exp), n + 31 - 8) - 128, clamped.
The output must be quantized with scale 1/256 and zero point -128 (TFLite requires it). TFLite aborts a row whose
sum of exps reaches 512 (the final shift would pass 31; only possible with more than 511 classes): run raises
TensorletError there.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, QuantParams, SoftmaxOptions
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import (INT32_MAX, multiply_by_quantized_multiplier,
                                                       rounding_divide_by_pot, saturating_rounding_doubling_high_mul)
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_unary, elementwise_macs, is_int8,
                                                      require, require_quant_params, scale_zp)
from tensorlet.errors import TensorletError

OPCODE = OpCode.SOFTMAX
OPTIONS = SoftmaxOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

SCALED_DIFF_INTEGER_BITS = 5     # exp's input is Q5.26
ACCUMULATION_INTEGER_BITS = 12   # the sum of exps is Q12.19
OUTPUT_SCALE, OUTPUT_ZERO_POINT = 1.0 / 256, -128


def f32(value: float) -> float:
    """value as the float32 that the file (and TFLite's params) hold, widened to double."""
    return float(np.float32(value))


def require_beta(op) -> float:
    beta = f32(op.options.beta)
    require(np.isfinite(beta) and beta > 0, f"softmax beta must be finite and > 0, got {op.options.beta}")
    return beta


def require_fixed_output(y, scale: float, zero_point: int, what: str) -> None:
    """An int8 output whose quantization the kernel fixes (TFLite checks it in Prepare)."""
    require(scale_zp(y) == (scale, zero_point),
            f"int8 {what} output {y.name!r} must have scale {scale!r} and zero point {zero_point}, "
            f"got {scale_zp(y)}")


def require_scaling(beta: float, x) -> float:
    """The int8 input's scale (as float32) when beta * scale * 2^26 > 1, as TFLite's kernel needs."""
    scale = f32(scale_zp(x)[0])
    require(gemmlowp.softmax_real_multiplier(beta, scale, SCALED_DIFF_INTEGER_BITS) > 1.0,
            f"beta * input scale = {beta * scale!r} is too small for TFLite's int8 kernel "
            f"(it needs beta * input_scale * 2^26 > 1)")
    return scale


def require_scaled_diff_params(op, x, beta: float) -> QuantParams:
    """input_multiplier/input_shift/diff_min of softmax and log-softmax: a left shift, and a diff_min whose diffs
    stay inside int32 once shifted (at most CalculateInputRadius(5, shift) in magnitude)."""
    require_scaling(beta, x)
    params = require_quant_params(op, input_multiplier=1, input_shift=1)
    shift = params.input_shift[0]
    require(shift >= 0, f"quant_params.input_shift[0] is {shift}; the scaled diff needs a left shift >= 0")
    radius = gemmlowp.calculate_input_radius(SCALED_DIFF_INTEGER_BITS, shift)
    require(-radius <= params.diff_min <= 0,
            f"quant_params.diff_min {params.diff_min} is outside [{-radius}, 0] for input_shift {shift}")
    return params


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require(len(x.shape) >= 1, f"input {x.name!r} must have rank >= 1")
    beta = require_beta(op)
    if check_unary(op, ins, outs):
        require_fixed_output(y, OUTPUT_SCALE, OUTPUT_ZERO_POINT, "SOFTMAX")
        require_scaled_diff_params(op, x, beta)


def prepare(op, ins, outs):
    beta = require_beta(op)
    multiplier, shift = gemmlowp.preprocess_softmax_scaling(beta, require_scaling(beta, ins[0]),
                                                           SCALED_DIFF_INTEGER_BITS)
    diff_min = -gemmlowp.calculate_input_radius(SCALED_DIFF_INTEGER_BITS, shift)
    return QuantParams(input_multiplier=[multiplier], input_shift=[shift], diff_min=diff_min)


def scaled_diffs(x: np.ndarray, params: QuantParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x: int8 [..,C] -> (diff = x - row max, valid = diff >= diff_min, Q5.26 beta * diff), each int64 [..,C]."""
    diff = x.astype(np.int64) - x.max(axis=-1, keepdims=True).astype(np.int64)
    valid = diff >= params.diff_min
    # MultiplyByQuantizedMultiplierGreaterThanOne: SRDHM(diff * 2^shift, m); equal to MBQM for a shift >= 0
    rescaled = multiply_by_quantized_multiplier(np.where(valid, diff, 0), params.input_multiplier[0],
                                                params.input_shift[0])
    return diff, valid, rescaled


def sum_of_exps_q12(exps: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Q0.31 exps [..,C] -> Q12.19 sum over the valid ones [..,1]; a sum past int32 (4096 exps of 1) would wrap in
    TFLite's int32 accumulator, so it raises TensorletError instead of returning garbage."""
    terms = gemmlowp.rescale(exps, 0, ACCUMULATION_INTEGER_BITS)
    total = np.where(valid, terms, 0).sum(axis=-1, keepdims=True)
    if total.size and total.max() > INT32_MAX:
        raise TensorletError("int8 softmax: a row's sum of exps overflows TFLite's Q12.19 int32 accumulator "
                             "(4096 or more classes at the row maximum)")
    return total


def int8_softmax(x: np.ndarray, params: QuantParams) -> np.ndarray:
    """x: int8 [..,C] -> int8 [..,C], TFLite's reference quantized Softmax with an int8 output."""
    _, valid, rescaled = scaled_diffs(x, params)
    exps = gemmlowp.exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS)
    reciprocal, num_bits_over_unit = gemmlowp.get_reciprocal(sum_of_exps_q12(exps, valid), ACCUMULATION_INTEGER_BITS)
    exponent = num_bits_over_unit + 31 - 8
    if exponent.size and (exponent.min() < 0 or exponent.max() > 31):
        raise TensorletError("int8 SOFTMAX: a row's sum of exps reached 512, which TFLite's kernel rejects "
                             "(its output shift would exceed 31)")
    unsaturated = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(reciprocal, exps), exponent)
    out = np.clip(unsaturated + INT8_MIN, INT8_MIN, INT8_MAX)
    return np.where(valid, out, INT8_MIN).astype(np.int8)


def float_softmax(x: np.ndarray, beta: float) -> np.ndarray:
    """x: float32 [..,C] -> float32 [..,C]."""
    x = x.astype(np.float64)
    e = np.exp(beta * (x - x.max(axis=-1, keepdims=True)))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [int8_softmax(values[0], op.quant_params)]
    return [float_softmax(values[0], f32(op.options.beta))]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
