"""EarlyStopping: stop fit when a monitored log has not improved for `patience` epochs."""
from __future__ import annotations

import numpy as np

from .callback import Callback, maximizes


class EarlyStopping(Callback):
    """monitor: a log name ("val_loss"); mode "min", "max" or "auto" (max for accuracies, else min); an
    improvement must beat the best by more than min_delta. restore_best_weights puts back the best epoch's
    weights when training stops."""

    def __init__(self, monitor: str = "val_loss", patience: int = 0, min_delta: float = 0.0, mode: str = "auto",
                 restore_best_weights: bool = False):
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.maximize = maximizes(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self.best = -np.inf if self.maximize else np.inf
        self.wait = 0
        self.best_weights: list[np.ndarray] | None = None
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs: dict) -> None:
        self.best, self.wait, self.best_weights, self.stopped_epoch = (
            -np.inf if self.maximize else np.inf), 0, None, None

    def _improved(self, value: float) -> bool:
        return value > self.best + self.min_delta if self.maximize else value < self.best - self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, not in the logs {sorted(logs)}")
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)
