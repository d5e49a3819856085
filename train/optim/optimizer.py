"""Optimizer: the base of SGD, Adam, AdamW and RMSprop. It owns the parameters it was bound to, a per-parameter
state (named slots of arrays, created lazily like PyTorch's), the step count and the learning rate (a float or a
schedule of the step count), and clips gradients before each update."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..tensor import Tensor
from .clipping import clip_grad_norm, clip_grad_value
from .schedules import LearningRate


class Optimizer:
    """Update rule base: subclasses list their state `slots` and implement update().

    clipnorm: clip the gradients' global 2-norm to this (torch.nn.utils.clip_grad_norm_);
    clipvalue: clamp every gradient element to [-clipvalue, clipvalue]. Both happen before the update.
    """

    slots: tuple[str, ...] = ()

    def __init__(self, lr: LearningRate, clipnorm: float | None = None, clipvalue: float | None = None):
        self.lr = lr
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self.iterations = 0
        self.params: list[Tensor] = []
        self.state: dict[str, list[np.ndarray | None]] = {}

    def bind(self, params: Sequence[Tensor]) -> "Optimizer":
        """Own these parameters (fresh state, step count 0); returns self."""
        self.params = list(params)
        self.state = {slot: [None] * len(self.params) for slot in self.slots}
        self.iterations = 0
        return self

    @property
    def current_lr(self) -> float:
        """The learning rate of the next step."""
        return float(self.lr(self.iterations)) if callable(self.lr) else float(self.lr)

    def zero_grad(self) -> None:
        """Drop every parameter's gradient."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Clip, then update every parameter that has a gradient, in place; counts one step."""
        live = [(i, p) for i, p in enumerate(self.params) if p.grad is not None]
        grads = [p.grad for _, p in live]
        if self.clipvalue is not None:
            clip_grad_value(grads, self.clipvalue)
        if self.clipnorm is not None:
            clip_grad_norm(grads, self.clipnorm)
        lr = self.current_lr
        self.iterations += 1
        for (i, p), g in zip(live, grads):
            self.update(i, p.data, g, lr)

    def update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Update param (in place) from grad; self.iterations is already this step's number (1 for the first)."""
        raise NotImplementedError

    def slot(self, name: str, index: int, like: np.ndarray) -> np.ndarray:
        """The state array name of parameter index, created as zeros like param on first use."""
        arrays = self.state[name]
        if arrays[index] is None:
            arrays[index] = np.zeros_like(like)
        return arrays[index]

    # --- checkpoints ---------------------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every array needed to continue exactly: the step count, a float learning rate, the state slots."""
        out = {"iterations": np.array(self.iterations, np.int64)}
        if not callable(self.lr):
            out["lr"] = np.array(self.lr, np.float64)
        for name, arrays in self.state.items():
            out.update({f"{name}/{i}": a for i, a in enumerate(arrays) if a is not None})
        return out

    def load_state_dict(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore what state_dict wrote, for the same parameters (shapes are checked)."""
        self.iterations = int(arrays["iterations"])
        if "lr" in arrays and not callable(self.lr):
            self.lr = float(arrays["lr"])
        self.state = {slot: [None] * len(self.params) for slot in self.slots}
        for key, value in arrays.items():
            name, _, index = key.partition("/")
            if not index:
                continue
            if name not in self.state or int(index) >= len(self.params):
                raise ValueError(f"optimizer state {key!r} does not fit {type(self).__name__} with "
                                 f"{len(self.params)} parameters")
            if value.shape != self.params[int(index)].shape:
                raise ValueError(f"optimizer state {key!r} has shape {value.shape}, the parameter "
                                 f"{self.params[int(index)].shape}")
            self.state[name][int(index)] = value.astype(self.params[int(index)].dtype, copy=True)
