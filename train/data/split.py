"""Train/validation (or train/test) splits, seeded."""
from __future__ import annotations

import numpy as np


def train_val_split(x: np.ndarray, y: np.ndarray, validation: float | int = 0.2, seed: int = 0,
                    shuffle: bool = True) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((x_train, y_train), (x_val, y_val)): validation is a fraction (0, 1) or a sample count; the rows are
    shuffled by default_rng(seed) first (or the last ones are held out when shuffle is False)."""
    count = len(x)
    if len(y) != count:
        raise ValueError(f"x has {count} samples, y {len(y)}")
    held = int(round(validation * count)) if isinstance(validation, float) else int(validation)
    if not 0 < held < count:
        raise ValueError(f"validation {validation} leaves no training or no validation samples of {count}")
    order = np.random.default_rng(seed).permutation(count) if shuffle else np.arange(count)
    train, val = order[:count - held], order[count - held:]
    return (x[train], y[train]), (x[val], y[val])
