"""Dropout: inverted dropout in training (the fit loop hands it its random generator), identity in inference."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .layer import Layer

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class Dropout(Layer):
    """x [N, *] with each element zeroed with probability rate and the rest scaled by 1 / (1 - rate) in training."""

    def __init__(self, rate: float, name: str | None = None):
        super().__init__(name)
        if not 0 <= rate < 1:
            raise ValueError(f"dropout rate must be in [0, 1), not {rate}")
        self.rate = rate

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return F.dropout(inputs[0], self.rate, training, rng)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        return graph.node("Identity", inputs, self.name)
