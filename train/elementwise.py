"""Elementwise ops with numpy broadcasting: arithmetic, exp/log/sqrt/abs, maximum/minimum, where, cast.

Backward closures return gradients of the broadcast shape; Tensor.backward sums them back to each parent.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, TensorLike, as_pair


def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b."""
    a, b = as_pair(a, b)
    return Tensor.from_op(a.data + b.data, (a, b), lambda g: (g, g))


def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """a - b."""
    a, b = as_pair(a, b)
    return Tensor.from_op(a.data - b.data, (a, b), lambda g: (g, -g if b.requires_grad else None))


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """a * b."""
    a, b = as_pair(a, b)
    x, y = a.data, b.data
    return Tensor.from_op(x * y, (a, b), lambda g: (g * y if a.requires_grad else None,
                                                     g * x if b.requires_grad else None))


def div(a: TensorLike, b: TensorLike) -> Tensor:
    """a / b."""
    a, b = as_pair(a, b)
    x, y = a.data, b.data
    out = x / y

    def backward(g):
        ga = g / y
        return ga if a.requires_grad else None, -ga * out if b.requires_grad else None
    return Tensor.from_op(out, (a, b), backward)


def pow(a: TensorLike, b: TensorLike) -> Tensor:
    """a ** b (b a scalar or a tensor); d/db uses log(a), taken as 0 where a == 0 (like PyTorch)."""
    a, b = as_pair(a, b)
    x, y = a.data, b.data
    out = x ** y

    def backward(g):
        ga = g * y * x ** (y - 1) if a.requires_grad else None
        gb = None
        if b.requires_grad:
            with np.errstate(invalid="ignore", divide="ignore"):
                gb = g * out * np.log(np.where(x == 0, 1, x))
        return ga, gb
    return Tensor.from_op(out, (a, b), backward)


def neg(a: Tensor) -> Tensor:
    """-a."""
    return Tensor.from_op(-a.data, (a,), lambda g: (-g,))


def exp(a: Tensor) -> Tensor:
    """e ** a."""
    out = np.exp(a.data)
    return Tensor.from_op(out, (a,), lambda g: (g * out,))


def log(a: Tensor) -> Tensor:
    """Natural logarithm."""
    x = a.data
    return Tensor.from_op(np.log(x), (a,), lambda g: (g / x,))


def sqrt(a: Tensor) -> Tensor:
    """Square root."""
    out = np.sqrt(a.data)
    return Tensor.from_op(out, (a,), lambda g: (g / (2 * out),))


def abs(a: Tensor) -> Tensor:
    """|a|; the gradient at 0 is 0 (sign)."""
    x = a.data
    return Tensor.from_op(np.abs(x), (a,), lambda g: (g * np.sign(x),))


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise max; where a == b each side gets half the gradient (like PyTorch)."""
    return _select(a, b, np.maximum, np.greater)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise min; where a == b each side gets half the gradient (like PyTorch)."""
    return _select(a, b, np.minimum, np.less)


def _select(a: TensorLike, b: TensorLike, pick, wins) -> Tensor:
    """pick(a, b) elementwise; the gradient goes to the side that wins, half to each on ties."""
    a, b = as_pair(a, b)
    x, y = a.data, b.data

    def backward(g):
        share = np.where(wins(x, y), 1.0, np.where(x == y, 0.5, 0.0)).astype(g.dtype)
        return g * share if a.requires_grad else None, g * (1 - share) if b.requires_grad else None
    return Tensor.from_op(pick(x, y), (a, b), backward)


def where(condition: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """a where condition (bool, broadcast) holds, else b."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = as_pair(a, b)
    return Tensor.from_op(np.where(cond, a.data, b.data), (a, b),
                          lambda g: (np.where(cond, g, 0) if a.requires_grad else None,
                                     np.where(cond, 0, g) if b.requires_grad else None))


def cast(a: Tensor, dtype: np.dtype | type) -> Tensor:
    """a converted to dtype; between floating dtypes the gradient flows back (cast to a's dtype)."""
    out = a.data.astype(dtype)
    if out.dtype.kind != "f":
        return Tensor._wrap(out)
    return Tensor.from_op(out, (a,), lambda g: (g,))
