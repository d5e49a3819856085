"""Losses: softmax cross-entropy (fused, stable gradient; label smoothing), binary cross-entropy with logits, MSE, MAE.

reduction is "mean" (over every loss element), "sum" or "none". Targets are constants (no gradient).
"""
from __future__ import annotations

import numpy as np

from . import elementwise, reduce
from .tensor import Tensor, TensorLike


def _reduce_array(loss: np.ndarray, reduction: str) -> tuple[np.ndarray, float]:
    """The reduced loss array and the factor d(reduced)/d(each element) for "mean"/"sum" (1 for "none")."""
    if reduction == "mean":
        return np.asarray(loss.mean()), 1 / max(loss.size, 1)
    if reduction == "sum":
        return np.asarray(loss.sum()), 1.0
    if reduction == "none":
        return loss, 1.0
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def _spread(g: np.ndarray, factor: float, shape: tuple[int, ...]) -> np.ndarray:
    """The gradient of a reduced loss broadcast back to every loss element."""
    return np.broadcast_to(g * factor, shape)


def softmax_cross_entropy(logits: Tensor, labels: TensorLike, label_smoothing: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """-sum(target * log_softmax(logits)) over the class axis 1, like torch.nn.functional.cross_entropy.

    logits [N, K, *]; labels integer class indices [N, *] or class probabilities [N, K, *]. With label_smoothing e
    the target is (1 - e) * target + e / K. The gradient is (softmax * sum(target) - target) per element.
    """
    z = logits.data
    y = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    k = z.shape[1]
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    logp = shifted - np.log(total)
    if y.dtype.kind in "iu":
        target = np.zeros_like(z)
        np.put_along_axis(target, np.expand_dims(y, 1), 1, axis=1)
    else:
        target = y.astype(z.dtype, copy=False)
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / k
    per_sample = -(target * logp).sum(axis=1)  # [N, *]
    out, factor = _reduce_array(per_sample, reduction)

    def backward(g):
        grad = e / total * target.sum(axis=1, keepdims=True) - target
        return (grad * np.expand_dims(_spread(g, factor, per_sample.shape), 1),)
    return Tensor.from_op(out.astype(z.dtype, copy=False), (logits,), backward)


def binary_cross_entropy_with_logits(logits: Tensor, targets: TensorLike, reduction: str = "mean") -> Tensor:
    """-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))) elementwise, computed stably; targets t in [0, 1]."""
    x = logits.data
    t = (targets.data if isinstance(targets, Tensor) else np.asarray(targets)).astype(x.dtype, copy=False)
    e = np.exp(-np.abs(x))
    loss = np.maximum(x, 0) - x * t + np.log1p(e)
    out, factor = _reduce_array(loss, reduction)

    def backward(g):
        probability = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return ((probability - t) * _spread(g, factor, loss.shape),)
    return Tensor.from_op(out.astype(x.dtype, copy=False), (logits,), backward)


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    """A composed loss Tensor reduced by reduction."""
    if reduction == "mean":
        return reduce.mean(loss)
    if reduction == "sum":
        return reduce.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def mse(prediction: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """(prediction - target) ** 2, reduced."""
    diff = elementwise.sub(prediction, target)
    return _reduce_tensor(elementwise.mul(diff, diff), reduction)


def mae(prediction: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """|prediction - target|, reduced; the gradient at 0 is 0."""
    return _reduce_tensor(elementwise.abs(elementwise.sub(prediction, target)), reduction)
