"""Sequential: a stack of single-input layers, each fed the previous one's output.

The graph is built as soon as the input shape is known: from input_shape, from a leading Input(...), or from the
first batch it sees (fit, predict, evaluate or a call).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..layers.layer import Layer
from ..layers.symbolic import Input, SymbolicTensor
from ..tensor import Tensor
from .model import Model


class Sequential(Model):
    """Sequential([Conv2D(...), MaxPool2D(), Flatten(), Dense(10)], input_shape=(1, 28, 28))."""

    def __init__(self, layers: Sequence[Layer | SymbolicTensor] = (), input_shape: tuple[int, ...] | None = None,
                 name: str = "sequential"):
        items = list(layers)
        self.input_symbol = items.pop(0) if items and isinstance(items[0], SymbolicTensor) else None
        if self.input_symbol is None and input_shape is not None:
            self.input_symbol = Input(input_shape)
        self.name, self.compiled, self.stop_training, self.epochs_done = name, None, False, 0
        self.stack: list[Layer] = []
        self.pending_compile: tuple[tuple, dict] | None = None
        self.inputs, self.outputs, self.nodes, self.layers = [], [], [], []
        for layer in items:
            self.add(layer)
        if self.input_symbol is not None and not self.nodes:
            self._build(self.input_symbol)

    def add(self, layer: Layer) -> None:
        """Append a layer (before compile)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential takes layers, not {type(layer).__name__}")
        self.stack.append(layer)
        if self.input_symbol is not None:
            self._build(self.input_symbol)

    def _build(self, input_symbol: SymbolicTensor) -> None:
        output = input_symbol
        for layer in self.stack:
            output = layer(output)
        self.input_symbol = input_symbol
        self.set_graph([input_symbol], [output])

    def ensure_built(self, sample_shapes: list[tuple[int, ...]]) -> None:
        """Build the graph for samples of sample_shapes[0] if it is not built yet, then apply a compile() that
        came before."""
        if not self.nodes and self.stack:
            self._build(self.input_symbol or Input(sample_shapes[0]))
            if self.pending_compile is not None:
                super().compile(*self.pending_compile[0], **self.pending_compile[1])

    def forward(self, inputs: Sequence[Tensor], training: bool = False,
                rng: np.random.Generator | None = None) -> list[Tensor]:
        if inputs:
            self.ensure_built([tuple(x.shape[1:]) for x in inputs])
        return super().forward(inputs, training, rng)

    def compile(self, *args, **kwargs) -> None:
        """As Model.compile; before the input shape is known, it takes effect when the first batch arrives."""
        if self.nodes:
            super().compile(*args, **kwargs)
        else:
            self.pending_compile = (args, kwargs)
