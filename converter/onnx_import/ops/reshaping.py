"""Helper shared by Reshape, Flatten, Squeeze and Unsqueeze: a logical reshape done as one RESHAPE of a stored
tensor whenever the layout allows it (axes merged or split stay together), a flat layout when trailing axes of
a channels-last tensor are flattened, and a TRANSPOSE to the ONNX order only when neither applies.
"""
from __future__ import annotations

import math

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import flattened, identity, reshaped
from tensorlet.converter.onnx_import.values import Activation


def reshape(ctx: Builder, x: Activation, shape: tuple[int, ...], name: str) -> Activation:
    """x: float32 of logical shape S -> the same elements in row-major order as logical `shape` (same size)."""
    shape = tuple(int(d) for d in shape)
    if shape == x.shape:
        return Activation(name, shape, x.stored)
    for rule in (reshaped, flattened):
        for layout in x.axis_layouts():
            target = rule(layout, x.shape, shape)
            if target is not None:
                return ctx.produce(ir.OpCode.RESHAPE, [x.stored[layout]], name, shape, target)
    return ctx.produce(ir.OpCode.RESHAPE, [ctx.tensor(x, identity(x.rank))], name, shape, identity(len(shape)))


def resolve_shape(node: Node, x_shape: tuple[int, ...], requested: list[int], allow_zero: bool) -> tuple[int, ...]:
    """ONNX Reshape's target: 0 copies the input dim (unless allowzero), one -1 takes what is left."""
    target = [x_shape[i] if d == 0 and not allow_zero else d for i, d in enumerate(requested)]
    size = math.prod(x_shape)
    if target.count(-1) == 1:
        known = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = size // known if known else 0
    if any(d <= 0 for d in target) or math.prod(target) != size:
        raise node.error(f"cannot reshape {list(x_shape)} to {requested} (empty or mismatched shapes are not "
                         "supported)")
    return tuple(target)
