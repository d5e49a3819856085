"""Constant operands of the weight-bearing ops (the filters and bias of CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
FULLY_CONNECTED) as a lowering rearranges them: float values, or integers with their scales, whose quantized axis
follows every transpose, reshape, slice and broadcast. An int8 lowering stores the filters as symmetric int8
quantized along the op's output-channel axis, and the bias as int32 of scale input_scale * filter_scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.qdq_params import Affine

if TYPE_CHECKING:
    from tensorlet.converter.onnx_import.builder import Builder

INT8_WEIGHT_MAX = 127
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
BIAS_SCALE_RTOL = 1e-6  # a given bias scale equal to input_scale * filter_scale up to float32 rounding is kept


@dataclass(frozen=True)
class Weights:
    """Float values (scale None), or integers with real = scale * values: one scale (axis -1) or one per index
    along `axis`."""

    values: np.ndarray
    scale: np.ndarray | None = None  # float64 [1] or [values.shape[axis]]
    axis: int = -1

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def quantized(self) -> bool:
        return self.scale is not None

    def _moved(self, values: np.ndarray, axis: int) -> Weights:
        return Weights(values, self.scale, axis if self.quantized and self.axis >= 0 else -1)

    def transpose(self, perm) -> Weights:
        perm = tuple(int(p) for p in perm)
        return self._moved(self.values.transpose(perm), perm.index(self.axis) if self.axis >= 0 else -1)

    def reshape(self, shape) -> Weights:
        """The same elements in another shape; the quantized axis must survive as one axis at the same place in
        the row-major order."""
        values = self.values.reshape(shape)
        if self.axis < 0:
            return self._moved(values, -1)
        before, size = math.prod(self.shape[:self.axis]), self.shape[self.axis]
        for axis, dim in enumerate(values.shape):
            if dim == size and math.prod(values.shape[:axis]) == before:
                return self._moved(values, axis)
        raise ValueError(f"reshaping weights {list(self.shape)} to {list(values.shape)} splits or merges their "
                         f"quantized axis {self.axis}")

    def take(self, axis: int, indices) -> Weights:
        """The entries at `indices` along `axis` (their scales too when it is the quantized axis)."""
        indices = np.asarray(indices, np.int64)
        values = np.take(self.values, indices, axis=axis)
        if axis == self.axis:
            return Weights(values, self.scale[indices], axis)
        return self._moved(values, self.axis)

    def broadcast_to(self, shape) -> Weights:
        values = np.broadcast_to(self.values, tuple(shape))
        return self._moved(values, self.axis + values.ndim - self.values.ndim if self.axis >= 0 else -1)

    def scaled(self, factor: float) -> Weights:
        """Every real value times `factor` (the scales for integers)."""
        if self.quantized:
            return Weights(self.values, self.scale * factor, self.axis)
        return Weights(self.values.astype(np.float64) * factor)

    def real(self) -> np.ndarray:
        """float64 values: the dequantized integers, or the float values."""
        if not self.quantized:
            return self.values.astype(np.float64)
        shape = [1] * self.values.ndim
        if self.axis >= 0:
            shape[self.axis] = -1
        return self.values.astype(np.float64) * self.scale.reshape(shape)


def symmetric(real: np.ndarray, axis: int) -> Weights:
    """float [..] -> int8 symmetric weights, scale max|x| / 127 per index along `axis` (one scale when -1)."""
    real = np.asarray(real, np.float64)
    others = tuple(a for a in range(real.ndim) if a != axis)
    largest = np.max(np.abs(real), axis=others if axis >= 0 else None, keepdims=True)
    scale = np.where(largest > 0, largest / INT8_WEIGHT_MAX, 1.0).astype(np.float32).astype(np.float64)
    values = np.clip(np.rint(real / scale), -INT8_WEIGHT_MAX, INT8_WEIGHT_MAX).astype(np.int8)
    return Weights(values, scale.ravel(), axis if scale.size > 1 else -1)


def from_dequantized(values: np.ndarray, affine: Affine) -> Weights:
    """A DequantizeLinear'd constant as integer Weights with zero point 0: int32 (a bias) widened exactly, int8 or
    uint8 shifted by its zero point when that stays inside int8, else requantized symmetric."""
    shape = [1] * values.ndim
    if affine.axis >= 0:
        shape[affine.axis] = -1
    centered = values.astype(np.int64) - affine.zero_point.reshape(shape)
    scale = affine.scale.astype(np.float64)
    if values.dtype == np.int32:
        return Weights(centered, scale, affine.axis)
    if centered.min(initial=0) >= -128 and centered.max(initial=0) <= 127:
        return Weights(centered.astype(np.int8), scale, affine.axis)
    return symmetric(Weights(centered, scale, affine.axis).real(), affine.axis)


def quantization(scale: np.ndarray, axis: int) -> ir.Quantization:
    """Symmetric quantization (zero points 0) with float32 scales; per tensor when there is one scale."""
    scales = [float(np.float32(s)) for s in np.ravel(scale)]
    return ir.Quantization(scale=scales, zero_point=[0] * len(scales), axis=axis if len(scales) > 1 else -1)


def filter_tensor(ctx: Builder, weights: Weights, name: str, axis: int) -> int:
    """The constant tensor of an op's filters whose output channels lie along `axis`: float32, or in an int8
    lowering (ctx.int8) symmetric int8 quantized along `axis` (float filters are quantized here)."""
    if not ctx.int8:
        return ctx.constant_tensor(name, weights.values)
    if not weights.quantized:
        weights = symmetric(weights.values, axis)
    if weights.axis not in (-1, axis) or weights.values.dtype != np.int8:
        raise ValueError(f"weights {name!r} are {weights.values.dtype} quantized along axis {weights.axis}; the op "
                         f"needs int8 weights quantized per tensor or along axis {axis} (its output channels)")
    data = np.ascontiguousarray(weights.values)
    return ctx.new_tensor(name, data.shape, data, ir.DType.INT8, quantization(weights.scale, axis))


def bias_tensor(ctx: Builder, bias: Weights | None, name: str, x: int, filters: int) -> int:
    """The bias tensor ([C]) of an op reading tensor `x` with filter tensor `filters`, or -1 when absent: float32,
    or in an int8 lowering int32 of scale x_scale * filter_scale[c] (a given int32 bias of that scale kept as is,
    any other requantized)."""
    if bias is None:
        return -1
    if not ctx.int8:
        return ctx.constant_tensor(name, bias.values)
    channels = bias.shape[0]
    target = float(ctx.tensors[x].quantization.scale[0]) * np.broadcast_to(
        np.asarray(ctx.tensors[filters].quantization.scale, np.float64), (channels,))
    given = np.broadcast_to(bias.scale, (channels,)) if bias.quantized else None
    if given is not None and np.allclose(given, target, rtol=BIAS_SCALE_RTOL, atol=0):
        values = bias.values.astype(np.int64)
    else:
        values = np.rint(bias.real() / target)
    data = np.clip(values, INT32_MIN, INT32_MAX).astype(np.int32)
    return ctx.new_tensor(name, data.shape, data, ir.DType.INT32, quantization(target, 0))


def constant_weights(ctx: Builder, name: str) -> Weights:
    """The constant `name` as Weights: in an int8 lowering a DequantizeLinear'd constant keeps its integers and
    scales (see from_dequantized); otherwise its float values."""
    if ctx.int8 and name in ctx.quantized_constants:
        return ctx.quantized_constants[name]
    return Weights(ctx.constant(name))
