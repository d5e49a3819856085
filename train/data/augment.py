"""Simple augmentation of NCHW image batches: random shifts, random crops (after padding), Gaussian noise.

Each takes (images, rng) and returns a new batch, so they compose and fit's `augment=` can take one directly.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def random_crop(images: np.ndarray, size: tuple[int, int], rng: np.random.Generator, padding: int = 0) -> np.ndarray:
    """images [N, C, H, W] zero-padded by padding on every side, then one random size window per image:
    -> [N, C, *size]."""
    n, c, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if padding else images
    room_h, room_w = h + 2 * padding - size[0], w + 2 * padding - size[1]
    if room_h < 0 or room_w < 0:
        raise ValueError(f"crop {size} is larger than the padded images {padded.shape[2:]}")
    windows = sliding_window_view(padded, size, axis=(2, 3))  # [N, C, room_h + 1, room_w + 1, *size]
    tops, lefts = rng.integers(0, room_h + 1, n), rng.integers(0, room_w + 1, n)
    return np.ascontiguousarray(windows[np.arange(n), :, tops, lefts])


def random_shift(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each image [C, H, W] of the batch moved by up to max_shift pixels along H and along W, zeros filling in."""
    return random_crop(images, images.shape[2:], rng, padding=max_shift)


def gaussian_noise(x: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """x + N(0, std^2) noise, same dtype."""
    return x + rng.normal(0, std, x.shape).astype(x.dtype)


def compose(*steps: Augment) -> Augment:
    """One augmentation applying steps in order."""
    def run(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        for step in steps:
            images = step(images, rng)
        return images
    return run


def shift_and_noise(max_shift: int = 0, noise_std: float = 0.0) -> Augment:
    """An augmentation: random_shift by max_shift (if > 0), then gaussian_noise of noise_std (if > 0)."""
    steps: list[Augment] = []
    if max_shift:
        steps.append(lambda x, rng: random_shift(x, max_shift, rng))
    if noise_std:
        steps.append(lambda x, rng: gaussian_noise(x, noise_std, rng))
    return compose(*steps)
