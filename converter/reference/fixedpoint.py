"""TFLite's integer arithmetic, vectorized: the primitives every int8 kernel's requantization is built from.

Arrays are int64 holding int32 values, so every intermediate is exact; results are int32 values as int64.
Semantics follow TFLite's reference kernels with the default double rounding (gemmlowp's SRDHM then RDBPOT).
"""
from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap_int32(x: np.ndarray) -> np.ndarray:
    """Two's-complement wrap of int64 values into int32 range (what C int32 arithmetic does on overflow)."""
    x = np.asarray(x, dtype=np.int64)
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def saturating_rounding_doubling_high_mul(a, b) -> np.ndarray:
    """round(a * b / 2^31) with ties away from zero; the only overflow, INT32_MIN^2, saturates to INT32_MAX."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    product = a * b
    nudged = product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(nudged >= 0, nudged >> 31, -((-nudged) >> 31))  # C division truncates toward zero
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, high)


def rounding_divide_by_pot(x, exponent) -> np.ndarray:
    """x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31], may be per element."""
    x = np.asarray(x, dtype=np.int64)
    exponent = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift) -> np.ndarray:
    """x * multiplier * 2^shift / 2^31 as TFLite computes it: left shift (int32 wrap), SRDHM, then RDBPOT."""
    shift = np.asarray(shift, dtype=np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    shifted = wrap_int32(np.asarray(x, dtype=np.int64) << left)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def tflite_round(x: float) -> float:
    """Round half away from zero (C's round, TfLiteRound)."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


def round_half_away(x) -> np.ndarray:
    """tflite_round of every element: any float array -> float64 array (exact for float32 input)."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_multiplier(real_multiplier: float) -> tuple[int, int]:
    """(Q31 multiplier, shift) with real = multiplier * 2^shift / 2^31, as TFLite's QuantizeMultiplier."""
    if real_multiplier == 0.0:
        return 0, 0
    fraction, shift = math.frexp(real_multiplier)
    q = int(tflite_round(fraction * (1 << 31)))
    if q == 1 << 31:
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q, shift

