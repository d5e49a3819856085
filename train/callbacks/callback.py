"""Callback: hooks the fit loop calls, with the logs of the moment; History records each epoch's logs.

logs hold floats: "loss" and each metric (running means over the epoch so far at batch end, the epoch's at epoch
end), "val_" + each at epoch end when there is validation data, and "lr" (the optimizer's learning rate for its next
step). A callback may stop training by setting model.stop_training = True.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from ..model.model import Model


def maximizes(monitor: str, mode: str) -> bool:
    """Whether a monitored log improves upward: mode "max", or "auto" for accuracies ("min" otherwise); ValueError
    for any other mode."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', not {mode!r}")
    return mode == "max" or (mode == "auto" and "acc" in monitor)


class Callback:
    """Base: every hook does nothing; `model` is set before training begins."""

    model: "Model"

    def set_model(self, model: "Model") -> None:
        self.model = model

    def on_train_begin(self, logs: dict) -> None:
        """logs: {"epochs": total epochs, "initial_epoch": first epoch index, "samples": per epoch}."""

    def on_epoch_begin(self, epoch: int) -> None:
        """Before the first batch of epoch (0-based)."""

    def on_batch_end(self, batch: int, logs: dict) -> None:
        """After each optimizer step; logs["size"] is the batch's sample count."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """After the epoch's validation."""

    def on_train_end(self, logs: dict) -> None:
        """After the last epoch (or an early stop)."""


class CallbackList(Callback):
    """Several callbacks called in order."""

    def __init__(self, callbacks: Sequence[Callback]):
        self.callbacks = list(callbacks)

    def set_model(self, model: "Model") -> None:
        for c in self.callbacks:
            c.set_model(model)

    def on_train_begin(self, logs: dict) -> None:
        for c in self.callbacks:
            c.on_train_begin(logs)

    def on_epoch_begin(self, epoch: int) -> None:
        for c in self.callbacks:
            c.on_epoch_begin(epoch)

    def on_batch_end(self, batch: int, logs: dict) -> None:
        for c in self.callbacks:
            c.on_batch_end(batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs)

    def on_train_end(self, logs: dict) -> None:
        for c in self.callbacks:
            c.on_train_end(logs)


class History(Callback):
    """What fit returns: history[key] is the list of that log's value per epoch; epoch the epoch indices."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)
