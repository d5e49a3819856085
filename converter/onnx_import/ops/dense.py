"""Helper shared by Gemm and MatMul: a FULLY_CONNECTED over an activation's last axis, read in a stored layout
that keeps that axis last, or a flat layout, whose order is folded into the weight columns (no TRANSPOSE).
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.layout import identity, moved_last
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.converter.onnx_import.weights import Weights, bias_tensor, filter_tensor


def fully_connected(ctx: Builder, x: Activation, weights: Weights, bias: Weights | None, name: str,
                    weights_name: str) -> Activation:
    """x: [..,K], weights: [N,K], bias: [N] or None -> x @ weights.T + bias: [..,N] (float32, or int8 in an int8
    lowering)."""
    last = x.rank - 1
    layouts = [layout for layout in x.stored if layout.is_flat or layout.perm[-1] == last]
    if layouts:
        layout = layouts[0]
        index = x.stored[layout]
    else:
        layout = moved_last(x.primary, last)
        index = ctx.tensor(x, layout)
    if layout.is_flat:
        weights = weights.take(1, layout.order())
        layout = identity(x.rank)
    filters = filter_tensor(ctx, weights, weights_name, 0)
    inputs = [index, filters, bias_tensor(ctx, bias, f"{weights_name}/bias", index, filters)]
    return ctx.produce(ir.OpCode.FULLY_CONNECTED, inputs, name, x.shape[:-1] + (weights.shape[0],), layout,
                       ir.FullyConnectedOptions())
