"""The training and inference loops behind Model.compile/fit/evaluate/predict.

Randomness in fit (shuffling, augmentation, dropout) comes from default_rng([seed, epoch]), one generator per
epoch: an epoch depends only on the weights, the optimizer state and (seed, epoch), so training resumed from a
checkpoint continues bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ..callbacks.callback import Callback, CallbackList, History
from ..callbacks.progress import ProgressBar
from ..data.batches import batch_indices
from ..memory import retain_freed_memory
from ..metrics import Metric, get_metric
from ..objectives import Loss, get_loss
from ..optim import Optimizer, get_optimizer
from ..tensor import Tensor, no_grad

if TYPE_CHECKING:
    from .model import Model

Arrays = np.ndarray | Sequence[np.ndarray]


@dataclass
class Compiled:
    """What compile fixed: the optimizer (bound to the model's weights), one loss per output, the metrics (each
    applied to every output), the prefixes naming per-output logs ("" for a single output)."""

    optimizer: Optimizer
    losses: list[Loss]
    metrics: list[Metric]
    prefixes: list[str]


def compile_model(model: "Model", optimizer: str | Optimizer, loss: str | Loss | Sequence[str | Loss],
                  metrics: Sequence[str | Metric]) -> Compiled:
    """Resolve names, bind the optimizer to the model's trainable weights."""
    count = len(model.outputs)
    losses = [get_loss(s) for s in loss] if isinstance(loss, (list, tuple)) else [get_loss(loss)] * count
    if len(losses) != count:
        raise ValueError(f"the model has {count} outputs, {len(losses)} losses given")
    prefixes = [""] if count == 1 else [f"{o.name}_" for o in model.outputs]
    return Compiled(get_optimizer(optimizer).bind(model.trainable_weights), losses,
                    [get_metric(m) for m in metrics], prefixes)


def as_list(data: Arrays, what: str, count: int) -> list[np.ndarray]:
    """One array per model input (or output): a single array, or a list of them."""
    arrays = [np.asarray(a) for a in data] if isinstance(data, (list, tuple)) else [np.asarray(data)]
    if len(arrays) != count:
        raise ValueError(f"the model has {count} {what}s, {len(arrays)} arrays given")
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(f"{what} arrays hold different sample counts: {[len(a) for a in arrays]}")
    return arrays


def _floats(arrays: list[np.ndarray]) -> list[np.ndarray]:
    return [a if a.dtype == np.float32 else a.astype(np.float32) for a in arrays]


def _targets(model: "Model", y: Arrays, count: int) -> list[np.ndarray]:
    """One target array per output, each with count samples."""
    ys = as_list(y, "output", len(model.outputs))
    if len(ys[0]) != count:
        raise ValueError(f"{count} input samples but {len(ys[0])} targets")
    return ys


class _Means:
    """Running sample-weighted means of named scores."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, scores: dict[str, float], size: int) -> None:
        self.count += size
        for k, v in scores.items():
            self.sums[k] = self.sums.get(k, 0.0) + v * size

    def result(self) -> dict[str, float]:
        return {k: v / max(self.count, 1) for k, v in self.sums.items()}


def _scores(compiled: Compiled, outputs: list[np.ndarray], targets: list[np.ndarray],
            losses: list[float]) -> dict[str, float]:
    """The batch's loss (the sum over outputs), per-output losses when several, and every metric."""
    scores = {"loss": float(sum(losses))}
    for prefix, out, target, value in zip(compiled.prefixes, outputs, targets, losses):
        if prefix:
            scores[f"{prefix}loss"] = value
        for metric in compiled.metrics:
            scores[f"{prefix}{metric.name}"] = metric(out, target)
    return scores


