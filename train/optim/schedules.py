"""Learning-rate schedules: callables from a step count (optimizer steps, or epochs when a LearningRateScheduler
callback drives them) to a learning rate, with PyTorch's formulas (StepLR, CosineAnnealingLR, LinearLR warmup)."""
from __future__ import annotations

import math
from typing import Callable, Union


class Schedule:
    """lr = schedule(step), step = 0, 1, 2, ..."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError


LearningRate = Union[float, Schedule, Callable[[int], float]]


class StepDecay(Schedule):
    """lr * gamma ** (step // step_size) (torch.optim.lr_scheduler.StepLR)."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr, self.step_size, self.gamma = lr, int(step_size), gamma

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


class CosineDecay(Schedule):
    """From lr down to min_lr over total_steps along half a cosine, then min_lr (CosineAnnealingLR's closed form):
    min_lr + (lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2."""

    def __init__(self, lr: float, total_steps: int, min_lr: float = 0.0):
        self.lr, self.total_steps, self.min_lr = lr, int(total_steps), min_lr

    def __call__(self, step: int) -> float:
        progress = min(step, self.total_steps) / self.total_steps
        return self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2


class Warmup(Schedule):
    """A linear warmup over warmup_steps, then `after` (a float or a schedule restarted at step 0).

    During warmup lr = after(0) * (start_factor + (1 - start_factor) * step / warmup_steps) (LinearLR).
    """

    def __init__(self, after: LearningRate, warmup_steps: int, start_factor: float = 0.0):
        self.after, self.warmup_steps, self.start_factor = after, int(warmup_steps), start_factor

    def _after(self, step: int) -> float:
        return self.after(step) if callable(self.after) else float(self.after)

    def __call__(self, step: int) -> float:
        if step >= self.warmup_steps:
            return self._after(step - self.warmup_steps)
        return self._after(0) * (self.start_factor + (1 - self.start_factor) * step / self.warmup_steps)
