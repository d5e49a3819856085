"""AVERAGE_POOL_2D: in [N,H,W,C] -> out [N,OH,OW,C].

The average is over the window's input positions (TFLite); with count_include_pad (ONNX) it is over the whole
filter, pad positions counting as real 0. Int8 follows TFLite Micro's reference_integer_ops::AveragePool: input and
output share scale and zero point, the integer sum of the raw values is divided with rounding half away from zero,
then clamped to the fused activation's range (quant_params.act_min/act_max).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Pool2DOptions, OpCode
from tensorlet.converter.reference.ops.common import float_activation, is_int8, scale_zp
from tensorlet.converter.reference.ops.pool_window import (check_pool, pool_windows, prepare_pool,
                                                           round_half_away_divide, valid_counts)

OPCODE = OpCode.AVERAGE_POOL_2D
OPTIONS = Pool2DOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    check_pool(op, ins, outs)


def prepare(op, ins, outs):
    return prepare_pool(op, ins, outs)


def _window_sums_and_counts(options, x: np.ndarray, pad_value):
    """x: [N,H,W,C] -> (sums [N,OH,OW,C] over windows padded with pad_value, divisors [1,OH,OW,1] or a scalar)."""
    sums = pool_windows(options, x, pad_value).sum(axis=(3, 4))
    if options.count_include_pad:
        return sums, options.filter_h * options.filter_w
    return sums, valid_counts(options, x.shape)


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, o = values[0], op.options
    if not is_int8(ins[0]):
        sums, counts = _window_sums_and_counts(o, x.astype(np.float64), 0.0)
        return [float_activation((sums / counts).astype(np.float32), o.activation)]
    pad_value = scale_zp(ins[0])[1] if o.count_include_pad else 0  # a padded real 0 is the zero point
    sums, counts = _window_sums_and_counts(o, x.astype(np.int64), pad_value)
    average = round_half_away_divide(sums, counts)
    return [np.clip(average, op.quant_params.act_min, op.quant_params.act_max).astype(np.int8)]


def macs(op, ins, outs) -> int:
    return outs[0].size * op.options.filter_h * op.options.filter_w
