"""QUANTIZE: in float32 or int8 -> out int8 of the same shape, per-tensor quantization.

As TFLite Micro's QUANTIZE (quantize_common.cc):
  float32 -> int8: reference_ops::AffineQuantize: y = round(x / out_scale) + out_zp clamped to int8, where the
    division is float32 (x and the output scale as float32) and round is TfLiteRound, half away from zero. An
    x / scale beyond int32 saturates (C's conversion is undefined there; ARM's saturates) and NaN becomes 0 before
    the zero point is added (ARM's conversion). No QuantParams.
  int8 -> int8 (requantize): reference_ops::Requantize: y = MultiplyByQuantizedMultiplier(x - in_zp, m, s) + out_zp
    clamped to int8, with (m, s) = QuantizeMultiplier(double(in_scale) / double(out_scale)) stored in
    output_multiplier[0] / output_shift[0].
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import DType, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import (multiply_by_quantized_multiplier, quantize_multiplier,
                                                      round_half_away)
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, elementwise_macs, is_int8, require,
                                                      require_per_tensor, require_quant_params, require_shape,
                                                      scale_zp)

OPCODE = OpCode.QUANTIZE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require_shape(y, x.shape, "output")
    require(x.dtype in (DType.FLOAT32, DType.INT8),
            f"QUANTIZE input {x.name!r} is {x.dtype.name}; it takes FLOAT32 or INT8")
    require(y.dtype == DType.INT8, f"QUANTIZE output {y.name!r} is {y.dtype.name}; it produces INT8")
    require_per_tensor(y)
    if is_int8(x):
        require_per_tensor(x)
        require_quant_params(op, output_multiplier=1, output_shift=1)


def prepare(op, ins, outs):
    if not is_int8(ins[0]):
        return None
    real = float(np.float32(scale_zp(ins[0])[0])) / float(np.float32(scale_zp(outs[0])[0]))
    multiplier, shift = quantize_multiplier(real)
    return QuantParams(output_multiplier=[multiplier], output_shift=[shift])


def affine_quantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """x: float32 any shape -> int8 same shape: round(float32(x / scale)) + zero_point, clamped."""
    quotient = (x.astype(np.float32) / np.float32(scale)).astype(np.float64)   # float32 division, widened exactly
    rounded = round_half_away(quotient)                                          # exact in float64
    rounded = np.where(np.isnan(rounded), 0.0, rounded)
    return np.clip(rounded + zero_point, INT8_MIN, INT8_MAX).astype(np.int8)


def requantize(x: np.ndarray, params: QuantParams, in_zp: int, out_zp: int) -> np.ndarray:
    """x: int8 any shape -> int8 same shape."""
    scaled = multiply_by_quantized_multiplier(x.astype(np.int64) - in_zp, params.output_multiplier[0],
                                              params.output_shift[0])
    return np.clip(scaled + out_zp, INT8_MIN, INT8_MAX).astype(np.int8)


def run(op, ins, values, outs) -> list[np.ndarray]:
    out_scale, out_zp = scale_zp(outs[0])
    if is_int8(ins[0]):
        return [requantize(values[0], op.quant_params, scale_zp(ins[0])[1], out_zp)]
    with np.errstate(invalid="ignore", over="ignore"):
        return [affine_quantize(values[0], out_scale, out_zp)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
