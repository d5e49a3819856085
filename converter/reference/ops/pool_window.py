"""Helpers shared by AVERAGE_POOL_2D, MAX_POOL_2D and MEAN: pool windows, their checks, TFLite's rounding division.

Pool padding is never a value: a window covers only the input positions inside it (TFLite), except that an
average pool with count_include_pad (ONNX) counts its pad positions as real 0.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import QuantParams
from tensorlet.converter.reference.ops.common import (conv_output_size, int8_activation_range, pad_nhwc, require,
                                                      require_float_or_int8, require_non_negative,
                                                      require_positive, require_quant_params, require_rank,
                                                      require_same_quantization, require_shape, sliding_windows)


def pool_output_hw(options, x_shape) -> tuple[int, int]:
    """(OH, OW) of a pool over x_shape [N,H,W,C]: every window lies inside the padded input."""
    o = options
    return (conv_output_size(x_shape[1], o.filter_h, o.stride_h, 1, o.pad_top, o.pad_bottom),
            conv_output_size(x_shape[2], o.filter_w, o.stride_w, 1, o.pad_left, o.pad_right))


def _require_pads_below_filter(o) -> None:
    """Each pad < the filter size on its axis, so every window holds at least one input position."""
    for pad_name, filter_name in (("pad_top", "filter_h"), ("pad_bottom", "filter_h"),
                                  ("pad_left", "filter_w"), ("pad_right", "filter_w")):
        pad, size = getattr(o, pad_name), getattr(o, filter_name)
        require(pad < size, f"{pad_name} {pad} must be < {filter_name} {size}, or a window would hold only padding")


def check_pool(op, ins, outs) -> bool:
    """Shapes, options and int8 parameters of a 2-D pool: in [N,H,W,C] -> out [N,OH,OW,C]; True when int8."""
    x, y, o = ins[0], outs[0], op.options
    require_rank(x, 4, "input")
    require_positive({"filter_h": o.filter_h, "filter_w": o.filter_w, "stride_h": o.stride_h,
                      "stride_w": o.stride_w})
    require_non_negative({"pad_top": o.pad_top, "pad_bottom": o.pad_bottom,
                          "pad_left": o.pad_left, "pad_right": o.pad_right})
    _require_pads_below_filter(o)
    oh, ow = pool_output_hw(o, x.shape)
    require(oh >= 1 and ow >= 1, f"the {o.filter_h}x{o.filter_w} filter does not fit the padded input")
    require_shape(y, (x.shape[0], oh, ow, x.shape[3]), "output")
    int8 = require_float_or_int8([x, y])
    if int8:
        require_same_quantization(x, y)
        require_quant_params(op)
    return int8


def prepare_pool(op, ins, outs) -> QuantParams:
    """An int8 pool's QuantParams: only the fused activation's clamp in the output's quantized domain."""
    act_min, act_max = int8_activation_range(op.options.activation, outs[0])
    return QuantParams(act_min=act_min, act_max=act_max)


def pool_windows(options, x: np.ndarray, pad_value) -> np.ndarray:
    """x: [N,H,W,C] -> windows [N,OH,OW,FH,FW,C] over x padded with pad_value (a read-only view)."""
    o = options
    padded = pad_nhwc(x, o.pad_top, o.pad_bottom, o.pad_left, o.pad_right, pad_value)
    return sliding_windows(padded, (o.filter_h, o.filter_w), (o.stride_h, o.stride_w), (1, 1),
                           pool_output_hw(o, x.shape))


def valid_counts(options, x_shape) -> np.ndarray:
    """Number of input (non-pad) positions in each window: [1,OH,OW,1] int64, every entry >= 1."""
    inside = np.ones((1, x_shape[1], x_shape[2], 1), np.int64)
    return pool_windows(options, inside, 0).sum(axis=(3, 4))


def round_half_away_divide(acc: np.ndarray, count) -> np.ndarray:
    """TFLite's acc > 0 ? (acc + n/2) / n : (acc - n/2) / n with C's truncating division; int64 -> int64."""
    acc = np.asarray(acc, np.int64)
    count = np.asarray(count, np.int64)
    return np.sign(acc) * ((np.abs(acc) + count // 2) // count)
