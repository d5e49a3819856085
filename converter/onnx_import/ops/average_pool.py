"""AveragePool (1-D as 2-D with H = 1; dilations 1) -> AVERAGE_POOL_2D. count_include_pad maps onto the op's flag;
when ceil_mode also adds positions past the pads (which ONNX never counts) the pads become a PAD of zeros first.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.max_pool import pool_options, pool_window
from tensorlet.converter.onnx_import.ops.spatial import Window, from_nhwc, require_spatial, to_nhwc, window

OP_TYPE = "AveragePool"
SINCE_VERSIONS = (11, 19, 22)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [N,C,H,W] or [N,C,L] -> [N,C,OH,OW], the mean over each window (count_include_pad: pads as 0s)."""
    x = ctx.activation(node.inputs[0])
    require_spatial(node, x)
    win = pool_window(node, x.shape[2:])
    explicit = window(node, x.shape[2:], tuple(node.attr("kernel_shape")))
    index, shape = to_nhwc(ctx, x)
    name, include = node.outputs[0], bool(node.attr("count_include_pad", 0))
    if include and win.pads_end != explicit.pads_end:
        padded = (shape[0], shape[1] + win.pads_begin[0] + explicit.pads_end[0],
                  shape[2] + win.pads_begin[1] + explicit.pads_end[1], shape[3])
        paddings = (0, 0, win.pads_begin[0], explicit.pads_end[0], win.pads_begin[1], explicit.pads_end[1], 0, 0)
        index = ctx.emit(ir.OpCode.PAD, [index], padded, f"{name}/padded", ir.PadOptions(paddings=paddings))
        extra = tuple(e - p for e, p in zip(win.pads_end, explicit.pads_end))
        win, include = Window(win.kernel, win.strides, win.dilations, (0, 0), extra, win.out), False
    out_shape = (shape[0],) + win.out + (shape[3],)
    ctx.bind(name, from_nhwc(ctx, ir.OpCode.AVERAGE_POOL_2D, [index], name, x.rank, out_shape,
                             pool_options(win, include)))
