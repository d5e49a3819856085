"""Layer: the base of every Keras-like layer. Weights are created on first call, from the input shapes.

A layer is called on Tensors/arrays (eager: runs forward) or on SymbolicTensors (builds the functional graph; the
output shape is inferred by running forward once on a zero batch of one sample in inference mode).
Subclasses implement build (create params), forward (Tensors in, Tensor out) and to_onnx (emit ONNX nodes).
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..initializers import get_initializer
from ..seeding import layer_rng
from ..tensor import Tensor, no_grad
from .symbolic import Node, SymbolicTensor

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph

Shape = tuple[int, ...]
_name_counters: dict[str, itertools.count] = defaultdict(itertools.count)


def _snake(name: str) -> str:
    """CamelCase -> snake_case (Conv2D -> conv2d, Conv2DTranspose -> conv2d_transpose)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class LayerShapeError(ValueError):
    """A layer was called on inputs whose shapes it cannot take (names the layer and the shapes)."""


class Layer:
    """Base layer. `params` are the trainable weights (Tensors), `buffers` the non-trainable state (BatchNorm's
    running statistics, arrays updated in place); both are empty until the first call builds the layer.

    n_inputs: how many inputs the layer takes (None: two or more, for Add and Concatenate).
    """

    n_inputs: int | None = 1

    def __init__(self, name: str | None = None, seed: int | None = None):
        base = _snake(type(self).__name__)
        index = next(_name_counters[base])
        self.name = name or (base if index == 0 else f"{base}_{index}")
        self.seed = seed
        self.params: dict[str, Tensor] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.input_shapes: list[Shape] | None = None

    # --- what subclasses implement ---------------------------------------------------------------------------

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        """Create params and buffers for inputs of input_shapes (per sample, no batch axis). Default: none."""

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        """inputs: one Tensor [N, *input_shape] per input -> the output Tensor [N, *output_shape]."""
        raise NotImplementedError

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        """Emit this layer's inference form into graph, reading the named values; returns the output's name."""
        raise NotImplementedError

    # --- helpers for subclasses ------------------------------------------------------------------------------

    def add_param(self, name: str, shape: Shape, initializer, rng: np.random.Generator, layout: str = "oi") -> Tensor:
        """A new trainable float32 weight of shape, drawn by initializer (a name or a callable)."""
        tensor = Tensor(get_initializer(initializer)(tuple(shape), rng, layout), requires_grad=True)
        self.params[name] = tensor
        return tensor

    # --- calling -----------------------------------------------------------------------------------------------

    def ensure_built(self, input_shapes: list[Shape]) -> None:
        """Build on the first call; later calls must bring the same per-sample shapes."""
        input_shapes = [tuple(int(d) for d in s) for s in input_shapes]
        if self.n_inputs is None and len(input_shapes) < 2:
            raise LayerShapeError(f"layer {self.name!r} takes two or more inputs, got {len(input_shapes)}")
        if self.n_inputs is not None and len(input_shapes) != self.n_inputs:
            raise LayerShapeError(f"layer {self.name!r} takes {self.n_inputs} input(s), got {len(input_shapes)}")
        if self.input_shapes is None:
            self.build(input_shapes, layer_rng(self.seed))
            self.input_shapes = input_shapes
        elif input_shapes != self.input_shapes:
            raise LayerShapeError(f"layer {self.name!r} was built for inputs {self.input_shapes} (per sample), "
                                  f"called on {input_shapes}")

    def __call__(self, *inputs, training: bool = False, rng: np.random.Generator | None = None):
        """Symbolic inputs -> a SymbolicTensor (graph building); Tensors or arrays [N, ...] -> a Tensor."""
        if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
            inputs = tuple(inputs[0])
        if all(isinstance(x, SymbolicTensor) for x in inputs):
            return self._call_symbolic(inputs)
        if any(isinstance(x, SymbolicTensor) for x in inputs):
            raise TypeError(f"layer {self.name!r}: inputs mix symbolic tensors and data")
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        self.ensure_built([t.shape[1:] for t in tensors])
        return self.forward(tensors, training, rng)

    def _call_symbolic(self, inputs: Sequence[SymbolicTensor]) -> SymbolicTensor:
        shapes = [x.shape for x in inputs]
        self.ensure_built(shapes)
        try:
            with no_grad():
                probe = self.forward([Tensor(np.zeros((1,) + s, np.float32)) for s in shapes], False, None)
        except ValueError as e:
            raise LayerShapeError(f"layer {self.name!r} cannot take inputs of shape {shapes}: {e}") from e
        output = SymbolicTensor(probe.shape[1:], None, self.name)
        output.node = Node(self, tuple(inputs), output)
        return output

    # --- weights -------------------------------------------------------------------------------------------------

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the params then the buffers, in creation order."""
        return [t.data.copy() for t in self.params.values()] + [b.copy() for b in self.buffers.values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite params then buffers, in get_weights order; shapes must match."""
        targets = [t.data for t in self.params.values()] + list(self.buffers.values())
        if len(weights) != len(targets):
            raise ValueError(f"layer {self.name!r} has {len(targets)} weight arrays, got {len(weights)}")
        for target, value in zip(targets, weights):
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(f"layer {self.name!r}: weight of shape {target.shape} given {value.shape}")
            target[...] = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
