"""Normalization: batch_norm (batch statistics in training, running statistics in eval) and layer_norm."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .tensor import Tensor


def _buffer(v: np.ndarray | Tensor | None) -> np.ndarray | None:
    """The array behind a running-statistics buffer given as an array or a Tensor."""
    return v.data if isinstance(v, Tensor) else v


def _present(*tensors: Tensor | None) -> tuple[Tensor, ...]:
    """The parents that are given (weight and bias are optional)."""
    return tuple(t for t in tensors if t is not None)


def _normalize_backward(dxhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """d/dx of xhat = (x - mean) * inv_std with the mean and biased variance over axes, given dL/dxhat."""
    return inv_std * (dxhat - dxhat.mean(axis=axes, keepdims=True)
                      - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True))


def batch_norm(x: Tensor, running_mean: np.ndarray | Tensor | None, running_var: np.ndarray | Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = True,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """x [N, C, *] normalized per channel C, then * weight [C] + bias [C].

    training: batch mean and biased variance normalize x; running_mean/running_var (arrays [C], updated in place,
    may be None) move by momentum towards the batch mean and the unbiased variance (like PyTorch).
    eval: the running statistics normalize x.
    """
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    d = x.data
    rm, rv = _buffer(running_mean), _buffer(running_var)
    if training:
        mu = d.mean(axis=axes, keepdims=True)
        centered = d - mu
        var = (centered * centered).mean(axis=axes, keepdims=True)
        count = d.size // d.shape[1]
        if rm is not None:
            rm *= 1 - momentum
            rm += momentum * mu.reshape(-1)
        if rv is not None:
            rv *= 1 - momentum
            rv += momentum * var.reshape(-1) * (count / max(count - 1, 1))
    else:
        if rm is None or rv is None:
            raise ValueError("batch_norm in eval needs running_mean and running_var")
        mu, var = rm.reshape(shape).astype(d.dtype, copy=False), rv.reshape(shape).astype(d.dtype, copy=False)
        centered = d - mu
    inv_std = (1 / np.sqrt(var + eps)).astype(d.dtype)
    xhat = centered * inv_std
    w = weight.data.reshape(shape) if weight is not None else None
    out = xhat * w if w is not None else xhat
    if bias is not None:
        out = out + bias.data.reshape(shape)

    def backward(g):
        dxhat = g * w if w is not None else g
        gx = gw = gb = None
        if x.requires_grad:
            gx = _normalize_backward(dxhat, xhat, inv_std, axes) if training else dxhat * inv_std
        if weight is not None and weight.requires_grad:
            gw = (g * xhat).sum(axis=axes)
        if bias is not None and bias.requires_grad:
            gb = g.sum(axis=axes)
        return (gx,) + ((gw,) if weight is not None else ()) + ((gb,) if bias is not None else ())
    return Tensor.from_op(out, _present(x, weight, bias), backward)


def layer_norm(x: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """x [*, *normalized_shape] normalized over its last len(normalized_shape) axes (biased variance),
    then * weight + bias (both of normalized_shape)."""
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    axes = tuple(range(x.ndim - k, x.ndim))
    d = x.data
    centered = d - d.mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + eps)
    xhat = centered * inv_std
    out = xhat * weight.data if weight is not None else xhat
    if bias is not None:
        out = out + bias.data

    def backward(g):
        dxhat = g * weight.data if weight is not None else g
        gx = _normalize_backward(dxhat, xhat, inv_std, axes) if x.requires_grad else None
        return (gx,) + ((g * xhat,) if weight is not None else ()) + ((g,) if bias is not None else ())
    return Tensor.from_op(out, _present(x, weight, bias), backward)
