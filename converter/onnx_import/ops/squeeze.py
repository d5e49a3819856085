"""Squeeze -> a RESHAPE dropping unit axes (the given ones, or all), see reshaping.py."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import int_list, optional_constant
from tensorlet.converter.onnx_import.ops.reshaping import reshape

OP_TYPE = "Squeeze"
SINCE_VERSIONS = (11, 13, 21, 23, 24, 25)
CONSTANT_INPUTS = (1,)


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..] -> data without the listed unit axes (axes: attribute before opset 13, then input)."""
    x = ctx.activation(node.inputs[0])
    given = node.attr("axes") if node.since_version < 13 else optional_constant(node, ctx, 1)
    axes = {a % x.rank for a in int_list(given)} if given is not None else {a for a, d in enumerate(x.shape) if d == 1}
    if any(x.shape[a] != 1 for a in axes):
        raise node.error(f"cannot squeeze axes {sorted(axes)} of shape {list(x.shape)}")
    shape = tuple(d for a, d in enumerate(x.shape) if a not in axes)
    ctx.bind(node.outputs[0], reshape(ctx, x, shape, node.outputs[0]))
