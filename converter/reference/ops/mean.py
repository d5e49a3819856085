"""MEAN: in [N,H,W,C] -> out [N,1,1,C] (keep_dims) or [N,C]; v1 reduces exactly axes (1, 2).

Int8 follows TFLite's reference_integer_ops::Mean (tensorflow/lite/kernels/internal/reference/integer_ops/mean.h,
used by TFLite Micro's REDUCE_MEAN for this case): with (multiplier, shift) = QuantizeMultiplier(in_scale /
out_scale), acc = sum over H,W of (x - in_zp); acc = MultiplyByQuantizedMultiplier(acc, multiplier, shift);
acc = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n with n = H*W and C's truncating division; + out_zp; clamped to
int8 (MEAN has no fused activation, so quant_params keeps the full act range).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import MeanOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, is_int8, require, require_float_or_int8,
                                                      require_quant_params, require_rank, require_shape, scale_zp,
                                                      shape_str)
from tensorlet.converter.reference.ops.pool_window import round_half_away_divide

OPCODE = OpCode.MEAN
OPTIONS = MeanOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def output_shape(op, x_shape) -> tuple[int, ...]:
    n, _, _, c = x_shape
    return (n, 1, 1, c) if op.options.keep_dims else (n, c)


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require_rank(x, 4, "input")
    axes = tuple(op.options.axes)
    require(axes == (1, 2), f"axes must be [1,2] (height and width), got {shape_str(axes)}")
    require_shape(y, output_shape(op, x.shape), "output")
    if require_float_or_int8([x, y]):
        params = require_quant_params(op, output_multiplier=1, output_shift=1)
        require((params.act_min, params.act_max) == (INT8_MIN, INT8_MAX),
                f"MEAN has no fused activation: quant_params act range must be [-128, 127], "
                f"got [{params.act_min}, {params.act_max}]")


def prepare(op, ins, outs):
    multiplier, shift = quantize_multiplier(scale_zp(ins[0])[0] / scale_zp(outs[0])[0])
    return QuantParams(output_multiplier=[multiplier], output_shift=[shift])


def _int8_mean(x: np.ndarray, params: QuantParams, x_zp: int, y_zp: int) -> np.ndarray:
    """x: [N,H,W,C] int8 -> [N,C] int8, TFLite's integer mean over H and W."""
    count = x.shape[1] * x.shape[2]
    acc = (x.astype(np.int64) - x_zp).sum(axis=(1, 2))
    acc = multiply_by_quantized_multiplier(acc, params.output_multiplier[0], params.output_shift[0])
    acc = round_half_away_divide(acc, count) + y_zp
    return np.clip(acc, INT8_MIN, INT8_MAX).astype(np.int8)


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, y = values[0], outs[0]
    if not is_int8(ins[0]):
        mean = x.astype(np.float64).mean(axis=(1, 2)).astype(np.float32)
    else:
        mean = _int8_mean(x, op.quant_params, scale_zp(ins[0])[1], scale_zp(y)[1])
    return [mean.reshape(y.shape)]


def macs(op, ins, outs) -> int:
    return ins[0].size
