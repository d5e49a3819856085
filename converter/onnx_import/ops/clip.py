"""Clip -> RELU6 for [0, 6], RELU for [0, inf), else an exact composition of MUL/ADD/SUB with fused RELU/RELU6:
clamp(x, lo, hi) = lo + (hi - lo) / 6 * relu6((x - lo) * 6 / (hi - lo)).
"""
from __future__ import annotations

import math

from tensorlet.converter.ir import Activation as Fused
from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary, optional_constant, scalar, unary
from tensorlet.converter.onnx_import.values import Activation

OP_TYPE = "Clip"
SINCE_VERSIONS = (11, 12, 13)
CONSTANT_INPUTS = (1, 2)


def bounds(node: Node, ctx: Builder) -> tuple[float, float]:
    """(lo, hi), -inf / inf where absent."""
    lo, hi = optional_constant(node, ctx, 1), optional_constant(node, ctx, 2)
    return (-math.inf if lo is None else float(lo)), (math.inf if hi is None else float(hi))


def clamp(ctx: Builder, x: Activation, lo: float, hi: float, name: str) -> Activation:
    """x: any shape float32 -> min(max(x, lo), hi) with ONNX's rule that hi wins when lo > hi."""
    if lo >= hi:
        return binary(ctx, OpCode.ADD, binary(ctx, OpCode.MUL, x, scalar(0.0), f"{name}/zero"), scalar(hi), name)
    if hi == math.inf:
        shifted = binary(ctx, OpCode.ADD, x, scalar(-lo), f"{name}/above", Fused.RELU)
        return binary(ctx, OpCode.ADD, shifted, scalar(lo), name)
    if lo == -math.inf:
        below = binary(ctx, OpCode.SUB, scalar(hi), x, f"{name}/below", Fused.RELU)
        return binary(ctx, OpCode.SUB, scalar(hi), below, name)
    scale = 6.0 / (hi - lo)
    if lo == 0.0:
        unit = binary(ctx, OpCode.MUL, x, scalar(scale), f"{name}/unit", Fused.RELU6)
        return binary(ctx, OpCode.MUL, unit, scalar(1.0 / scale), name)
    scaled = binary(ctx, OpCode.MUL, x, scalar(scale), f"{name}/scaled")
    unit = binary(ctx, OpCode.ADD, scaled, scalar(-lo * scale), f"{name}/unit", Fused.RELU6)
    back = binary(ctx, OpCode.MUL, unit, scalar(1.0 / scale), f"{name}/range")
    return binary(ctx, OpCode.ADD, back, scalar(lo), name)


def lower(node: Node, ctx: Builder) -> None:
    """input: any shape float32, min/max: optional float32 scalars -> input clamped to [min, max]."""
    lo, hi = bounds(node, ctx)
    if (lo, hi) == (0.0, 6.0):
        unary(node, ctx, OpCode.RELU6)
    elif (lo, hi) == (0.0, math.inf):
        unary(node, ctx, OpCode.RELU)
    elif (lo, hi) == (-math.inf, math.inf):
        ctx.bind(node.outputs[0], ctx.activation(node.inputs[0]))
    else:
        ctx.bind(node.outputs[0], clamp(ctx, ctx.activation(node.inputs[0]), lo, hi, node.outputs[0]))
