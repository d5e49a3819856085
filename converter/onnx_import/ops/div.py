"""Div by a constant -> MUL by its float32 reciprocal (a divisor computed at run time is not supported)."""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary

OP_TYPE = "Div"
SINCE_VERSIONS = (7, 13, 14)
CONSTANT_INPUTS = (1,)


def lower(node: Node, ctx: Builder) -> None:
    """A: float32 activation, B: float32 constant broadcastable to A -> A * (1 / B)."""
    divisor = ctx.constant(node.inputs[1]).astype(np.float64)
    if not np.all(np.isfinite(divisor)) or np.any(divisor == 0):
        raise node.error("the divisor holds zero or non-finite values; only finite nonzero divisors are supported")
    reciprocal = (1.0 / divisor).astype(np.float32)
    ctx.bind(node.outputs[0], binary(ctx, OpCode.MUL, ctx.activation(node.inputs[0]), reciprocal, node.outputs[0]))
