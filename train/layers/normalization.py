"""Normalization layers: BatchNorm over axis 1 (channels; PyTorch's momentum convention) and LayerNorm over the
last axes. BatchNorm exports in inference form: ONNX BatchNormalization with the running statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .layer import Layer, LayerShapeError, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class BatchNorm(Layer):
    """x [N, C, *] -> (x - mean) / sqrt(var + eps) * gamma [C] + beta [C].

    training: batch statistics, and moving_mean/moving_var move by momentum towards them
    (running = (1 - momentum) * running + momentum * batch, the variance unbiased); inference: the moving ones.
    """

    def __init__(self, momentum: float = 0.1, epsilon: float = 1e-5, name: str | None = None):
        super().__init__(name)
        self.momentum, self.epsilon = momentum, epsilon

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        channels = input_shapes[0][0]
        self.add_param("gamma", (channels,), "ones", rng)
        self.add_param("beta", (channels,), "zeros", rng)
        self.buffers["moving_mean"] = np.zeros(channels, np.float32)
        self.buffers["moving_var"] = np.ones(channels, np.float32)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.batch_norm(inputs[0], self.buffers["moving_mean"], self.buffers["moving_var"], self.params["gamma"],
                            self.params["beta"], training=training, momentum=self.momentum, eps=self.epsilon)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        names = [graph.constant(f"{self.name}/{key}", value) for key, value in (
            ("gamma", self.params["gamma"].data), ("beta", self.params["beta"].data),
            ("moving_mean", self.buffers["moving_mean"]), ("moving_var", self.buffers["moving_var"]))]
        return graph.node("BatchNormalization", inputs + names, self.name, epsilon=self.epsilon)


class LayerNorm(Layer):
    """x [N, *, *normalized] normalized over its last `axes` axes per sample, * gamma + beta (of those axes'
    shape)."""

    def __init__(self, axes: int = 1, epsilon: float = 1e-5, name: str | None = None):
        super().__init__(name)
        self.axes, self.epsilon = int(axes), epsilon

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        shape = input_shapes[0]
        if not 1 <= self.axes <= len(shape):
            raise LayerShapeError(f"layer {self.name!r} normalizes {self.axes} axes of a sample of shape {shape}")
        self.normalized_shape = shape[len(shape) - self.axes:]
        self.add_param("gamma", self.normalized_shape, "ones", rng)
        self.add_param("beta", self.normalized_shape, "zeros", rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.layer_norm(inputs[0], self.normalized_shape, self.params["gamma"], self.params["beta"],
                            self.epsilon)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        gamma = graph.constant(f"{self.name}/gamma", self.params["gamma"].data)
        beta = graph.constant(f"{self.name}/beta", self.params["beta"].data)
        return graph.node("LayerNormalization", [inputs[0], gamma, beta], self.name, axis=-self.axes,
                          epsilon=self.epsilon)
