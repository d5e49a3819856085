"""Layers that join several inputs: Add (elementwise sum of equal shapes) and Concatenate (along an axis)."""
from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .layer import Layer, LayerShapeError, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class Add(Layer):
    """[x1, x2, ...] of one shape [N, *] -> x1 + x2 + ... (residual connections)."""

    n_inputs = None

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        if len(set(input_shapes)) != 1:
            raise LayerShapeError(f"layer {self.name!r} adds inputs of one shape, got {input_shapes}")

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return reduce(F.add, inputs)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        total = inputs[0]
        for k, x in enumerate(inputs[1:], start=2):
            total = graph.node("Add", [total, x], self.name if k == len(inputs) else f"{self.name}/partial{k}")
        return total


class Concatenate(Layer):
    """[x1, x2, ...] -> joined along axis (of the batched tensor; default 1, the NCHW channel axis); the other
    axes must agree."""

    n_inputs = None

    def __init__(self, axis: int = 1, name: str | None = None):
        super().__init__(name)
        self.axis = axis

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        rank = len(input_shapes[0]) + 1
        if not -rank < self.axis < rank or self.axis % rank == 0:
            raise LayerShapeError(f"layer {self.name!r}: axis {self.axis} is not a non-batch axis of rank {rank}")
        self.axis %= rank
        others = {s[:self.axis - 1] + s[self.axis:] for s in input_shapes}
        if len(others) != 1 or len({len(s) for s in input_shapes}) != 1:
            raise LayerShapeError(f"layer {self.name!r} cannot join {input_shapes} along axis {self.axis}")

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.concat(inputs, axis=self.axis)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        return graph.node("Concat", inputs, self.name, axis=self.axis)
