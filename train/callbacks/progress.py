"""ProgressBar: fit's tqdm display (verbose=1: a bar per epoch with loss, metrics and samples/s; verbose=2: one
line per epoch)."""
from __future__ import annotations

import time

from tqdm import tqdm

from .callback import Callback


BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"


def _format(logs: dict, keys) -> str:
    return "  ".join(f"{k} {logs[k]:.4f}" for k in keys if k in logs)


class ProgressBar(Callback):
    """Shows training progress on stderr."""

    def __init__(self, verbose: int = 1):
        self.verbose = verbose
        self.bar: tqdm | None = None
        self.epochs = self.samples = 0
        self.started = 0.0
        self.seen = 0

    def on_train_begin(self, logs: dict) -> None:
        self.epochs, self.samples = logs["epochs"], logs["samples"]

    def on_epoch_begin(self, epoch: int) -> None:
        self.started, self.seen = time.perf_counter(), 0
        if self.verbose == 1:
            self.bar = tqdm(total=self.samples, desc=f"epoch {epoch + 1}/{self.epochs}", leave=True,
                            dynamic_ncols=True, bar_format=BAR_FORMAT)

    def _rate(self) -> float:
        return self.seen / max(time.perf_counter() - self.started, 1e-9)

    def on_batch_end(self, batch: int, logs: dict) -> None:
        self.seen += logs["size"]
        if self.bar is not None:
            self.bar.update(logs["size"])
            self.bar.set_postfix_str(f"{_format(logs, [k for k in logs if k not in ('size', 'lr')])}  "
                                     f"{self._rate():,.0f} samples/s", refresh=False)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        line = f"{_format(logs, [k for k in logs if k != 'lr'])}  {self._rate():,.0f} samples/s"
        if self.bar is not None:
            self.bar.set_postfix_str(line)
            self.bar.close()
            self.bar = None
        elif self.verbose == 2:
            tqdm.write(f"epoch {epoch + 1}/{self.epochs}  {line}")
