"""Unsqueeze -> a RESHAPE inserting unit axes, see reshaping.py."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import int_list
from tensorlet.converter.onnx_import.ops.reshaping import reshape

OP_TYPE = "Unsqueeze"
SINCE_VERSIONS = (11, 13, 21, 23, 24, 25)
CONSTANT_INPUTS = (1,)


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..] -> data with unit axes at the listed output positions (attribute before opset 13)."""
    x = ctx.activation(node.inputs[0])
    given = node.attr("axes") if node.since_version < 13 else ctx.constant(node.inputs[1])
    rank = x.rank + len(int_list(given))
    axes = {a % rank for a in int_list(given)}
    dims = iter(x.shape)
    shape = tuple(1 if a in axes else next(dims) for a in range(rank))
    ctx.bind(node.outputs[0], reshape(ctx, x, shape, node.outputs[0]))
