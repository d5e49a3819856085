"""Reductions over axes: sum, mean, max (keepdims like numpy)."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor

Axis = int | tuple[int, ...] | None


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """axis (None = all, int or tuple, negatives allowed) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim if ndim else a for a in axes))


def _spread(g: np.ndarray, axes: tuple[int, ...], keepdims: bool, shape: tuple[int, ...]) -> np.ndarray:
    """The gradient of a reduction output broadcast back over the reduced axes (a read-only view)."""
    return np.broadcast_to(g if keepdims else np.expand_dims(g, axes), shape)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over axis (None: all)."""
    axes = normalize_axes(axis, x.ndim)
    return Tensor.from_op(x.data.sum(axis=axes, keepdims=keepdims), (x,),
                          lambda g: (_spread(g, axes, keepdims, x.shape),))


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean over axis (None: all)."""
    axes = normalize_axes(axis, x.ndim)
    count = int(np.prod([x.shape[a] for a in axes]))
    return Tensor.from_op(x.data.mean(axis=axes, keepdims=keepdims), (x,),
                          lambda g: (_spread(g / count, axes, keepdims, x.shape),))


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Max over axis (None: all); the gradient is split evenly among tied maxima (like torch.amax)."""
    axes = normalize_axes(axis, x.ndim)
    top = x.data.max(axis=axes, keepdims=True)

    def backward(g):
        winners = x.data == top
        share = winners / winners.sum(axis=axes, keepdims=True).astype(g.dtype)
        return (share * (g if keepdims else np.expand_dims(g, axes)),)
    kept = top if keepdims else top.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return Tensor.from_op(kept, (x,), backward)
