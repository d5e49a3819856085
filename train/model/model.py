"""Model: a functional graph of layers from Input(s) to output(s), trained with compile/fit like Keras.

    x = Input((1, 28, 28))
    h = MaxPool2D()(Conv2D(16, 3, padding="same", activation="relu")(x))
    model = Model(x, Dense(10)(Flatten()(h)))
    model.compile("adam", "softmax_cross_entropy", ["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=64, validation_data=(x_val, y_val))
    model.export_onnx("model.onnx")
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...errors import TensorletError
from ..callbacks.callback import Callback, History
from ..layers.layer import Layer
from ..layers.symbolic import Node, SymbolicTensor
from ..metrics import Metric
from ..objectives import Loss
from ..optim import Optimizer
from ..tensor import Tensor
from . import checkpoint, training
from .graph import ordered_nodes, run_graph, unique_layers


class NotCompiledError(TensorletError):
    """fit/evaluate (or loading optimizer state) before compile()."""


def _symbols(value: SymbolicTensor | Sequence[SymbolicTensor], what: str) -> list[SymbolicTensor]:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values or not all(isinstance(v, SymbolicTensor) for v in values):
        raise TypeError(f"Model {what} must be symbolic tensors (from Input and layer calls)")
    return values


class Model:
    """A graph of layer calls between inputs and outputs (SymbolicTensors, one or a list of each)."""

    def __init__(self, inputs: SymbolicTensor | Sequence[SymbolicTensor],
                 outputs: SymbolicTensor | Sequence[SymbolicTensor], name: str = "model"):
        self.name = name
        self.compiled: training.Compiled | None = None
        self.stop_training = False
        self.epochs_done = 0
        self.set_graph(_symbols(inputs, "inputs"), _symbols(outputs, "outputs"))

    def set_graph(self, inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]) -> None:
        """Fix the graph: its nodes in execution order and its layers."""
        if any(x.node is not None for x in inputs):
            raise ValueError("Model inputs must come from Input(), not from layer calls")
        self.inputs, self.outputs = inputs, outputs
        self.nodes: list[Node] = ordered_nodes(inputs, outputs)
        self.layers: list[Layer] = unique_layers(self.nodes)

    # --- running -------------------------------------------------------------------------------------------------

    def ensure_built(self, sample_shapes: list[tuple[int, ...]]) -> None:
        """Called with the per-sample input shapes before fit/evaluate/predict; a Model is built already."""

    def forward(self, inputs: Sequence[Tensor], training: bool = False,
                rng: np.random.Generator | None = None) -> list[Tensor]:
        """One Tensor [N, *shape] per input -> one Tensor per output (recording the graph unless in no_grad)."""
        return run_graph(self.inputs, self.outputs, self.nodes, inputs, training, rng)

    def __call__(self, *inputs, training: bool = False, rng: np.random.Generator | None = None):
        """Arrays or Tensors [N, ...], one per input -> a Tensor (or a list of them for several outputs)."""
        outputs = self.forward([x if isinstance(x, Tensor) else Tensor(x) for x in inputs], training, rng)
        return outputs[0] if len(outputs) == 1 else outputs

    # --- weights -------------------------------------------------------------------------------------------------

    @property
    def trainable_weights(self) -> list[Tensor]:
        """Every layer's params, layer by layer."""
        return [t for layer in self.layers for t in layer.params.values()]

    def count_params(self) -> int:
        """How many trainable numbers the model has."""
        return sum(t.size for t in self.trainable_weights)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every layer's params and buffers, layer by layer."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite every layer's params and buffers, in get_weights order."""
        weights = list(weights)
        for layer in self.layers:
            count = len(layer.params) + len(layer.buffers)
            layer.set_weights(weights[:count])
            weights = weights[count:]
        if weights:
            raise ValueError(f"{len(weights)} weight arrays left over")

    def summary(self) -> str:
        """A table: each layer call, its output shape and parameter count."""
        rows = [("layer", "type", "output shape", "params")]
        rows += [(x.name, "Input", str([None, *x.shape]), "0") for x in self.inputs]
        rows += [(n.layer.name, type(n.layer).__name__, str([None, *n.output.shape]),
                  f"{sum(t.size for t in n.layer.params.values()):,}") for n in self.nodes]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                 for r in rows]
        return "\n".join(lines + [f"total params: {self.count_params():,}"])

    # --- training ------------------------------------------------------------------------------------------------

    def compile(self, optimizer: str | Optimizer = "adam", loss: str | Loss | Sequence[str | Loss] =
                "softmax_cross_entropy", metrics: Sequence[str | Metric] = ()) -> None:
        """Choose the optimizer (bound to this model's weights), the loss (one, or one per output) and metrics."""
        self.compiled = training.compile_model(self, optimizer, loss, metrics)

    def require_compiled(self) -> training.Compiled:
        if self.compiled is None:
            raise NotCompiledError("call model.compile(optimizer, loss, metrics) first")
        return self.compiled

    def fit(self, x, y, epochs: int = 1, batch_size: int = 32,
            validation_data: tuple | None = None, callbacks: Sequence[Callback] = (), shuffle: bool = True,
            seed: int = 0, verbose: int = 1, initial_epoch: int = 0,
            augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None) -> History:
        """Train on x (an array [N, ...] or one per input) against y (one per output) for epochs
        initial_epoch .. epochs - 1; returns the History of per-epoch logs.

        Each epoch draws its shuffling, augment(batch, rng) and dropout from default_rng([seed, epoch]).
        verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        """
        return training.fit(self, x, y, epochs, batch_size, validation_data, callbacks, shuffle, seed, verbose,
                            initial_epoch, augment)

    def evaluate(self, x, y, batch_size: int = 256) -> dict[str, float]:
        """{"loss": .., metric: ..} over the data, in inference mode."""
        return training.evaluate(self, x, y, batch_size)

    def predict(self, x, batch_size: int = 256) -> np.ndarray | list[np.ndarray]:
        """The outputs in inference mode: an array [N, ...] (a list of them for several outputs)."""
        return training.predict(self, x, batch_size)

    # --- files ---------------------------------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """A checkpoint .npz: weights, buffers, the optimizer state when compiled, the epochs done."""
        checkpoint.save(self, path)

    def load(self, path: str | Path) -> int:
        """Restore a checkpoint of this architecture (and, when compiled, the optimizer state); returns the
        epochs it had done, to pass as fit(initial_epoch=...)."""
        return checkpoint.load(self, path)

    def export_onnx(self, path: str | Path, opset: int = 17):
        """Write the inference graph as ONNX (batch axis "N", BatchNorm with its running statistics); checked by
        onnx.checker. Returns the ModelProto."""
        from ..onnx_export.export import export_onnx
        return export_onnx(self, path, opset)
