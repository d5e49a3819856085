"""Helpers shared by the windowed ops (Conv, ConvTranspose, MaxPool, AveragePool, Resize): ONNX's window and
padding rules, 1-D windows read as 2-D ones of height 1, and moving activations into and out of NHWC.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import NHWC, Layout
from tensorlet.converter.onnx_import.values import Activation

NLC = Layout((0, 2, 1))  # an NCL value stored channels-last


@dataclass(frozen=True)
class Window:
    """A 2-D window geometry: (height, width) pairs."""

    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads_begin: tuple[int, int]
    pads_end: tuple[int, int]
    out: tuple[int, int]

    def pad_fields(self) -> dict[str, int]:
        """The pads as the pad_top/pad_bottom/pad_left/pad_right fields of an options table."""
        return dict(pad_top=self.pads_begin[0], pad_bottom=self.pads_end[0], pad_left=self.pads_begin[1],
                    pad_right=self.pads_end[1])


def require_spatial(node: Node, x: Activation) -> None:
    """Only 1-D ([N,C,L]) and 2-D ([N,C,H,W]) windows map onto the NHWC ops."""
    if x.rank not in (3, 4):
        raise node.error(f"input of shape {list(x.shape)} has {x.rank - 2} spatial dims; only 1-D and 2-D are "
                         "supported")


def _as_2d(values: list[int], fill: int) -> tuple[int, int]:
    """A 1-D window's value as (fill, value); a 2-D window's pair as is."""
    return (fill, values[0]) if len(values) == 1 else (values[0], values[1])


def _axis(node: Node, auto_pad: str, size: int, kernel: int, stride: int, dilation: int, pads: tuple[int, int],
          ceil_mode: bool) -> tuple[int, int, int]:
    """(pad_begin, pad_end, output size) of one spatial axis under ONNX's rules."""
    effective = (kernel - 1) * dilation + 1
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        out = -(-size // stride)
        total = max((out - 1) * stride + effective - size, 0)
        begin = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
        return begin, total - begin, out
    if auto_pad == "VALID":
        return 0, 0, (size - effective) // stride + 1
    if auto_pad != "NOTSET":
        raise node.error(f"auto_pad={auto_pad!r} is not supported (supported: NOTSET, SAME_UPPER, SAME_LOWER, VALID)")
    span = size + pads[0] + pads[1] - effective
    if not ceil_mode:
        return pads[0], pads[1], span // stride + 1
    out = math.ceil(span / stride) + 1
    if (out - 1) * stride >= size + pads[0]:
        out -= 1
    return pads[0], pads[1], out


def window(node: Node, spatial: tuple[int, ...], kernel: tuple[int, ...], ceil_mode: bool = False) -> Window:
    """The 2-D geometry of a 1-D or 2-D window from the node's strides, dilations, pads and auto_pad."""
    n = len(spatial)
    strides = list(node.attr("strides", [1] * n))
    dilations = list(node.attr("dilations", [1] * n))
    pads = list(node.attr("pads", [0] * 2 * n))
    auto_pad = node.attr("auto_pad", "NOTSET")
    axes = [_axis(node, auto_pad, spatial[i], kernel[i], strides[i], dilations[i], (pads[i], pads[n + i]),
                  ceil_mode) for i in range(n)]
    if any(out < 1 for _, _, out in axes):
        raise node.error(f"the window {list(kernel)} leaves no output for input size {list(spatial)}")
    return Window(_as_2d(list(kernel), 1), _as_2d(strides, 1), _as_2d(dilations, 1), _as_2d([a[0] for a in axes], 0),
                  _as_2d([a[1] for a in axes], 0), _as_2d([a[2] for a in axes], 1))


def to_nhwc(ctx: Builder, x: Activation) -> tuple[int, tuple[int, int, int, int]]:
    """x: [N,C,H,W] or [N,C,L] -> (tensor index of it as [N,H,W,C] or [N,1,L,C], that shape)."""
    if x.rank == 4:
        n, c, h, w = x.shape
        return ctx.tensor(x, Layout(NHWC)), (n, h, w, c)
    n, c, length = x.shape
    shape = (n, 1, length, c)
    index = ctx.tensor(x, NLC)
    if index not in ctx.views:
        ctx.views[index] = ctx.emit(ir.OpCode.RESHAPE, [index], shape, f"{x.name}/nhwc")
    return ctx.views[index], shape


def from_nhwc(ctx: Builder, opcode: ir.OpCode, inputs: list[int], name: str, rank: int,
              shape: tuple[int, int, int, int], options: object | None = None) -> Activation:
    """The activation computed by an op with NHWC output `shape`, seen as the ONNX [N,C,H,W] (or [N,C,L])."""
    n, h, w, c = shape
    if rank == 4:
        return ctx.produce(opcode, inputs, name, (n, c, h, w), Layout(NHWC), options)
    nhwc = ctx.emit(opcode, inputs, shape, f"{name}/nhwc", options)
    result = ctx.produce(ir.OpCode.RESHAPE, [nhwc], name, (n, c, w), NLC)
    ctx.views[result.stored[NLC]] = nhwc
    return result
