"""RMSprop (optionally centered, with momentum and L2 weight decay): torch.optim.RMSprop's update, step for step."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer
from .schedules import LearningRate


class RMSprop(Optimizer):
    """s = rho s + (1 - rho) g^2; avg = sqrt(s - mean_g^2 (centered) or s) + eps;
    p -= lr * g / avg, or with momentum buf = momentum * buf + g / avg and p -= lr * buf."""

    slots = ("square_avg", "grad_avg", "momentum_buffer")

    def __init__(self, lr: LearningRate = 0.01, rho: float = 0.99, epsilon: float = 1e-8, momentum: float = 0.0,
                 centered: bool = False, weight_decay: float = 0.0, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(lr, clipnorm, clipvalue)
        self.rho, self.epsilon, self.momentum, self.centered = rho, epsilon, momentum, centered
        self.weight_decay = weight_decay

    def update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        square = self.slot("square_avg", index, param)
        square *= self.rho
        square += (1 - self.rho) * grad * grad
        if self.centered:
            mean = self.slot("grad_avg", index, param)
            mean += (1 - self.rho) * (grad - mean)
            avg = np.sqrt(square - mean * mean)
        else:
            avg = np.sqrt(square)
        avg += self.epsilon
        if self.momentum > 0:
            buffer = self.slot("momentum_buffer", index, param)
            buffer *= self.momentum
            buffer += grad / avg
            param -= lr * buffer
        else:
            param -= lr * (grad / avg)
