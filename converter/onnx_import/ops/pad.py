"""Pad in constant mode -> PAD on the stored axes (negative pads crop first with a SLICE); reflect, edge and wrap
modes are not supported.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import int_list, optional_constant

OP_TYPE = "Pad"
SINCE_VERSIONS = (11, 13, 18, 19, 21, 23, 24, 25)
CONSTANT_INPUTS = (1, 2, 3)


def per_axis(node: Node, ctx: Builder, rank: int) -> tuple[list[int], list[int]]:
    """(begin, end) pads of every axis, from the pads input and the optional axes input."""
    pads = int_list(ctx.constant(node.inputs[1]))
    given = optional_constant(node, ctx, 3)
    axes = [a % rank for a in int_list(given)] if given is not None else list(range(rank))
    begin, end = [0] * rank, [0] * rank
    for k, axis in enumerate(axes):
        begin[axis], end[axis] = pads[k], pads[len(axes) + k]
    return begin, end


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..], pads: int64 [2R] (begins, then ends), constant_value: scalar -> padded data."""
    mode = node.attr("mode", "constant")
    if mode != "constant":
        raise node.error(f"mode={mode!r} is not supported (supported: constant)")
    x = ctx.activation(node.inputs[0])
    begin, end = per_axis(node, ctx, x.rank)
    fill = optional_constant(node, ctx, 2)
    value = 0.0 if fill is None or fill.size == 0 else float(fill.ravel()[0])
    layout = ctx.choose_layout([x], x.rank, allow_flat=False)
    index, name = ctx.tensor(x, layout), node.outputs[0]
    stored = layout.stored_shape(x.shape)
    if min(begin + end) < 0:
        lo = [max(-begin[p], 0) for p in layout.perm]
        hi = [d - max(-end[p], 0) for d, p in zip(stored, layout.perm)]
        if any(h <= low for low, h in zip(lo, hi)):
            raise node.error(f"negative pads {begin + end} leave nothing of shape {list(x.shape)}")
        stored = tuple(h - low for low, h in zip(lo, hi))
        index = ctx.emit(ir.OpCode.SLICE, [index], stored, f"{name}/crop",
                         ir.SliceOptions(begin=tuple(lo), end=tuple(hi), strides=(1,) * x.rank))
    paddings = tuple(v for p in layout.perm for v in (max(begin[p], 0), max(end[p], 0)))
    shape = tuple(d + max(b, 0) + max(e, 0) - max(-b, 0) - max(-e, 0) for d, b, e in zip(x.shape, begin, end))
    ctx.bind(name, ctx.produce(ir.OpCode.PAD, [index], name, shape, layout,
                               ir.PadOptions(paddings=paddings, value=value)))
