"""TensorBoard: each epoch's logs as scalars and, every histogram_freq epochs, each weight's histogram, in an
event file under log_dir that the tensorboard package reads."""
from __future__ import annotations

from pathlib import Path

from ..summary import SummaryWriter
from .callback import Callback


class TensorBoard(Callback):
    """Scalars are tagged with their log names ("loss", "val_accuracy", "lr"; step = epoch, 0-based); weight
    histograms "<layer>/<param>" (histogram_freq 0: none)."""

    def __init__(self, log_dir: str | Path = "logs", histogram_freq: int = 1):
        self.log_dir, self.histogram_freq = Path(log_dir), histogram_freq
        self.writer: SummaryWriter | None = None

    def on_train_begin(self, logs: dict) -> None:
        self.writer = SummaryWriter(self.log_dir)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        for key, value in logs.items():
            self.writer.add_scalar(key, value, epoch)
        if self.histogram_freq and (epoch + 1) % self.histogram_freq == 0:
            for layer in self.model.layers:
                for name, tensor in layer.params.items():
                    self.writer.add_histogram(f"{layer.name}/{name}", tensor.data, epoch)
        self.writer.flush()

    def on_train_end(self, logs: dict) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
