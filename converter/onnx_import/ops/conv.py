"""Conv (1-D as 2-D with H = 1) -> CONV_2D; a depthwise conv (group = input channels, one input channel per
group) -> DEPTHWISE_CONV_2D with its depth multiplier; other groups -> SLICE per group, CONV_2D, CONCATENATION.
Weights and bias go through weights.py, so an int8 lowering gets int8 filters and an int32 bias.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.spatial import Window, from_nhwc, require_spatial, to_nhwc, window
from tensorlet.converter.onnx_import.weights import Weights, bias_tensor, constant_weights, filter_tensor

OP_TYPE = "Conv"
SINCE_VERSIONS = (11, 22)
CONSTANT_INPUTS = (1, 2)


def _conv_options(win: Window) -> ir.Conv2DOptions:
    """The Conv2DOptions of a 2-D window."""
    return ir.Conv2DOptions(stride_h=win.strides[0], stride_w=win.strides[1], dilation_h=win.dilations[0],
                            dilation_w=win.dilations[1], **win.pad_fields())


def _grouped(ctx: Builder, node: Node, x: int, shape, w: Weights, bias: Weights | None, win: Window,
             group: int) -> list[int]:
    """One CONV_2D per group on its slice of the input channels; the per-group outputs [N,OH,OW,M/group]."""
    n, h, wd, c = shape
    per_in, per_out = c // group, w.shape[0] // group
    outputs = []
    for g in range(group):
        options = ir.SliceOptions(begin=(0, 0, 0, g * per_in), end=(n, h, wd, (g + 1) * per_in), strides=(1, 1, 1, 1))
        part = ctx.emit(ir.OpCode.SLICE, [x], (n, h, wd, per_in), f"{node.outputs[0]}/group{g}/in", options)
        channels = np.arange(g * per_out, (g + 1) * per_out)
        filters = filter_tensor(ctx, w.take(0, channels).transpose((0, 2, 3, 1)), f"{node.inputs[1]}/group{g}", 0)
        b = bias_tensor(ctx, None if bias is None else bias.take(0, channels), f"{node.input(2)}/group{g}", part,
                        filters)
        outputs.append(ctx.emit(ir.OpCode.CONV_2D, [part, filters, b], (n,) + win.out + (per_out,),
                                f"{node.outputs[0]}/group{g}", _conv_options(win)))
    return outputs


def lower(node: Node, ctx: Builder) -> None:
    """X: [N,C,H,W] or [N,C,L] float32, W: [M,C/group,kH,kW] (or [M,C/group,kL]), B: [M] -> Y: [N,M,OH,OW]."""
    x = ctx.activation(node.inputs[0])
    require_spatial(node, x)
    w = constant_weights(ctx, node.inputs[1])
    bias = constant_weights(ctx, node.input(2)) if node.input(2) else None
    group = int(node.attr("group", 1))
    win = window(node, x.shape[2:], w.shape[2:])
    index, shape = to_nhwc(ctx, x)
    w4 = w.reshape(w.shape[:2] + (1,) * (4 - len(w.shape)) + w.shape[2:])
    channels, out_channels = shape[3], w.shape[0]
    if w.shape[1] * group != channels or out_channels % group:
        raise node.error(f"weights {list(w.shape)} with group={group} do not fit {channels} input channels")
    out_shape = (shape[0],) + win.out + (out_channels,)
    name = node.outputs[0]
    if group == 1:
        filters = filter_tensor(ctx, w4.transpose((0, 2, 3, 1)), f"{node.inputs[1]}/ohwi", 0)
        inputs = [index, filters, bias_tensor(ctx, bias, node.input(2), index, filters)]
        result = from_nhwc(ctx, ir.OpCode.CONV_2D, inputs, name, x.rank, out_shape, _conv_options(win))
    elif group == channels and w.shape[1] == 1:
        filters = filter_tensor(ctx, w4.transpose((1, 2, 3, 0)), f"{node.inputs[1]}/1hwo", 3)
        inputs = [index, filters, bias_tensor(ctx, bias, node.input(2), index, filters)]
        options = ir.DepthwiseConv2DOptions(stride_h=win.strides[0], stride_w=win.strides[1],
                                            dilation_h=win.dilations[0], dilation_w=win.dilations[1],
                                            depth_multiplier=out_channels // channels, **win.pad_fields())
        result = from_nhwc(ctx, ir.OpCode.DEPTHWISE_CONV_2D, inputs, name, x.rank, out_shape, options)
    else:
        parts = _grouped(ctx, node, index, shape, w4, bias, win, group)
        result = from_nhwc(ctx, ir.OpCode.CONCATENATION, parts, name, x.rank, out_shape,
                           ir.ConcatenationOptions(axis=3))
    ctx.bind(name, result)
