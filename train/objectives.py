"""Loss objects for Model.compile, wrapping the functional losses: a loss maps (prediction Tensor, target array)
to a scalar Tensor, the mean over the batch. `get_loss` resolves names."""
from __future__ import annotations

import numpy as np

from . import functional as F
from .tensor import Tensor


class Loss:
    """A training objective: __call__(prediction [N, ...], target) -> scalar Tensor (mean over the batch)."""

    name = "loss"

    def __call__(self, prediction: Tensor, target: np.ndarray) -> Tensor:
        raise NotImplementedError


class SoftmaxCrossEntropy(Loss):
    """Cross-entropy of logits [N, K, *] against class indices [N, *] (or probabilities [N, K, *]); the gradient
    is fused (softmax - target). label_smoothing e mixes the target with the uniform e / K."""

    name = "softmax_cross_entropy"

    def __init__(self, label_smoothing: float = 0.0):
        self.label_smoothing = label_smoothing

    def __call__(self, prediction: Tensor, target: np.ndarray) -> Tensor:
        return F.softmax_cross_entropy(prediction, target, label_smoothing=self.label_smoothing)


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy of logits against targets in [0, 1] of the same shape, computed stably."""

    name = "binary_cross_entropy"

    def __call__(self, prediction: Tensor, target: np.ndarray) -> Tensor:
        return F.binary_cross_entropy_with_logits(prediction, np.reshape(target, prediction.shape))


class MeanSquaredError(Loss):
    """mean((prediction - target) ** 2) over every element."""

    name = "mse"

    def __call__(self, prediction: Tensor, target: np.ndarray) -> Tensor:
        return F.mse(prediction, np.reshape(target, prediction.shape))


class MeanAbsoluteError(Loss):
    """mean(|prediction - target|) over every element."""

    name = "mae"

    def __call__(self, prediction: Tensor, target: np.ndarray) -> Tensor:
        return F.mae(prediction, np.reshape(target, prediction.shape))


LOSSES: dict[str, type[Loss]] = {
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "sparse_categorical_crossentropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
}


def get_loss(spec: str | Loss) -> Loss:
    """A Loss by name (see LOSSES) or the object itself."""
    if isinstance(spec, Loss):
        return spec
    if spec not in LOSSES:
        raise ValueError(f"unknown loss {spec!r}; known: {', '.join(LOSSES)}")
    return LOSSES[spec]()
