"""LeakyRelu -> LEAKY_RELU with its alpha, elementwise where its input is stored."""
from __future__ import annotations

from tensorlet.converter.ir import LeakyReluOptions, OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import unary

OP_TYPE = "LeakyRelu"
SINCE_VERSIONS = (6, 16)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> X >= 0 ? X : alpha * X (alpha default 0.01)."""
    unary(node, ctx, OpCode.LEAKY_RELU, LeakyReluOptions(alpha=float(node.attr("alpha", 0.01))))
