"""Dense: a fully connected layer over the last axis, kernel [in, out] (Keras layout), optional activation."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .activation import activate, activate_onnx, get_activation
from .layer import Layer, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class Dense(Layer):
    """x [N, *, in] -> activation(x @ kernel [in, units] + bias [units]) [N, *, units]."""

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", name: str | None = None,
                 seed: int | None = None):
        super().__init__(name, seed)
        self.units, self.use_bias = int(units), use_bias
        self.activation = get_activation(activation)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        self.add_param("kernel", (input_shapes[0][-1], self.units), self.kernel_initializer, rng)
        if self.use_bias:
            self.add_param("bias", (self.units,), self.bias_initializer, rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        y = F.matmul(inputs[0], self.params["kernel"])
        if self.use_bias:
            y = F.add(y, self.params["bias"])
        return activate(self.activation, y)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        kernel = graph.constant(f"{self.name}/kernel", self.params["kernel"].data)
        bias = [graph.constant(f"{self.name}/bias", self.params["bias"].data)] if self.use_bias else []
        linear = f"{self.name}/linear" if self.activation else self.name
        if len(self.input_shapes[0]) == 1:
            y = graph.node("Gemm", [inputs[0], kernel] + bias, linear)
        else:
            y = graph.node("MatMul", [inputs[0], kernel], f"{self.name}/matmul" if bias else linear)
            y = graph.node("Add", [y] + bias, linear) if bias else y
        return activate_onnx(self.activation, graph, y, self.name)
