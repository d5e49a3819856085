"""LOG_SOFTMAX: in [..,C] -> out [..,C], over the last axis: z - log(sum(exp(z))) with z = beta * (x - max).

TFLite's LOG_SOFTMAX has no beta (its kernels use 1, the schema default); beta != 1 is honoured here the same way
in both paths, as it enters only through the input multiplier.
Float: computed in float64, rounded to float32.
Int8 exactly as TFLite's (and TFLite Micro's) reference_ops::LogSoftmax for int8 (log_softmax.h, parameters as
TFLite Micro's log_softmax.cc CalculateOpData computes them, default double rounding):
  prepare: (input_multiplier[0], input_shift[0], reverse_scaling_divisor, reverse_scaling_left_shift) =
           PreprocessLogSoftmaxScalingExp(beta, input_scale, 5), diff_min = -CalculateInputRadius(5, input_shift);
           stored as output_multiplier[0] = reverse_scaling_divisor and
           output_shift[0] = reverse_scaling_left_shift = -reverse_scaling_right_shift <= 0, i.e. in the schema's
           convention (a shift > 0 is a left shift; this one is a right shift, so it is stored negative, and the
           kernel's MultiplyByQuantizedMultiplier(v, divisor, -reverse_scaling_right_shift) takes it as is);
  run, per row: diff, valid (diff >= diff_min) and the Q5.26 scaled diff as SOFTMAX; sum of exps in Q12.19;
           log_sum = log_x_for_x_greater_than_or_equal_to_1<5>(sum) (Q5.26); adjusted_diff_min =
           max(diff_min - 1, MultiplyByQuantizedMultiplier(log_sum + INT32_MIN, divisor, output_shift[0]));
           entries with diff > adjusted_diff_min get RoundingDivideByPOT(scaled_diff - log_sum, 22) + 127, clamped;
           the others -128.
The output must be quantized with scale 16/256 and zero point 127 (TFLite requires it). A row whose sum of exps
passes int32 (4096 or more classes at the row maximum; TFLite's accumulator would wrap) raises TensorletError.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, QuantParams, SoftmaxOptions
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import (INT32_MIN, multiply_by_quantized_multiplier,
                                                       rounding_divide_by_pot)
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_unary, elementwise_macs, is_int8,
                                                      require, require_quant_params)
from tensorlet.converter.reference.ops.softmax import (SCALED_DIFF_INTEGER_BITS, f32, require_beta,
                                                       require_fixed_output, require_scaled_diff_params,
                                                       require_scaling, scaled_diffs, sum_of_exps_q12)

OPCODE = OpCode.LOG_SOFTMAX
OPTIONS = SoftmaxOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

OUTPUT_INTEGER_BITS = 4          # the int8 output is Q4.3 relative to 127: scale 16/256
OUTPUT_SCALE, OUTPUT_ZERO_POINT = 16.0 / 256, 127


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require(len(x.shape) >= 1, f"input {x.name!r} must have rank >= 1")
    beta = require_beta(op)
    if check_unary(op, ins, outs):
        require_fixed_output(y, OUTPUT_SCALE, OUTPUT_ZERO_POINT, "LOG_SOFTMAX")
        require_scaled_diff_params(op, x, beta)
        params = require_quant_params(op, output_multiplier=1, output_shift=1)
        require(params.output_shift[0] <= 0,
                f"quant_params.output_shift[0] is {params.output_shift[0]}; the reverse scaling is a right shift "
                f"and is stored <= 0")


def prepare(op, ins, outs):
    beta = require_beta(op)
    multiplier, shift, divisor, reverse_shift = gemmlowp.preprocess_log_softmax_scaling_exp(
        beta, require_scaling(beta, ins[0]), SCALED_DIFF_INTEGER_BITS)
    require(reverse_shift <= 0, f"log-softmax reverse scaling shift {reverse_shift} must be <= 0")
    diff_min = -gemmlowp.calculate_input_radius(SCALED_DIFF_INTEGER_BITS, shift)
    return QuantParams(input_multiplier=[multiplier], input_shift=[shift], output_multiplier=[divisor],
                       output_shift=[reverse_shift], diff_min=diff_min)


def int8_log_softmax(x: np.ndarray, params: QuantParams) -> np.ndarray:
    """x: int8 [..,C] -> int8 [..,C], TFLite's reference LogSoftmax for int8."""
    diff, valid, scaled_diff = scaled_diffs(x, params)
    exps = gemmlowp.exp_on_negative_values(scaled_diff, SCALED_DIFF_INTEGER_BITS)
    sum_q12 = sum_of_exps_q12(exps, valid)
    log_sum_q5 = gemmlowp.log_x_for_x_greater_than_or_equal_to_1(sum_q12, 12, SCALED_DIFF_INTEGER_BITS)
    # The smallest Q5.26 value plus log_sum, taken back to input units: below it, scaled_diff - log_sum underflows.
    reverse = multiply_by_quantized_multiplier(gemmlowp.add(log_sum_q5, INT32_MIN), params.output_multiplier[0],
                                               params.output_shift[0])
    adjusted_diff_min = np.maximum(params.diff_min - 1, reverse)
    kept = diff > adjusted_diff_min
    shift = 31 - SCALED_DIFF_INTEGER_BITS - OUTPUT_INTEGER_BITS
    out = rounding_divide_by_pot(gemmlowp.sub(scaled_diff, log_sum_q5), shift) + INT8_MAX
    return np.where(kept, np.clip(out, INT8_MIN, INT8_MAX), INT8_MIN).astype(np.int8)


def float_log_softmax(x: np.ndarray, beta: float) -> np.ndarray:
    """x: float32 [..,C] -> float32 [..,C]."""
    z = beta * (x.astype(np.float64) - x.max(axis=-1, keepdims=True))
    return (z - np.log(np.exp(z).sum(axis=-1, keepdims=True))).astype(np.float32)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [int8_log_softmax(values[0], op.quant_params)]
    return [float_log_softmax(values[0], f32(op.options.beta))]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
