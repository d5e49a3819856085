"""Pooling layers over NCHW images: MaxPool2D, AvgPool2D (padding never counts in the mean), GlobalAvgPool2D.

padding: "valid", "same" (output ceil(in / stride)), an int, (ph, pw) or (top, bottom, left, right); padded
positions never win a max and never count in a mean (like Keras and ONNX count_include_pad=0).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from ..windows import Pads, conv_pads, pair
from .layer import Layer, LayerShapeError, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


def _counts(size: int, kernel: int, stride: int, before: int, after: int) -> np.ndarray:
    """How many real (unpadded) positions each window along one axis covers."""
    out = (size + before + after - kernel) // stride + 1
    start = np.arange(out) * stride - before
    return np.minimum(start + kernel, size) - np.maximum(start, 0)


class _Pool2D(Layer):
    """Window geometry shared by the two pools."""

    onnx_op = ""

    def __init__(self, pool_size: int | tuple[int, int] = 2, strides: int | tuple[int, int] | None = None,
                 padding: str | int | tuple = "valid", name: str | None = None):
        super().__init__(name)
        self.pool_size = pair(pool_size)
        self.strides = self.pool_size if strides is None else pair(strides)
        self.padding = padding
        self.pads: Pads = (0, 0, 0, 0)

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        shape = input_shapes[0]
        if len(shape) != 3:
            raise LayerShapeError(f"layer {self.name!r} takes images [C, H, W] per sample, got {shape}")
        self.pads = conv_pads(self.padding, self.pool_size, self.strides, (1, 1), shape[1:])
        if any(p >= k for p, k in zip(self.pads, (self.pool_size[0],) * 2 + (self.pool_size[1],) * 2)):
            raise LayerShapeError(f"layer {self.name!r}: pads {self.pads} reach a whole window {self.pool_size}")

    def padded(self, x: Tensor, fill: float) -> Tensor:
        """x [N, C, H, W] with the pads filled by fill (x itself without pads)."""
        t, b, l, r = self.pads
        return F.pad(x, [(0, 0), (0, 0), (t, b), (l, r)], fill) if any(self.pads) else x

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        t, b, l, r = self.pads
        extra = {"count_include_pad": 0} if self.onnx_op == "AveragePool" else {}
        return graph.node(self.onnx_op, inputs, self.name, kernel_shape=list(self.pool_size),
                          strides=list(self.strides), pads=[t, l, b, r], **extra)


class MaxPool2D(_Pool2D):
    """x [N, C, H, W] -> the max of each pool_size window, [N, C, OH, OW] (strides default to pool_size)."""

    onnx_op = "MaxPool"

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.max_pool2d(self.padded(inputs[0], -np.inf), self.pool_size, self.strides)


class AvgPool2D(_Pool2D):
    """x [N, C, H, W] -> the mean of the real positions of each window, [N, C, OH, OW]."""

    onnx_op = "AveragePool"

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        super().build(input_shapes, rng)
        t, b, l, r = self.pads
        h, w = input_shapes[0][1:]
        counts = np.outer(_counts(h, self.pool_size[0], self.strides[0], t, b),
                          _counts(w, self.pool_size[1], self.strides[1], l, r))
        self.rescale = (self.pool_size[0] * self.pool_size[1] / counts).astype(np.float32)  # [OH, OW]

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        y = F.avg_pool2d(self.padded(inputs[0], 0.0), self.pool_size, self.strides)
        return F.mul(y, self.rescale) if any(self.pads) else y


class GlobalAvgPool2D(Layer):
    """x [N, C, H, W] -> the mean over H and W: [N, C] (or [N, C, 1, 1] with keepdims)."""

    def __init__(self, keepdims: bool = False, name: str | None = None):
        super().__init__(name)
        self.keepdims = keepdims

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        if len(input_shapes[0]) != 3:
            raise LayerShapeError(f"layer {self.name!r} takes images [C, H, W] per sample, got {input_shapes[0]}")

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.mean(inputs[0], axis=(2, 3), keepdims=self.keepdims)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        if self.keepdims:
            return graph.node("GlobalAveragePool", inputs, self.name)
        pooled = graph.node("GlobalAveragePool", inputs, f"{self.name}/pooled")
        return graph.node("Flatten", [pooled], self.name, axis=1)
