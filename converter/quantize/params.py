"""The arithmetic of the TFLite int8 quantization spec: activation scale/zero point from a range, per-channel
symmetric weights, int32 biases.

Activations (TFLite's post-training quantizer, GetAsymmetricQuantizationParams, in float32): the range is widened to
include 0, scale = (max - min) / 255, zero_point = round_half_away(-128 - min / scale) clamped to [-128, 127].
Weights: per output channel, scale = max|w| / 127, q = round_half_away(w * (1 / scale)) clamped to [-127, 127],
zero point 0. Biases: int32, scale = input_scale * weight_scale[c], zero point 0.
Every scale is returned as the float32 value a .tlet file stores, widened to a Python float.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.reference.fixedpoint import round_half_away

INT8_MIN, INT8_MAX = -128, 127
WEIGHT_MAX = 127                 # symmetric weights use [-127, 127]
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
MIN_SCALE = 2.0 ** -24           # smallest activation scale chosen (int8 LOGISTIC/TANH/SOFTMAX need >= ~2^-26)
DEGENERATE_RANGE = (0.0, 1.0)    # range used for a tensor that was only ever 0


def f32(value: float) -> float:
    """value rounded to float32 (what the file stores), as a Python float."""
    return float(np.float32(value))



def activation_params(min_value: float, max_value: float) -> tuple[float, int]:
    """(scale, zero_point) of an asymmetric per-tensor int8 activation covering [min_value, max_value].

    The range always includes 0; TFLite's nudging in float32: zero_point_from_min = -128 - min / scale, clamped to
    [-128, 127] and rounded half away from zero. A range of a single point (all zeros) uses [0, 1]; a scale below
    MIN_SCALE is widened to it (the range scaled up around 0).
    """
    lo = np.float32(min(float(min_value), 0.0))
    hi = np.float32(max(float(max_value), 0.0))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"activation range [{min_value}, {max_value}] is not finite")
    if hi == lo:
        lo, hi = np.float32(DEGENERATE_RANGE[0]), np.float32(DEGENERATE_RANGE[1])
    scale = (hi - lo) / np.float32(INT8_MAX - INT8_MIN)
    if scale < MIN_SCALE:
        factor = np.float32(MIN_SCALE / float(scale)) * np.float32(1.0001)
        lo, hi = lo * factor, hi * factor
        scale = (hi - lo) / np.float32(INT8_MAX - INT8_MIN)
    zero_point_from_min = np.float32(INT8_MIN) - lo / scale
    if zero_point_from_min < INT8_MIN:
        zero_point = INT8_MIN
    elif zero_point_from_min > INT8_MAX:
        zero_point = INT8_MAX
    else:
        zero_point = int(round_half_away(zero_point_from_min))
    return float(scale), zero_point


def params_range(scale: float, zero_point: int) -> tuple[float, float]:
    """The real interval [min, max] that (scale, zero_point) represents."""
    return scale * (INT8_MIN - zero_point), scale * (INT8_MAX - zero_point)


def widened(params: tuple[float, int], min_scale: float) -> tuple[float, int]:
    """params with the scale raised to at least min_scale (the range grown around 0, zero point re-nudged)."""
    scale, zero_point = params
    if scale >= min_scale:
        return params
    lo, hi = params_range(scale, zero_point)
    factor = min_scale / scale * 1.001
    return activation_params(lo * factor, hi * factor)


def _channels_first(w: np.ndarray, axis: int) -> np.ndarray:
    """w: any shape -> [C, rest] float32 with the channels of `axis` first."""
    return np.moveaxis(np.asarray(w, dtype=np.float32), axis, 0).reshape(w.shape[axis], -1)


def weight_scales(w: np.ndarray, axis: int) -> list[float]:
    """Per-channel symmetric scales along `axis`: max|w[c]| / 127 in float32. An all-zero channel (any scale
    represents it) takes the largest scale of the tensor, or 1/127 when the whole tensor is 0."""
    absmax = np.abs(_channels_first(w, axis)).max(axis=1)
    scales = absmax / np.float32(WEIGHT_MAX)
    fallback = scales.max() if scales.max() > 0 else np.float32(1.0 / WEIGHT_MAX)
    return [f32(s) if s > 0 else f32(fallback) for s in scales]


def quantize_weights(w: np.ndarray, axis: int, scales: list[float] | None = None) -> tuple[np.ndarray, list[float]]:
    """w: float32 any shape -> (int8 same shape, per-channel scales along axis), symmetric, zero points 0.

    q = round_half_away(w * float32(1 / scale[c])) clamped to [-127, 127]; `scales` overrides the max|w| / 127
    default (e.g. raised so that a bias fits int32).
    """
    scales = weight_scales(w, axis) if scales is None else [f32(s) for s in scales]
    shape = [1] * w.ndim
    shape[axis] = -1
    inverse = np.asarray([np.float32(1.0 / s) for s in scales], np.float32).reshape(shape)
    q = round_half_away(np.asarray(w, np.float32) * inverse)
    return np.clip(q, -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8), scales


def bias_scales(input_scale: float, w_scales: list[float]) -> list[float]:
    """The int32 bias scale of each output channel: input_scale * weight_scale[c] (float32)."""
    return [f32(np.float32(input_scale) * np.float32(s)) for s in w_scales]


def scales_for_bias(bias: np.ndarray | None, input_scale: float, w_scales: list[float]) -> list[float]:
    """Weight scales raised where needed so that every bias value fits int32 at input_scale * weight_scale
    (a bias that large is rare: it means tiny weights next to a large bias)."""
    if bias is None:
        return list(w_scales)
    limit = INT32_MAX / 2.0
    return [max(s, f32(abs(float(b)) / (input_scale * limit))) for s, b in zip(w_scales, np.ravel(bias))]


def quantize_bias(bias: np.ndarray, input_scale: float, w_scales: list[float]) -> tuple[np.ndarray, list[float]]:
    """bias: float32 [C] -> (int32 [C], scales [C]) with scale[c] = input_scale * weight_scale[c], zero point 0."""
    scales = bias_scales(input_scale, w_scales)
    q = round_half_away(np.asarray(bias, np.float64) / np.asarray(scales, np.float64))
    return np.clip(q, INT32_MIN, INT32_MAX).astype(np.int32), scales


def quantize_array(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """float array -> int8: round_half_away(float32(x / scale)) + zero_point, clamped (as the QUANTIZE op)."""
    from tensorlet.converter.reference.ops.quantize import affine_quantize
    with np.errstate(invalid="ignore", over="ignore"):
        return affine_quantize(np.asarray(x, np.float32), scale, zero_point)


def dequantize_array(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """int8 array -> float32: scale * (q - zero_point) (as the DEQUANTIZE op)."""
    from tensorlet.converter.reference.ops.dequantize import dequantize
    return dequantize(np.asarray(q), scale, zero_point)
