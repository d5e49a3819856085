"""CONV_2D: in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co].

Int8 (TFLite): acc[c] = bias[c] + sum (x - x_zp) * w, requantized per output channel, + y_zp, clamped.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Conv2DOptions, OpCode
from tensorlet.converter.reference.ops.common import (check_weights, conv_output_size, float_activation, is_int8,
                                                      pad_nhwc, prepare_per_channel, require, require_float_or_int8,
                                                      require_non_negative, require_positive, require_quant_params,
                                                      require_rank, require_shape, requantize, scale_zp,
                                                      sliding_windows)

OPCODE = OpCode.CONV_2D
OPTIONS = Conv2DOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1


def output_hw(op, x_shape, w_shape) -> tuple[int, int]:
    o = op.options
    return (conv_output_size(x_shape[1], w_shape[1], o.stride_h, o.dilation_h, o.pad_top, o.pad_bottom),
            conv_output_size(x_shape[2], w_shape[2], o.stride_w, o.dilation_w, o.pad_left, o.pad_right))


def check(op, ins, outs) -> None:
    x, w, b = ins[0], ins[1], ins[2] if len(ins) > 2 else None
    y, o = outs[0], op.options
    require_rank(x, 4, "input")
    require_rank(w, 4, "filter")
    require_positive({"stride_h": o.stride_h, "stride_w": o.stride_w,
                      "dilation_h": o.dilation_h, "dilation_w": o.dilation_w})
    require_non_negative({"pad_top": o.pad_top, "pad_bottom": o.pad_bottom,
                          "pad_left": o.pad_left, "pad_right": o.pad_right})
    require(w.shape[3] == x.shape[3], f"filter has {w.shape[3]} input channels, input has {x.shape[3]}")
    oh, ow = output_hw(op, x.shape, w.shape)
    require(oh >= 1 and ow >= 1, f"the {w.shape[1]}x{w.shape[2]} filter does not fit the padded input")
    require_shape(y, (x.shape[0], oh, ow, w.shape[0]), "output")
    int8 = require_float_or_int8([x, y])
    check_weights(w, b, w.shape[0], 0, int8)
    if int8:
        require_quant_params(op, output_multiplier=w.shape[0], output_shift=w.shape[0])


def prepare(op, ins, outs):
    return prepare_per_channel(ins[0], ins[1], outs[0], ins[1].shape[0], op.options.activation)


def _im2col(op, x: np.ndarray, w_shape, pad_value) -> np.ndarray:
    """x: [N,H,W,Ci] -> patches [N,OH,OW,KH*KW*Ci] in the filter's (KH,KW,Ci) order."""
    o = op.options
    oh, ow = output_hw(op, x.shape, w_shape)
    padded = pad_nhwc(x, o.pad_top, o.pad_bottom, o.pad_left, o.pad_right, pad_value)
    windows = sliding_windows(padded, (w_shape[1], w_shape[2]), (o.stride_h, o.stride_w),
                              (o.dilation_h, o.dilation_w), (oh, ow))
    return windows.reshape(x.shape[0], oh, ow, -1)


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, w, b = values[0], values[1], values[2] if len(values) > 2 else None
    co = w.shape[0]
    if not is_int8(ins[0]):
        acc = _im2col(op, x.astype(np.float64), w.shape, 0.0) @ w.reshape(co, -1).T.astype(np.float64)
        if b is not None:
            acc += b
        return [float_activation(acc.astype(np.float32), op.options.activation)]
    x_zp = scale_zp(ins[0])[1]
    patches = _im2col(op, x.astype(np.float64) - x_zp, w.shape, 0.0)
    acc = np.rint(patches @ w.reshape(co, -1).T.astype(np.float64)).astype(np.int64)  # exact: |acc| < 2^53
    if b is not None:
        acc += b.astype(np.int64)
    return [requantize(acc, op.quant_params, scale_zp(outs[0])[1])]


def macs(op, ins, outs) -> int:
    w = ins[1]
    return outs[0].size * w.shape[1] * w.shape[2] * w.shape[3]
