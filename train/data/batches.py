"""Seeded batch iteration: the index batches of one epoch, and the arrays sliced by them."""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np


def batch_indices(count: int, batch_size: int, rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
    """Indices [<= batch_size] covering range(count) once: in order, or shuffled by rng; the last may be short."""
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, not {batch_size}")
    order = rng.permutation(count) if rng is not None else np.arange(count)
    for start in range(0, count, batch_size):
        yield order[start:start + batch_size]


def batches(arrays: Sequence[np.ndarray], batch_size: int, shuffle: bool = False,
            seed: int | None = None) -> Iterator[list[np.ndarray]]:
    """The same rows of every array [count, ...] batch by batch, shuffled by default_rng(seed) if asked."""
    count = len(arrays[0])
    if any(len(a) != count for a in arrays):
        raise ValueError(f"arrays hold different sample counts: {[len(a) for a in arrays]}")
    rng = np.random.default_rng(seed) if shuffle else None
    for index in batch_indices(count, batch_size, rng):
        yield [a[index] for a in arrays]
