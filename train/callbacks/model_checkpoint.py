"""ModelCheckpoint: save a checkpoint (Model.save) after epochs, every one or only on improvement."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .callback import Callback, maximizes


class ModelCheckpoint(Callback):
    """filepath may hold format fields of the epoch (1-based) and the logs: "ckpt-{epoch:02d}-{val_loss:.3f}.npz".

    save_best_only: save only when monitor improves (mode as in EarlyStopping).
    """

    def __init__(self, filepath: str | Path, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto"):
        self.filepath, self.monitor, self.save_best_only = str(filepath), monitor, save_best_only
        self.maximize = maximizes(monitor, mode)
        self.best = -np.inf if self.maximize else np.inf
        self.saved: list[str] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.save_best_only:
            if self.monitor not in logs:
                raise KeyError(f"ModelCheckpoint monitors {self.monitor!r}, not in the logs {sorted(logs)}")
            value = logs[self.monitor]
            if not (value > self.best if self.maximize else value < self.best):
                return
            self.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.model.save(path)
        self.saved.append(path)
