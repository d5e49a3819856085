"""Slice of an activation with positive steps -> SLICE on the stored axes (a Slice of constants is folded)."""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import int_list, optional_constant

OP_TYPE = "Slice"
SINCE_VERSIONS = (11, 13)
CONSTANT_INPUTS = (1, 2, 3, 4)


def ranges(node: Node, ctx: Builder, shape: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(begin, end, step) of every axis with ONNX's negative-index and clamping rules."""
    starts, ends = int_list(ctx.constant(node.inputs[1])), int_list(ctx.constant(node.inputs[2]))
    given_axes, given_steps = optional_constant(node, ctx, 3), optional_constant(node, ctx, 4)
    axes = [a % len(shape) for a in int_list(given_axes)] if given_axes is not None else list(range(len(starts)))
    steps = int_list(given_steps) if given_steps is not None else [1] * len(starts)
    result = [(0, d, 1) for d in shape]
    for axis, start, end, step in zip(axes, starts, ends, steps):
        if step < 1:
            raise node.error(f"step {step} on axis {axis} is not supported (only positive steps)")
        dim = shape[axis]
        start = min(max(start + dim if start < 0 else start, 0), dim)
        end = min(max(end + dim if end < 0 else end, 0), dim)
        if end <= start:
            raise node.error(f"axis {axis} slices [{start}:{end}] of {dim}: empty results are not supported")
        result[axis] = (start, end, step)
    return result


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..], starts/ends/axes/steps: int constants -> data[start:end:step] per axis."""
    x = ctx.activation(node.inputs[0])
    spans = ranges(node, ctx, x.shape)
    shape = tuple(-(-(end - begin) // step) for begin, end, step in spans)
    name = node.outputs[0]
    if shape == x.shape:
        ctx.bind(name, x)
        return
    layout = ctx.choose_layout([x], x.rank, allow_flat=False)
    begin, end, strides = (tuple(spans[p][k] for p in layout.perm) for k in range(3))
    options = ir.SliceOptions(begin=begin, end=end, strides=strides)
    ctx.bind(name, ctx.produce(ir.OpCode.SLICE, [ctx.tensor(x, layout)], name, shape, layout, options))
