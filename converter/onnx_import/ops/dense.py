"""Helper shared by Gemm and MatMul: a FULLY_CONNECTED over an activation's last axis, read in a stored layout
that keeps that axis last, or a flat layout, whose order is folded into the weight columns (no TRANSPOSE).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.layout import identity, moved_last
from tensorlet.converter.onnx_import.values import Activation


def fully_connected(ctx: Builder, x: Activation, weights: np.ndarray, bias: np.ndarray | None, name: str,
                    weights_name: str) -> Activation:
    """x: float32 [..,K], weights: [N,K], bias: [N] or None -> x @ weights.T + bias: [..,N]."""
    last = x.rank - 1
    layouts = [layout for layout in x.stored if layout.is_flat or layout.perm[-1] == last]
    if layouts:
        layout = layouts[0]
        index = x.stored[layout]
    else:
        layout = moved_last(x.primary, last)
        index = ctx.tensor(x, layout)
    if layout.is_flat:
        weights = weights[:, layout.order()]
        layout = identity(x.rank)
    inputs = [index, ctx.constant_tensor(weights_name, weights),
              -1 if bias is None else ctx.constant_tensor(f"{weights_name}/bias", bias)]
    return ctx.produce(ir.OpCode.FULLY_CONNECTED, inputs, name, x.shape[:-1] + (weights.shape[0],), layout,
                       ir.FullyConnectedOptions())
