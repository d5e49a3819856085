"""Inverted dropout: zero each element with probability p in training and scale the rest by 1 / (1 - p)."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor


def dropout(x: Tensor, p: float, training: bool, rng: np.random.Generator | None = None) -> Tensor:
    """x [*] with elements zeroed with probability p by rng and the rest scaled by 1 / (1 - p); x itself in eval."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability must be in [0, 1], not {p}")
    if not training or p == 0:
        return x
    if rng is None:
        raise ValueError("dropout in training needs an rng (numpy Generator)")
    keep = rng.random(x.shape, dtype=np.float32) >= p
    scale = (keep * (1 / (1 - p) if p < 1 else 0)).astype(x.dtype)
    return Tensor.from_op(x.data * scale, (x,), lambda g: (g * scale,))
