"""HARD_SWISH: in -> out = in * relu6(in + 3) / 6, elementwise.

Int8: the 256-entry lut of TFLite's reference_ops::HardSwish<int8_t> with the HardSwishParams of HardSwishPrepare
(TFLite's activations.cc and TFLM's hard_swish_common.cc agree), reproduced in its int16 fixed point:
  hires = (q - zp_in) * 2^7                                   the input on scale s_in / 128
  pre_out = SRDHM16(hires, output_multiplier)                 on the output scale, before the output shift
  reluish = hires * reluish_multiplier on the scale where 3.0 is 2^15 (saturating), then mapped [-1,1] -> [0,1]
  out = RDBPOT16(SDHM16(reluish, pre_out), -output_exponent) + zp_out, clamped to int8
with output_multiplier = (s_in / 128) / s_out and reluish_multiplier = (s_in / 128) / (3 / 32768), both formed in
float32, split by QuantizeMultiplier and rounded to Q15 by DownScaleInt32ToInt16Multiplier. SRDHM16 is gemmlowp's
int16 SaturatingRoundingDoublingHighMul, SDHM16 TFLite's truncating SaturatingDoublingHighMul, RDBPOT16 gemmlowp's
RoundingDivideByPOT instantiated for int16: for exponents >= 16 its mask truncates to -1 and it returns +/-1 (a
TFLite quirk, reproduced). TFLite rejects an output multiplier >= 1 (exponent > 0); so does prepare().
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference.fixedpoint import INT32_MAX, quantize_multiplier
from tensorlet.converter.reference.ops.activation_luts import prepare_table
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, check_lut, check_unary, elementwise_macs,
                                                      is_int8, require, run_lut, scale_zp)

OPCODE = OpCode.HARD_SWISH
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1
HIRES_SHIFT = 7                       # the input is moved onto the scale s_in / 2^7
RELUISH_SCALE = np.float32(3.0 / 32768.0)


def check(op, ins, outs) -> None:
    if check_unary(op, ins, outs):
        check_lut(op)


def downscale_to_int16(multiplier: int) -> int:
    """TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier rounded to Q15, saturating at 32767."""
    if multiplier >= INT32_MAX - (1 << 15):
        return INT16_MAX
    return (multiplier + (1 << 15)) >> 16


def hard_swish_params(x, y) -> tuple[int, int, int, int]:
    """(output multiplier Q15, output exponent, reluish multiplier Q15, reluish exponent) as HardSwishPrepare."""
    s_in = np.float32(scale_zp(x)[0])
    s_out = np.float32(scale_zp(y)[0])
    hires_scale = np.float32(1.0 / 128.0) * s_in
    out_multiplier, out_exponent = quantize_multiplier(float(hires_scale / s_out))
    require(out_exponent <= 0, f"int8 HARD_SWISH output multiplier {float(hires_scale / s_out)!r} is >= 1: "
                               f"the output scale is too small for the input scale (TFLite rejects it too)")
    reluish_multiplier, reluish_exponent = quantize_multiplier(float(hires_scale / RELUISH_SCALE))
    return (downscale_to_int16(out_multiplier), out_exponent,
            downscale_to_int16(reluish_multiplier), reluish_exponent)


def _c_shift_right_15(v: np.ndarray) -> np.ndarray:
    """int64 -> int64: C's v / 2^15 on ints (truncation toward zero)."""
    return np.where(v >= 0, v >> 15, -((-v) >> 15))


def _srdhm16(a: np.ndarray, b: int) -> np.ndarray:
    """int16 values -> int16 values: gemmlowp's int16 SaturatingRoundingDoublingHighMul, round(a * b / 2^15)
    with the nudge 2^14 (1 - 2^14 when negative) and truncation; only INT16_MIN^2 saturates."""
    product = a * b
    nudged = product + np.where(product >= 0, 1 << 14, 1 - (1 << 14))
    return np.where((a == INT16_MIN) & (b == INT16_MIN), INT16_MAX, _c_shift_right_15(nudged))


def _sdhm16(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int16 values -> int16 values: TFLite's SaturatingDoublingHighMul, a * b / 2^15 truncated toward zero."""
    return np.where((a == INT16_MIN) & (b == INT16_MIN), INT16_MAX, _c_shift_right_15(a * b))


def _saturating_left_shift16(v: np.ndarray, amount: int) -> np.ndarray:
    """int16 values -> int16 values: v * 2^amount saturated to int16 (any amount >= 16 saturates a nonzero v)."""
    return np.clip(v << min(amount, 16), INT16_MIN, INT16_MAX)


def _rdbpot16(x: np.ndarray, exponent: int) -> np.ndarray:
    """int16 values -> int16 values: gemmlowp's RoundingDivideByPOT<int16_t>, exponent in [0, 31]. Its mask
    2^exponent - 1 is cast to int16, so from exponent 16 on it is -1 and the result is 1 for x >= 0, -1 below."""
    mask = (1 << exponent) - 1 if exponent < 16 else -1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def _wrap16(v: np.ndarray) -> np.ndarray:
    """int64 -> int16 values: the two's-complement wrap of a store into an int16_t."""
    return ((v + (1 << 15)) & 0xFFFF) - (1 << 15)


def _reluish(hires: np.ndarray, multiplier: int, exponent: int) -> np.ndarray:
    """hires: int16 values -> Q15 in [0, 32767]: relu6(x + 3) / 6, from x rescaled so that 3.0 is 2^15."""
    value = hires
    if exponent > 0:
        value = _saturating_left_shift16(value, exponent - 1)
    value = _srdhm16(value, multiplier)
    if exponent > 0:
        value = _saturating_left_shift16(value, 1)
    if exponent < 0:
        value = _rdbpot16(value, -exponent)
    return (value + (1 << 15)) >> 1


def quantized_hard_swish(q: np.ndarray, x, y) -> np.ndarray:
    """Table function: q int64[256] -> int8 values [256], TFLite's reference int8 HardSwish."""
    out_multiplier, out_exponent, reluish_multiplier, reluish_exponent = hard_swish_params(x, y)
    hires = (q - scale_zp(x)[1]) * (1 << HIRES_SHIFT)
    preshift_output = _srdhm16(hires, out_multiplier)
    reluish = _reluish(hires, reluish_multiplier, reluish_exponent)
    output = _rdbpot16(_sdhm16(reluish, preshift_output), -out_exponent)
    return np.clip(_wrap16(output + scale_zp(y)[1]), INT8_MIN, INT8_MAX)


def prepare(op, ins, outs):
    return prepare_table(quantized_hard_swish, ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(ins[0]):
        return [run_lut(op, values[0])]
    x = values[0].astype(np.float64)
    return [(x * np.clip(x + 3.0, 0.0, 6.0) / 6.0).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
