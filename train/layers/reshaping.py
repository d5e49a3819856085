"""Flatten ([N, *] -> [N, prod]) and Reshape (per-sample target shape, one -1 allowed)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .layer import Layer, LayerShapeError, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class Flatten(Layer):
    """x [N, *] -> [N, product of the rest] (C-order, so NCHW flattens channel-major like PyTorch)."""

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        x = inputs[0]
        return F.reshape(x, (x.shape[0], -1))

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        return graph.node("Flatten", inputs, self.name, axis=1)


class Reshape(Layer):
    """x [N, *] -> [N, *target_shape]; one entry of target_shape may be -1 (inferred)."""

    def __init__(self, target_shape: tuple[int, ...], name: str | None = None):
        super().__init__(name)
        self.target_shape = tuple(int(d) for d in target_shape)
        self.resolved: Shape = ()

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        size, known = math.prod(input_shapes[0]), math.prod(d for d in self.target_shape if d != -1)
        free = self.target_shape.count(-1)
        if free > 1 or any(d == 0 or d < -1 for d in self.target_shape) or (
                size % known if free else size != known):
            raise LayerShapeError(f"layer {self.name!r} cannot reshape samples of shape {input_shapes[0]} "
                                  f"to {self.target_shape}")
        self.resolved = tuple(size // known if d == -1 else d for d in self.target_shape)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        x = inputs[0]
        return F.reshape(x, (x.shape[0],) + self.resolved)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        shape = graph.constant(f"{self.name}/shape", np.array((-1,) + self.resolved, np.int64))
        return graph.node("Reshape", [inputs[0], shape], self.name)
