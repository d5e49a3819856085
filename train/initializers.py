"""Weight initializers (He and Glorot, normal and uniform; zeros, ones), drawn from a given numpy Generator.

Fans follow PyTorch and Keras: a weight [fan_in, fan_out] (Dense) or [O, I, KH, KW] (conv, OIHW) has
fan_in = I*KH*KW and fan_out = O*KH*KW; a transposed conv's [I, O, KH, KW] swaps them (fan_layout="io").
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Initializer = Callable[[tuple[int, ...], np.random.Generator, str], np.ndarray]


def fans(shape: tuple[int, ...], layout: str = "oi") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: [in, out] for 2-D; [O, I, *kernel] (layout "oi") or [I, O, *kernel] ("io")."""
    if len(shape) == 2:
        return shape[0], shape[1]
    field = int(np.prod(shape[2:]))
    first, second = shape[0] * field, shape[1] * field
    return (second, first) if layout == "oi" else (first, second)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """N(0, 2 / fan_in), for ReLU networks."""
    return (rng.standard_normal(shape) * np.sqrt(2 / fans(shape, layout)[0])).astype(np.float32)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """U(-sqrt(6 / fan_in), sqrt(6 / fan_in))."""
    limit = np.sqrt(6 / fans(shape, layout)[0])
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def glorot_normal(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """N(0, 2 / (fan_in + fan_out))."""
    return (rng.standard_normal(shape) * np.sqrt(2 / sum(fans(shape, layout)))).astype(np.float32)


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """U(-sqrt(6 / (fan_in + fan_out)), +sqrt(...)), Keras's default."""
    limit = np.sqrt(6 / sum(fans(shape, layout)))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def zeros(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """All 0."""
    return np.zeros(shape, np.float32)


def ones(shape: tuple[int, ...], rng: np.random.Generator, layout: str = "oi") -> np.ndarray:
    """All 1."""
    return np.ones(shape, np.float32)


INITIALIZERS: dict[str, Initializer] = {f.__name__: f for f in (
    he_normal, he_uniform, glorot_normal, glorot_uniform, zeros, ones)}


def get_initializer(spec: str | Initializer) -> Initializer:
    """An initializer by name (see INITIALIZERS) or the callable itself."""
    if callable(spec):
        return spec
    if spec not in INITIALIZERS:
        raise ValueError(f"unknown initializer {spec!r}; known: {', '.join(INITIALIZERS)}")
    return INITIALIZERS[spec]
