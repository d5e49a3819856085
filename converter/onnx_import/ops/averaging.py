"""Helper shared by ReduceMean and GlobalAveragePool: a mean over any logical axes as one MEAN over axes (1, 2),
directly on an NHWC tensor's H and W, else on the stored tensor reshaped to [before, reduced, 1, after] (the
reduced axes made adjacent in storage first, by a TRANSPOSE only when no stored layout has them adjacent).
"""
from __future__ import annotations

import math

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.layout import Layout
from tensorlet.converter.onnx_import.values import Activation


def _positions(layout: Layout, axes: tuple[int, ...]) -> list[int]:
    """The stored positions of logical `axes`, ascending."""
    return sorted(layout.perm.index(a) for a in axes)


def _adjacent(layout: Layout, axes: tuple[int, ...]) -> bool:
    """True when the layout stores `axes` next to each other."""
    positions = _positions(layout, axes)
    return positions == list(range(positions[0], positions[-1] + 1))


def mean(ctx: Builder, x: Activation, axes: tuple[int, ...], keepdims: bool, name: str) -> Activation:
    """x: float32 [..] -> the mean over `axes` (sorted, non-empty), keeping them as unit dims when keepdims."""
    if not x.axis_layouts():
        ctx.tensor(x, Layout(tuple(range(x.rank))))
    layouts = x.axis_layouts()
    direct = [s for s in layouts if s.rank == 4 and _positions(s, axes) == [1, 2]]
    adjacent = [s for s in layouts if _adjacent(s, axes)]
    layout = (direct or adjacent or [Layout(tuple(p for p in layouts[0].perm if p not in axes) + axes)])[0]
    index = ctx.tensor(x, layout)
    if keepdims:
        shape = tuple(1 if a in axes else d for a, d in enumerate(x.shape))
        out_layout = layout
    else:
        kept = [a for a in range(x.rank) if a not in axes]
        shape = tuple(x.shape[a] for a in kept)
        out_layout = Layout(tuple(kept.index(p) for p in layout.perm if p not in axes))
    if direct:
        return ctx.produce(ir.OpCode.MEAN, [index], name, shape, out_layout,
                           ir.MeanOptions(axes=(1, 2), keep_dims=keepdims))
    stored = layout.stored_shape(x.shape)
    first, last = _positions(layout, axes)[0], _positions(layout, axes)[-1] + 1
    rows = (math.prod(stored[:first]), math.prod(stored[first:last]), 1, math.prod(stored[last:]))
    grouped = ctx.emit(ir.OpCode.RESHAPE, [index], rows, f"{name}/grouped")
    reduced = ctx.emit(ir.OpCode.MEAN, [grouped], (rows[0], 1, 1, rows[3]), f"{name}/mean",
                       ir.MeanOptions(axes=(1, 2), keep_dims=True))
    return ctx.produce(ir.OpCode.RESHAPE, [reduced], name, shape, out_layout)
