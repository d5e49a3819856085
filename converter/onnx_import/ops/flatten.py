"""Flatten -> a RESHAPE to 2-D (or a flat layout feeding a FULLY_CONNECTED), see reshaping.py."""
from __future__ import annotations

import math

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.reshaping import reshape

OP_TYPE = "Flatten"
SINCE_VERSIONS = (11, 13, 21, 23, 24, 25)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """input: float32 [d0,..,dn-1] -> [d0*..*d(axis-1), d(axis)*..*dn-1] (axis default 1)."""
    x = ctx.activation(node.inputs[0])
    axis = int(node.attr("axis", 1))
    axis = axis + x.rank if axis < 0 else axis
    shape = (math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))
    ctx.bind(node.outputs[0], reshape(ctx, x, shape, node.outputs[0]))
