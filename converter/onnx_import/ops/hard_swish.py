"""HardSwish -> HARD_SWISH (also the target of the x * HardSigmoid(x) fusion), elementwise where stored."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import unary

OP_TYPE = "HardSwish"
SINCE_VERSIONS = (14, 22)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> X * relu6(X + 3) / 6."""
    unary(node, ctx, OpCode.HARD_SWISH)
