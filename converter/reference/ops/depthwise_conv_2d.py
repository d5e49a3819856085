"""DEPTHWISE_CONV_2D: in [N,H,W,Ci], filter [1,KH,KW,Ci*M], bias (opt) [Ci*M] -> out [N,OH,OW,Ci*M].

Output channel oc = ci*M + m (M = depth_multiplier) filters input channel ci = oc // M alone (TFLite).
Int8 (TFLite): acc[oc] = bias[oc] + sum (x - x_zp) * w, requantized per output channel (weights per-tensor or
per-channel along axis 3), + y_zp, clamped.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import DepthwiseConv2DOptions, OpCode
from tensorlet.converter.reference.ops.common import (check_weights, conv_output_size, float_activation, is_int8,
                                                      pad_nhwc, prepare_per_channel, require, require_float_or_int8,
                                                      require_non_negative, require_positive, require_quant_params,
                                                      require_rank, require_shape, requantize, scale_zp,
                                                      sliding_windows)

OPCODE = OpCode.DEPTHWISE_CONV_2D
OPTIONS = DepthwiseConv2DOptions
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
    require_positive({"stride_h": o.stride_h, "stride_w": o.stride_w, "dilation_h": o.dilation_h,
                      "dilation_w": o.dilation_w, "depth_multiplier": o.depth_multiplier})
    require_non_negative({"pad_top": o.pad_top, "pad_bottom": o.pad_bottom,
                          "pad_left": o.pad_left, "pad_right": o.pad_right})
    require(w.shape[0] == 1, f"filter {w.name!r} has shape {list(w.shape)}; a depthwise filter is [1,KH,KW,Ci*M]")
    channels = x.shape[3] * o.depth_multiplier
    require(w.shape[3] == channels, f"filter has {w.shape[3]} channels, expected input channels {x.shape[3]} * "
                                    f"depth_multiplier {o.depth_multiplier} = {channels}")
    oh, ow = output_hw(op, x.shape, w.shape)
    require(oh >= 1 and ow >= 1, f"the {w.shape[1]}x{w.shape[2]} filter does not fit the padded input")
    require_shape(y, (x.shape[0], oh, ow, channels), "output")
    int8 = require_float_or_int8([x, y])
    check_weights(w, b, channels, 3, int8)
    if int8:
        require_quant_params(op, output_multiplier=channels, output_shift=channels)


def prepare(op, ins, outs):
    return prepare_per_channel(ins[0], ins[1], outs[0], ins[1].shape[3], op.options.activation)


def _depthwise(op, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: [N,H,W,Ci] float64 (zero padding), w: [1,KH,KW,Ci*M] -> [N,OH,OW,Ci*M] float64, channel oc = ci*M + m."""
    o = op.options
    _, kh, kw, _ = w.shape
    ci, m = x.shape[3], o.depth_multiplier
    padded = pad_nhwc(x, o.pad_top, o.pad_bottom, o.pad_left, o.pad_right, 0.0)
    windows = sliding_windows(padded, (kh, kw), (o.stride_h, o.stride_w), (o.dilation_h, o.dilation_w),
                              output_hw(op, x.shape, w.shape))
    acc = np.einsum("nhwyxc,yxcm->nhwcm", windows, w.reshape(kh, kw, ci, m).astype(np.float64))
    return acc.reshape(acc.shape[:3] + (ci * m,))


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, w, b = values[0], values[1], values[2] if len(values) > 2 else None
    if not is_int8(ins[0]):
        acc = _depthwise(op, x.astype(np.float64), w)
        if b is not None:
            acc += b
        return [float_activation(acc.astype(np.float32), op.options.activation)]
    x_zp = scale_zp(ins[0])[1]
    acc = np.rint(_depthwise(op, x.astype(np.float64) - x_zp, w)).astype(np.int64)  # exact: |acc| < 2^53
    if b is not None:
        acc += b.astype(np.int64)
    return [requantize(acc, op.quant_params, scale_zp(outs[0])[1])]


def macs(op, ins, outs) -> int:
    w = ins[1]
    return outs[0].size * w.shape[1] * w.shape[2]
