"""BatchNormalization at inference -> a per-channel MUL and ADD with folded constants (scale / sqrt(var + eps) and
B - mean * that), in whatever layout the input is stored; the optimizer folds them into a preceding conv.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary

OP_TYPE = "BatchNormalization"
SINCE_VERSIONS = (9, 14, 15)
CONSTANT_INPUTS = (1, 2, 3, 4)


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [N,C,..], scale/B/mean/var: [C] constants -> (X - mean) / sqrt(var + eps) * scale + B."""
    if node.attr("training_mode", 0):
        raise node.error("training_mode=1 (batch statistics) is not supported; only inference")
    x = ctx.activation(node.inputs[0])
    scale, bias, mean, var = (ctx.constant(node.inputs[k]).astype(np.float64) for k in range(1, 5))
    factor = scale / np.sqrt(var + float(node.attr("epsilon", 1e-5)))
    shift = bias - mean * factor
    per_channel = (-1,) + (1,) * (x.rank - 2)
    name = node.outputs[0]
    scaled = binary(ctx, OpCode.MUL, x, factor.astype(np.float32).reshape(per_channel), f"{name}/scale")
    ctx.bind(name, binary(ctx, OpCode.ADD, scaled, shift.astype(np.float32).reshape(per_channel), name))