def train_step(model: "Model", xs: list[np.ndarray], ys: list[np.ndarray],
               rng: np.random.Generator | None) -> dict[str, float]:
    """One optimizer step on a batch; returns its scores (before the update)."""
    compiled = model.compiled
    outputs = model.forward([Tensor(x) for x in xs], training=True, rng=rng)
    terms = [fn(out, y) for fn, out, y in zip(compiled.losses, outputs, ys)]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    compiled.optimizer.zero_grad()
    total.backward()
    compiled.optimizer.step()
    return _scores(compiled, [o.data for o in outputs], ys, [float(t.data) for t in terms])


def evaluate(model: "Model", x: Arrays, y: Arrays, batch_size: int = 256) -> dict[str, float]:
    """Loss and metrics over the whole data in inference mode (sample-weighted means)."""
    retain_freed_memory()
    xs = _floats(as_list(x, "input", len(model.inputs) or 1))
    model.ensure_built([a.shape[1:] for a in xs])
    compiled = model.require_compiled()
    ys = _targets(model, y, len(xs[0]))
    means = _Means()
    with no_grad():
        for index in batch_indices(len(xs[0]), batch_size):
            outputs = model.forward([Tensor(a[index]) for a in xs], training=False, rng=None)
            targets = [b[index] for b in ys]
            losses = [float(fn(out, t).data) for fn, out, t in zip(compiled.losses, outputs, targets)]
            means.add(_scores(compiled, [o.data for o in outputs], targets, losses), len(index))
    return means.result()


def predict(model: "Model", x: Arrays, batch_size: int = 256) -> np.ndarray | list[np.ndarray]:
    """The outputs for every sample in inference mode: one array [N, ...], or a list for several outputs."""
    retain_freed_memory()
    xs = _floats(as_list(x, "input", len(model.inputs) or 1))
    model.ensure_built([a.shape[1:] for a in xs])
    parts: list[list[np.ndarray]] = [[] for _ in model.outputs]
    with no_grad():
        for index in batch_indices(len(xs[0]), batch_size):
            for part, out in zip(parts, model.forward([Tensor(a[index]) for a in xs], training=False, rng=None)):
                part.append(out.data)
    results = [np.concatenate(p) for p in parts]
    return results[0] if len(results) == 1 else results


def fit(model: "Model", x: Arrays, y: Arrays, epochs: int, batch_size: int,
        validation_data: tuple[Arrays, Arrays] | None, callbacks: Sequence[Callback], shuffle: bool, seed: int,
        verbose: int, initial_epoch: int,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None) -> History:
    """Train epochs initial_epoch .. epochs - 1 (see Model.fit)."""
    retain_freed_memory()
    xs = _floats(as_list(x, "input", len(model.inputs) or 1))
    model.ensure_built([a.shape[1:] for a in xs])
    compiled = model.require_compiled()
    ys = _targets(model, y, len(xs[0]))
    history = History()
    hooks = CallbackList([history] + ([ProgressBar(verbose)] if verbose else []) + list(callbacks))
    hooks.set_model(model)
    model.stop_training = False
    hooks.on_train_begin({"epochs": epochs, "initial_epoch": initial_epoch, "samples": len(xs[0])})
    for epoch in range(initial_epoch, epochs):
        rng = np.random.default_rng([seed, epoch])
        hooks.on_epoch_begin(epoch)
        means = _Means()
        for batch, index in enumerate(batch_indices(len(xs[0]), batch_size, rng if shuffle else None)):
            inputs = [a[index] for a in xs]
            if augment is not None:
                inputs = [augment(a, rng) for a in inputs]
            means.add(train_step(model, inputs, [b[index] for b in ys], rng), len(index))
            hooks.on_batch_end(batch, {**means.result(), "size": len(index)})
        logs = means.result()
        if validation_data is not None:
            logs.update({f"val_{k}": v for k, v in evaluate(model, *validation_data, batch_size=batch_size).items()})
        logs["lr"] = compiled.optimizer.current_lr
        model.epochs_done = epoch + 1
        hooks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    hooks.on_train_end({})
    return history
