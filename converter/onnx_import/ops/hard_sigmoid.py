"""HardSigmoid -> the exact composition MUL(6 alpha), ADD(6 beta) with fused RELU6, MUL(1/6):
max(0, min(1, alpha x + beta)) = relu6(6 alpha x + 6 beta) / 6. (x * HardSigmoid(x) is fused to HARD_SWISH first.)
"""
from __future__ import annotations

from tensorlet.converter.ir import Activation as Fused
from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary, scalar

OP_TYPE = "HardSigmoid"
SINCE_VERSIONS = (6, 22)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> clamp(alpha X + beta, 0, 1) (alpha default 0.2, beta 0.5)."""
    alpha, beta = float(node.attr("alpha", 0.2)), float(node.attr("beta", 0.5))
    name = node.outputs[0]
    scaled = binary(ctx, OpCode.MUL, ctx.activation(node.inputs[0]), scalar(6.0 * alpha), f"{name}/scaled")
    unit = binary(ctx, OpCode.ADD, scaled, scalar(6.0 * beta), f"{name}/relu6", Fused.RELU6)
    ctx.bind(name, binary(ctx, OpCode.MUL, unit, scalar(1.0 / 6.0), name))
