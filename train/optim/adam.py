"""Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay): torch.optim.Adam/AdamW's
update, step for step."""
from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer
from .schedules import LearningRate


class Adam(Optimizer):
    """m += (1 - b1)(g - m); v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),
    with g += weight_decay * p first."""

    slots = ("exp_avg", "exp_avg_sq")
    decoupled = False

    def __init__(self, lr: LearningRate = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8,
                 weight_decay: float = 0.0, clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(lr, clipnorm, clipvalue)
        self.beta_1, self.beta_2, self.epsilon, self.weight_decay = beta_1, beta_2, epsilon, weight_decay

    def update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        if self.weight_decay and self.decoupled:
            param *= 1 - lr * self.weight_decay
        elif self.weight_decay:
            grad = grad + self.weight_decay * param
        m, v = self.slot("exp_avg", index, param), self.slot("exp_avg_sq", index, param)
        scratch = grad - m
        scratch *= 1 - self.beta_1
        m += scratch
        v *= self.beta_2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - self.beta_2
        v += scratch
        t = self.iterations
        step_size = lr / (1 - self.beta_1 ** t)
        np.sqrt(v, out=scratch)
        scratch /= math.sqrt(1 - self.beta_2 ** t)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        scratch *= step_size
        param -= scratch


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr * weight_decay before the Adam step (default 0.01)."""

    decoupled = True

    def __init__(self, lr: LearningRate = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8,
                 weight_decay: float = 0.01, clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(lr, beta_1, beta_2, epsilon, weight_decay, clipnorm, clipvalue)
