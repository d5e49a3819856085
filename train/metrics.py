"""Metrics for compile/fit/evaluate: accuracy and top-k accuracy, each a per-batch score (mean over the
samples) that the loop averages weighted by batch size. `get_metric` resolves names."""
from __future__ import annotations

import numpy as np


def _labels(target: np.ndarray, classes: int) -> np.ndarray:
    """Class indices from indices [N] or one-hot / probability rows [N, K]."""
    target = np.asarray(target)
    return target.argmax(axis=1) if target.ndim == 2 and target.shape[1] == classes else target.reshape(-1)


def accuracy(prediction: np.ndarray, target: np.ndarray) -> float:
    """The fraction of samples whose predicted class is the target's: argmax over axis 1 of [N, K] scores, or,
    for one score per sample ([N] or [N, 1], logits of binary cross-entropy), score > 0 against target > 0.5."""
    if prediction.ndim == 1 or prediction.shape[1] == 1:
        return float(np.mean((prediction.reshape(-1) > 0) == (np.reshape(target, -1) > 0.5)))
    return float(np.mean(prediction.argmax(axis=1) == _labels(target, prediction.shape[1])))


def top_k_accuracy(prediction: np.ndarray, target: np.ndarray, k: int = 5) -> float:
    """The fraction of samples whose target class is among the k highest scores of [N, K]."""
    labels = _labels(target, prediction.shape[1])
    top = np.argpartition(-prediction, min(k, prediction.shape[1]) - 1, axis=1)[:, :k]
    return float(np.mean((top == labels[:, None]).any(axis=1)))


class Metric:
    """A named score of a batch: __call__(prediction [N, ...] array, target) -> float."""

    def __init__(self, name: str, fn, **kwargs):
        self.name, self.fn, self.kwargs = name, fn, kwargs

    def __call__(self, prediction: np.ndarray, target: np.ndarray) -> float:
        return self.fn(prediction, target, **self.kwargs)


def TopKAccuracy(k: int = 5) -> Metric:
    """Top-k accuracy, named top_{k}_accuracy."""
    return Metric(f"top_{k}_accuracy", top_k_accuracy, k=k)


def get_metric(spec: str | Metric) -> Metric:
    """A Metric: "accuracy", "top_k_accuracy" (k = 5) or "top_{k}_accuracy" by name, or the object itself."""
    if isinstance(spec, Metric):
        return spec
    if spec in ("accuracy", "acc"):
        return Metric("accuracy", accuracy)
    if spec == "top_k_accuracy":
        return TopKAccuracy()
    parts = spec.split("_")
    if len(parts) == 3 and parts[0] == "top" and parts[1].isdigit() and parts[2] == "accuracy":
        return TopKAccuracy(int(parts[1]))
    raise ValueError(f"unknown metric {spec!r}; known: accuracy, top_k_accuracy, top_<k>_accuracy")
