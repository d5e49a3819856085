"""Reshape with a constant shape (0 and -1 resolved) -> RESHAPE where the stored layout allows, see reshaping.py."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import int_list
from tensorlet.converter.onnx_import.ops.reshaping import reshape, resolve_shape

OP_TYPE = "Reshape"
SINCE_VERSIONS = (5, 13, 14, 19, 21, 23, 24, 25)
CONSTANT_INPUTS = (1,)


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..], shape: int64 [R] constant -> data as shape."""
    x = ctx.activation(node.inputs[0])
    shape = resolve_shape(node, x.shape, int_list(ctx.constant(node.inputs[1])), bool(node.attr("allowzero", 0)))
    ctx.bind(node.outputs[0], reshape(ctx, x, shape, node.outputs[0]))
