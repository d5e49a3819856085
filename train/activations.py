"""Activation functions (PyTorch's definitions and gradient conventions at kinks) and softmax/log_softmax."""
from __future__ import annotations

import math

import numpy as np

from .tensor import Tensor


def relu(x: Tensor) -> Tensor:
    """max(x, 0); gradient 0 at 0."""
    out = np.maximum(x.data, 0)
    return Tensor.from_op(out, (x,), lambda g: (g * (out > 0),))


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6); gradient 1 strictly inside (0, 6)."""
    d = x.data
    return Tensor.from_op(np.clip(d, 0, 6), (x,), lambda g: (g * ((d > 0) & (d < 6)),))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    d = x.data
    positive = d > 0
    return Tensor.from_op(np.where(positive, d, d * negative_slope), (x,),
                          lambda g: (np.where(positive, g, g * negative_slope),))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1)."""
    d = x.data
    positive = d > 0
    out = np.where(positive, d, alpha * np.expm1(np.minimum(d, 0)))
    return Tensor.from_op(out, (x,), lambda g: (np.where(positive, g, g * (out + alpha)),))


def _erfc(z: np.ndarray) -> np.ndarray:
    """Complementary error function, fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc), in float64."""
    z = z.astype(np.float64)
    a = np.abs(z)
    t = 1 / (1 + 0.5 * a)
    poly = (-1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    r = t * np.exp(-a * a + poly)
    return np.where(z >= 0, r, 2 - r)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (approximate="none", the erf form) or its tanh approximation (approximate="tanh")."""
    d = x.data
    if approximate == "none":
        cdf = (0.5 * _erfc(-d / math.sqrt(2))).astype(d.dtype)
        return Tensor.from_op(d * cdf, (x,), lambda g: (
            g * (cdf + d * np.exp(-0.5 * d * d) / math.sqrt(2 * math.pi)),))
    if approximate != "tanh":
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', not {approximate!r}")
    t = np.tanh(_SQRT_2_OVER_PI * (d + 0.044715 * d ** 3))
    return Tensor.from_op(0.5 * d * (1 + t), (x,), lambda g: (
        g * (0.5 * (1 + t) + 0.5 * d * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * d * d)),))


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow."""
    d = x.data
    e = np.exp(-np.abs(d))
    out = np.where(d >= 0, 1 / (1 + e), e / (1 + e))
    return Tensor.from_op(out, (x,), lambda g: (g * out * (1 - out),))


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    out = np.tanh(x.data)
    return Tensor.from_op(out, (x,), lambda g: (g * (1 - out * out),))


def hard_sigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6 (PyTorch's; ONNX HardSigmoid with alpha=1/6); gradient 1/6 strictly inside (-3, 3)."""
    d = x.data
    return Tensor.from_op(np.clip(d / 6 + 0.5, 0, 1), (x,), lambda g: (g * ((d > -3) & (d < 3)) / 6,))


def hard_swish(x: Tensor) -> Tensor:
    """x * relu6(x + 3) / 6; gradient 0 up to -3, x/3 + 1/2 strictly inside (-3, 3), 1 from 3 (like PyTorch)."""
    d = x.data
    return Tensor.from_op(d * np.clip(d + 3, 0, 6) / 6, (x,), lambda g: (
        g * np.where(d <= -3, 0, np.where(d < 3, d / 3 + 0.5, 1)).astype(d.dtype),))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along axis, shifted by the max for stability."""
    e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    return Tensor.from_op(out, (x,), lambda g: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log(sum(exp(x))) along axis, shifted by the max for stability."""
    shifted = x.data - x.data.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return Tensor.from_op(out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))
