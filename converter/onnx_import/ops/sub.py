"""Sub -> SUB with numpy broadcasting, in the layout its activations share; constants rearranged to match."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary

OP_TYPE = "Sub"
SINCE_VERSIONS = (7, 13, 14)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """A, B: float32, broadcastable -> A - B."""
    a, b = ctx.value(node.inputs[0]), ctx.value(node.inputs[1])
    ctx.bind(node.outputs[0], binary(ctx, OpCode.SUB, a, b, node.outputs[0]))
