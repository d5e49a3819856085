"""MatMul of an activation by a constant right-hand side -> FULLY_CONNECTED; a B with batch dims -> one per batch
(SLICE, FULLY_CONNECTED, CONCATENATION). An activation right-hand side (activation x activation) is not supported.
A third input, a bias [N] along the last axis (B then 2-D), is what the QDQ fusion (qdq_fusion.py) makes of
MatMul + Add.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import identity
from tensorlet.converter.onnx_import.ops.dense import fully_connected
from tensorlet.converter.onnx_import.ops.reshaping import reshape
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.converter.onnx_import.weights import Weights, constant_weights, filter_tensor

OP_TYPE = "MatMul"
SINCE_VERSIONS = (9, 13)
CONSTANT_INPUTS = (1, 2)


def output_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """numpy.matmul's result shape for operand shapes a and b."""
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    shape = tuple(np.broadcast_shapes(a2[:-2], b2[:-2])) + (a2[-2], b2[-1])
    if len(a) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(b) == 1:
        shape = shape[:-1]
    return shape


def _batched(ctx: Builder, a: Activation, b: Weights, name: str, weights_name: str) -> Activation:
    """A: float32 [..,M,K] (or [K]), B: constant [..,K,N] -> [batch,M,N], batch the broadcast batch dims
    flattened: one FULLY_CONNECTED per batch on its slice of A."""
    a_shape = a.shape if a.rank > 1 else (1,) + a.shape
    (m, k), n = a_shape[-2:], b.shape[-1]
    batch = tuple(int(d) for d in np.broadcast_shapes(a_shape[:-2], b.shape[:-2]))
    a_batches = math.prod(a_shape[:-2])
    rows = ctx.tensor(reshape(ctx, a, (a_batches, m, k), f"{name}/rows"), identity(3))
    sources = np.broadcast_to(np.arange(a_batches).reshape(a_shape[:-2]), batch).ravel()
    weights = b.broadcast_to(batch + (k, n)).reshape((-1, k, n))
    parts = []
    for j, source in enumerate(sources):
        part = rows if a_batches == 1 else ctx.emit(
            ir.OpCode.SLICE, [rows], (1, m, k), f"{name}/batch{j}/in",
            ir.SliceOptions(begin=(int(source), 0, 0), end=(int(source) + 1, m, k), strides=(1, 1, 1)))
        filters = weights.take(0, [j]).reshape((k, n)).transpose((1, 0))
        fc = [part, filter_tensor(ctx, filters, f"{weights_name}/batch{j}", 0), -1]
        parts.append(ctx.emit(ir.OpCode.FULLY_CONNECTED, fc, (1, m, n), f"{name}/batch{j}",
                              ir.FullyConnectedOptions()))
    joined = ctx.emit(ir.OpCode.CONCATENATION, parts, (len(parts), m, n), f"{name}/batched",
                      ir.ConcatenationOptions(axis=0)) if len(parts) > 1 else parts[0]
    return Activation(f"{name}/batched", (len(parts), m, n), {identity(3): joined})


def lower(node: Node, ctx: Builder) -> None:
    """A: float32 [..,K], B: constant [K,N] (or [K], or [..,K,N]), bias (fused): constant [N] -> A @ B + bias."""
    a = ctx.activation(node.inputs[0])
    b = constant_weights(ctx, node.inputs[1])
    bias = constant_weights(ctx, node.input(2)).reshape((-1,)) if node.input(2) else None
    name = node.outputs[0]
    shape = output_shape(a.shape, b.shape)
    if len(b.shape) > 2 and any(d != 1 for d in b.shape[:-2]):
        ctx.bind(name, reshape(ctx, _batched(ctx, a, b, name, node.inputs[1]), shape, name))
        return
    weights = b.reshape((1, -1)) if len(b.shape) == 1 else b.reshape(b.shape[-2:]).transpose((1, 0))
    fc_shape = a.shape[:-1] + (weights.shape[0],)
    y = fully_connected(ctx, a, weights, bias, name if fc_shape == shape else f"{name}/fc", f"{node.inputs[1]}/fc")
    ctx.bind(name, reshape(ctx, y, shape, name) if fc_shape != shape else y)
