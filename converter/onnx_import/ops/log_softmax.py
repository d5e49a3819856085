"""LogSoftmax -> LOG_SOFTMAX over the stored last axis, laid out as Softmax (see softmax.py)."""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.softmax import lower_softmax

OP_TYPE = "LogSoftmax"
SINCE_VERSIONS = (11, 13)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """input: float32 [..] -> x - log(sum(exp(x))) along axis."""
    lower_softmax(node, ctx, ir.OpCode.LOG_SOFTMAX)
