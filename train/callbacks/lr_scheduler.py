"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch from a schedule."""
from __future__ import annotations

import inspect
from typing import Callable, Union

from .callback import Callback

EpochSchedule = Union[Callable[[int], float], Callable[[int, float], float]]


class LearningRateScheduler(Callback):
    """schedule(epoch) -> lr or schedule(epoch, current_lr) -> lr (epoch 0-based); a Schedule object works too
    (StepDecay(0.1, step_size=10) then counts epochs)."""

    def __init__(self, schedule: EpochSchedule):
        self.schedule = schedule
        try:
            self.takes_lr = len(inspect.signature(schedule).parameters) >= 2
        except (TypeError, ValueError):
            self.takes_lr = False

    def on_epoch_begin(self, epoch: int) -> None:
        optimizer = self.model.require_compiled().optimizer
        optimizer.lr = float(self.schedule(epoch, optimizer.current_lr) if self.takes_lr else self.schedule(epoch))
