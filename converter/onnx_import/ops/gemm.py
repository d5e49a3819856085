"""Gemm -> FULLY_CONNECTED with weights alpha * op(B) and bias beta * C when C is constant along the rows; any
other C follows as an ADD (scaled by a MUL when beta != 1 and C is an activation).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import binary, scalar
from tensorlet.converter.onnx_import.ops.dense import fully_connected
from tensorlet.converter.onnx_import.ops.transpose import transposed
from tensorlet.converter.onnx_import.weights import constant_weights

OP_TYPE = "Gemm"
SINCE_VERSIONS = (11, 13)
CONSTANT_INPUTS = (1,)


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True when `shape` broadcasts (one way) to `target`."""
    return len(shape) <= len(target) and all(d in (1, t) for d, t in zip(reversed(shape), reversed(target)))


def lower(node: Node, ctx: Builder) -> None:
    """A: float32 [M,K] (or [K,M] with transA), B: constant [K,N] (or [N,K] with transB), C: broadcastable to
    [M,N] -> alpha * op(A) @ op(B) + beta * C: [M,N]."""
    a = ctx.activation(node.inputs[0])
    if a.rank != 2:
        raise node.error(f"A has shape {list(a.shape)}; Gemm takes a 2-D A")
    name = node.outputs[0]
    if node.attr("transA", 0):
        a = transposed(ctx, a, (1, 0), f"{name}/a")
    b = constant_weights(ctx, node.inputs[1])
    weights = (b if node.attr("transB", 0) else b.transpose((1, 0))).scaled(float(node.attr("alpha", 1.0)))
    beta = float(node.attr("beta", 1.0))
    units = weights.shape[0]
    c = ctx.value(node.input(2)) if node.input(2) else None
    if c is not None and not _broadcasts(tuple(c.shape), (a.shape[0], units)):
        raise node.error(f"C of shape {list(c.shape)} does not broadcast to [M,N] = [{a.shape[0]},{units}]")
    row_constant = isinstance(c, np.ndarray) and (c.ndim < 2 or c.shape[0] == 1)
    bias = None
    if row_constant:
        bias = constant_weights(ctx, node.input(2)).reshape((-1,)).scaled(beta).broadcast_to((units,))
    y = fully_connected(ctx, a, weights, bias, name if c is None or row_constant else f"{name}/ab",
                        f"{node.inputs[1]}/fc")
    if c is not None and not row_constant:
        if isinstance(c, np.ndarray):
            c = (c.astype(np.float64) * beta).astype(np.float32)
        elif beta != 1.0:
            c = binary(ctx, OpCode.MUL, c, scalar(beta), f"{name}/c")
        y = binary(ctx, OpCode.ADD, y, c, name)
    ctx.bind(name, y)
