"""Elu -> ELU with its alpha, elementwise where its input is stored."""
from __future__ import annotations

from tensorlet.converter.ir import EluOptions, OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import unary

OP_TYPE = "Elu"
SINCE_VERSIONS = (6, 22)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> X >= 0 ? X : alpha * (exp(X) - 1) (alpha default 1)."""
    unary(node, ctx, OpCode.ELU, EluOptions(alpha=float(node.attr("alpha", 1.0))))
