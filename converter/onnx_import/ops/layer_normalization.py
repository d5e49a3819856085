"""LayerNormalization -> LAYER_NORM over the stored last axis; normalizing over several trailing axes reads them
flattened into one (RESHAPE, LAYER_NORM, RESHAPE) with scale and bias flattened alike.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import Layout
from tensorlet.converter.onnx_import.ops.common import optional_constant

OP_TYPE = "LayerNormalization"
SINCE_VERSIONS = (17,)
CONSTANT_INPUTS = (1, 2)


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [..], Scale/B: broadcastable to X.shape[axis:] -> (X - mean) / sqrt(var + eps) * Scale + B over
    the axes axis..R-1 (axis default -1)."""
    x = ctx.activation(node.inputs[0])
    axis = int(node.attr("axis", -1)) % x.rank
    normalized = x.shape[axis:]
    size = math.prod(normalized)
    gamma = np.broadcast_to(ctx.constant(node.inputs[1]), normalized).reshape(size)
    beta = optional_constant(node, ctx, 2)
    name = node.outputs[0]
    inputs = [ctx.constant_tensor(f"{node.inputs[1]}/gamma", gamma)]
    if beta is not None:
        inputs.append(ctx.constant_tensor(f"{node.inputs[2]}/beta", np.broadcast_to(beta, normalized).reshape(size)))
    options = ir.LayerNormOptions(epsilon=float(node.attr("epsilon", 1e-5)))
    kept = [p for p in ctx.choose_layout([x], x.rank, allow_flat=False).perm if p < axis]
    fitting = [layout for layout in x.axis_layouts() if layout.perm[len(kept):] == tuple(range(axis, x.rank))]
    layout = fitting[0] if fitting else Layout(tuple(kept) + tuple(range(axis, x.rank)))
    index = ctx.tensor(x, layout)
    if axis == x.rank - 1:
        ctx.bind(name, ctx.produce(ir.OpCode.LAYER_NORM, [index] + inputs, name, x.shape, layout, options))
        return
    rows = layout.stored_shape(x.shape)[:len(kept)] + (size,)
    flat = ctx.emit(ir.OpCode.RESHAPE, [index], rows, f"{name}/rows")
    result = ctx.emit(ir.OpCode.LAYER_NORM, [flat] + inputs, rows, f"{name}/rows_out", options)
    ctx.bind(name, ctx.produce(ir.OpCode.RESHAPE, [result], name, x.shape, layout))
