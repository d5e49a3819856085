"""Identity: its output names the same stored tensors as its input; nothing is emitted."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node

OP_TYPE = "Identity"
SINCE_VERSIONS = (1, 13, 14, 16, 19, 21, 23, 24, 25)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any tensor -> the same values (an alias)."""
    ctx.bind(node.outputs[0], ctx.value(node.inputs[0]))
