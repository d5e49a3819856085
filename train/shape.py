"""Shape and layout ops: reshape, transpose, indexing/slicing, concat, stack, constant pad."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .tensor import Tensor


def _ints(args: tuple) -> tuple:
    """Varargs given either as ints or as one tuple/list."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def reshape(x: Tensor, *shape: int | tuple[int, ...]) -> Tensor:
    """x with a new shape (ints or one tuple; one -1 allowed); a view when numpy can make one."""
    return Tensor.from_op(x.data.reshape(_ints(shape)), (x,), lambda g: (g.reshape(x.shape),))


def transpose(x: Tensor, *axes: int | tuple[int, ...]) -> Tensor:
    """x with its axes permuted by axes (ints or one tuple; none: reversed), a view."""
    perm = tuple(a % x.ndim for a in _ints(axes)) or tuple(reversed(range(x.ndim)))
    inverse = tuple(np.argsort(perm))
    return Tensor.from_op(x.data.transpose(perm), (x,), lambda g: (g.transpose(inverse),))


def getitem(x: Tensor, index: Any) -> Tensor:
    """x[index] with numpy semantics: ints, slices, None, Ellipsis, integer or bool arrays (or Tensors).

    Repeated integer indices accumulate their gradients (np.add.at).
    """
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(i.data if isinstance(i, Tensor) else np.asarray(i) if isinstance(i, list) else i for i in items)
    advanced = any(isinstance(i, np.ndarray) for i in items)

    def backward(g):
        gx = np.zeros_like(x.data)
        if advanced:
            np.add.at(gx, items, g)
        else:
            gx[items] = g
        return (gx,)
    return Tensor.from_op(x.data[items], (x,), backward)


def concat(xs: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors of equal shape except along axis."""
    xs = tuple(xs)
    bounds = np.cumsum([t.shape[axis] for t in xs])[:-1]
    return Tensor.from_op(np.concatenate([t.data for t in xs], axis=axis), xs,
                          lambda g: tuple(np.split(g, bounds, axis=axis)))


def stack(xs: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    xs = tuple(xs)
    out = np.stack([t.data for t in xs], axis=axis)
    lead = (slice(None),) * (axis % out.ndim)
    return Tensor.from_op(out, xs, lambda g: tuple(g[lead + (i,)] for i in range(len(xs))))


def pad(x: Tensor, pads: Sequence[tuple[int, int]], value: float = 0.0) -> Tensor:
    """x padded with the constant value by pads, one (before, after) pair of non-negative ints per axis."""
    if len(pads) != x.ndim:
        raise ValueError(f"pad needs one (before, after) pair per axis: {x.ndim}, got {len(pads)}")
    inside = tuple(slice(before, before + n) for (before, _), n in zip(pads, x.shape))
    out = np.pad(x.data, [tuple(p) for p in pads], constant_values=value)
    return Tensor.from_op(out, (x,), lambda g: (g[inside],))
