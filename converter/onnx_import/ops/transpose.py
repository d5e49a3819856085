"""Transpose: no data moves; the output reads the input's stored tensors with the permutation folded into their
layouts. A TRANSPOSE op appears only where a consumer needs an order no stored tensor has.
"""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import Layout, identity, inverse
from tensorlet.converter.onnx_import.values import Activation

OP_TYPE = "Transpose"
SINCE_VERSIONS = (1, 13, 21, 23, 24, 25)
CONSTANT_INPUTS = ()


def transposed(ctx: Builder, x: Activation, perm: tuple[int, ...], name: str) -> Activation:
    """x: logical [d0,..] -> the activation of logical shape [d_perm[0],..] sharing x's stored tensors."""
    if not x.axis_layouts():
        ctx.tensor(x, identity(x.rank))
    back = inverse(perm)
    stored = {Layout(tuple(back[p] for p in layout.perm)): index
              for layout, index in x.stored.items() if not layout.is_flat}
    return Activation(name, tuple(x.shape[p] for p in perm), stored)


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [d0,..] -> [d_perm[0],..] (perm defaults to reversing the axes)."""
    x = ctx.activation(node.inputs[0])
    perm = tuple(int(p) % max(x.rank, 1) for p in node.attr("perm", range(x.rank - 1, -1, -1)))
    if sorted(perm) != list(range(x.rank)):
        raise node.error(f"perm {list(perm)} is not a permutation of {x.rank} axes")
    ctx.bind(node.outputs[0], transposed(ctx, x, perm, node.outputs[0]))
