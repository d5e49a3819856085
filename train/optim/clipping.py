"""Gradient clipping, in place, with PyTorch's rules: by global norm (clip_grad_norm_) and by value."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> float:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), total_norm the 2-norm of all of them
    together; returns total_norm (before clipping)."""
    total = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g *= np.float32(factor) if g.dtype == np.float32 else factor
    return total


def clip_grad_value(grads: Sequence[np.ndarray], clip_value: float) -> None:
    """Clamp every gradient element to [-clip_value, clip_value]."""
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)
