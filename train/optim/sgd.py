"""SGD with momentum, dampening, Nesterov and L2 weight decay: torch.optim.SGD's update, step for step."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer
from .schedules import LearningRate


class SGD(Optimizer):
    """g += weight_decay * p; buf = g on the first step, else momentum * buf + (1 - dampening) * g;
    g = g + momentum * buf (nesterov) or buf; p -= lr * g."""

    slots = ("momentum_buffer",)

    def __init__(self, lr: LearningRate = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening 0")
        super().__init__(lr, clipnorm, clipvalue)
        self.momentum, self.dampening, self.nesterov, self.weight_decay = momentum, dampening, nesterov, weight_decay

    def update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if self.momentum:
            buffers = self.state["momentum_buffer"]
            if buffers[index] is None:
                buffers[index] = grad.copy()
            else:
                buffers[index] *= self.momentum
                buffers[index] += (1 - self.dampening) * grad
            grad = grad + self.momentum * buffers[index] if self.nesterov else buffers[index]
        param -= lr * grad
