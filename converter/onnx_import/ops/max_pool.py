"""MaxPool (1-D as 2-D with H = 1; dilations 1) -> MAX_POOL_2D; ceil_mode becomes extra end padding, which a max
never picks. The Indices output is not supported.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.spatial import Window, from_nhwc, require_spatial, to_nhwc, window

OP_TYPE = "MaxPool"
SINCE_VERSIONS = (11, 12, 22)
CONSTANT_INPUTS = ()


def pool_window(node: Node, spatial: tuple[int, ...]) -> Window:
    """The node's window with its end pads grown so that a floor-mode pool yields the ONNX output size."""
    kernel = tuple(node.attr("kernel_shape"))
    if any(d != 1 for d in node.attr("dilations", [1] * len(kernel))):
        raise node.error(f"dilations={list(node.attr('dilations'))} are not supported (supported: all 1)")
    win = window(node, spatial, kernel, ceil_mode=bool(node.attr("ceil_mode", 0)))
    size = (1,) * (2 - len(spatial)) + tuple(spatial)
    end = tuple(max((o - 1) * s + k - n - b, e)
                for o, s, k, n, b, e in zip(win.out, win.strides, win.kernel, size, win.pads_begin, win.pads_end))
    if any(p >= k for p, k in zip(win.pads_begin + end, win.kernel + win.kernel)):
        raise node.error(f"pads {list(win.pads_begin + end)} reach a full kernel {list(kernel)}; a window would hold "
                         "only padding")
    return Window(win.kernel, win.strides, win.dilations, win.pads_begin, end, win.out)


def pool_options(win: Window, count_include_pad: bool = False) -> ir.Pool2DOptions:
    """The Pool2DOptions of a 2-D window."""
    return ir.Pool2DOptions(filter_h=win.kernel[0], filter_w=win.kernel[1], stride_h=win.strides[0],
                            stride_w=win.strides[1], count_include_pad=count_include_pad, **win.pad_fields())


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [N,C,H,W] or [N,C,L] -> [N,C,OH,OW], the maximum over each window (pads never win)."""
    x = ctx.activation(node.inputs[0])
    require_spatial(node, x)
    win = pool_window(node, x.shape[2:])
    index, shape = to_nhwc(ctx, x)
    out_shape = (shape[0],) + win.out + (shape[3],)
    ctx.bind(node.outputs[0], from_nhwc(ctx, ir.OpCode.MAX_POOL_2D, [index], node.outputs[0], x.rank, out_shape,
                                        pool_options(win)))
