"""Sigmoid -> LOGISTIC, elementwise where its input is stored."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import unary

OP_TYPE = "Sigmoid"
SINCE_VERSIONS = (6, 13)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> 1 / (1 + exp(-X))."""
    unary(node, ctx, OpCode.LOGISTIC)
