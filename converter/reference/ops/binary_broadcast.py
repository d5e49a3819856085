"""Shared by ADD, SUB and MUL: numpy broadcasting of two inputs, their checks, the float path and int8 ADD/SUB.

Int8 ADD/SUB follow TFLite's reference kernels (reference_integer_ops::AddFunc, reference_ops::SubElementwise /
BroadcastQuantSubSlow) with the parameters of TFLite's add.cc / sub.cc Prepare, which is also TFLM's add_common.cc:
  twice_max = 2 * max(s1, s2);  real_k = s_k / twice_max;  real_out = twice_max / (2^20 * s_out)   (double)
each through QuantizeMultiplierSmallerThanOneExp (QuantizeMultiplier with the real in (0, 1), so shift <= 0), and
  x_k' = MultiplyByQuantizedMultiplierSmallerThanOneExp((q_k - zp_k) * 2^20, m_k, shift_k)
  out  = MultiplyByQuantizedMultiplierSmallerThanOneExp(x_1' +/- x_2', m_out, shift_out) + zp_out, clamped.
With shift <= 0 the SmallerThanOneExp multiply (SRDHM then RDBPOT) equals MultiplyByQuantizedMultiplier, so
fixedpoint.multiply_by_quantized_multiplier is used. SUB differs from ADD only in the sign of x_2'. (TFLM's
sub_common.cc divides the scales in float rather than double; that moves a multiplier by up to ~2^7 Q31 units,
which can flip ties, and is not followed here. TFLite's sub.cc allows real_out > 1 via QuantizeMultiplierGreaterThanOne, which its own kernel
then cannot apply; such scales are rejected here, as TFLite's ADD does.)
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Operator, QuantParams, Tensor
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier
from tensorlet.converter.reference.ops.common import (float_activation, int8_activation_range, is_int8, require,
                                                      require_float_or_int8, require_quant_params, require_shape,
                                                      scale_zp, shape_str)
from tensorlet.errors import FormatError

LEFT_SHIFT = 20  # TFLite's headroom shift for 8-bit ADD/SUB: |q - zp| * 2^20 < 2^28 leaves room for the sum


def broadcast_shape(a: Tensor, b: Tensor) -> tuple[int, ...]:
    """numpy's broadcast of the two input shapes; FormatError when they do not broadcast."""
    try:
        return tuple(int(d) for d in np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        raise FormatError(f"inputs {a.name!r} {shape_str(a.shape)} and {b.name!r} {shape_str(b.shape)} "
                          f"do not broadcast") from None


def check_binary(ins: list[Tensor], outs: list[Tensor]) -> bool:
    """Two inputs that broadcast to exactly the output's shape, all float32 or all int8; True when int8."""
    require_shape(outs[0], broadcast_shape(ins[0], ins[1]), "output")
    return require_float_or_int8([ins[0], ins[1], outs[0]])


def run_float(op: Operator, values: list[np.ndarray], function) -> np.ndarray:
    """a, b: float32 (broadcasting) -> function(a, b) in float64, rounded to float32, then the fused activation."""
    a, b = (np.asarray(v, dtype=np.float64) for v in values)
    return float_activation(function(a, b).astype(np.float32), op.options.activation)


def clamp_int8(values: np.ndarray, params: QuantParams) -> np.ndarray:
    """int64 values -> int8, clamped to the fused activation range [act_min, act_max]."""
    return np.clip(values, params.act_min, params.act_max).astype(np.int8)


def _smaller_than_one(real: float, what: str) -> tuple[int, int]:
    """TFLite's QuantizeMultiplierSmallerThanOneExp: (Q31 multiplier, shift <= 0) of a real in (0, 1)."""
    multiplier, shift = quantize_multiplier(real)
    require(0.0 < real < 1.0 and shift <= 0,
            f"int8 ADD/SUB {what} multiplier {real!r} is not in (0, 1): the output scale is too small for the "
            f"input scales (TFLite rejects it too)")
    return multiplier, shift


def quantized_int8(tensors: list[Tensor]) -> bool:
    """Every tensor int8 with quantization parameters (else prepare() leaves the judgement to check())."""
    return all(is_int8(t) and t.quantization is not None for t in tensors)


def prepare_add_sub(op: Operator, ins: list[Tensor], outs: list[Tensor]) -> QuantParams | None:
    """The int8 ADD/SUB parameters from the scales (double arithmetic on the float32 scales, as TFLite)."""
    if not quantized_int8(ins + outs):
        return None
    s1, _ = scale_zp(ins[0])
    s2, _ = scale_zp(ins[1])
    s_out, _ = scale_zp(outs[0])
    twice_max = 2.0 * max(s1, s2)
    m1, shift1 = _smaller_than_one(s1 / twice_max, "input 1")
    m2, shift2 = _smaller_than_one(s2 / twice_max, "input 2")
    m_out, shift_out = _smaller_than_one(twice_max / ((1 << LEFT_SHIFT) * s_out), "output")
    act_min, act_max = int8_activation_range(op.options.activation, outs[0])
    return QuantParams(input_multiplier=[m1, m2], input_shift=[shift1, shift2], output_multiplier=[m_out],
                       output_shift=[shift_out], left_shift=LEFT_SHIFT, act_min=act_min, act_max=act_max)


def check_add_sub_params(op: Operator) -> None:
    """The stored int8 ADD/SUB parameters: two input multipliers, one output, left shift 20, right shifts only."""
    params = require_quant_params(op, input_multiplier=2, input_shift=2, output_multiplier=1, output_shift=1)
    require(params.left_shift == LEFT_SHIFT,
            f"quant_params.left_shift is {params.left_shift}; int8 ADD/SUB use {LEFT_SHIFT}")
    shifts = list(params.input_shift) + list(params.output_shift)
    require(all(s <= 0 for s in shifts),
            f"int8 ADD/SUB shifts {shifts} must be <= 0 (TFLite's multipliers are smaller than one)")


def _rescale_input(q: np.ndarray, tensor: Tensor, multiplier: int, shift: int) -> np.ndarray:
    """q: int8 any shape -> int64 (int32 values) same shape: (q - zp) * 2^20 on the common input scale."""
    _, zero_point = scale_zp(tensor)
    shifted = (q.astype(np.int64) - zero_point) << LEFT_SHIFT
    return multiply_by_quantized_multiplier(shifted, multiplier, shift)


def run_add_sub(op: Operator, ins: list[Tensor], values: list[np.ndarray], outs: list[Tensor],
                sign: int) -> np.ndarray:
    """a, b: int8 (broadcasting) -> int8 output shape: requantized x_1' + sign * x_2', + zp_out, clamped."""
    p = op.quant_params
    x1 = _rescale_input(values[0], ins[0], p.input_multiplier[0], p.input_shift[0])
    x2 = _rescale_input(values[1], ins[1], p.input_multiplier[1], p.input_shift[1])
    raw = x1 + sign * x2
    scaled = multiply_by_quantized_multiplier(raw, p.output_multiplier[0], p.output_shift[0])
    return clamp_int8(scaled + scale_zp(outs[0])[1], p)
