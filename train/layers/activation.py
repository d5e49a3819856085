"""Activations by name (the forward op and its ONNX spelling side by side) and the Activation layer.

Softmax and log-softmax run over axis 1 (the class / channel axis, as in the losses and NCHW).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .layer import Layer

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


def _gelu_onnx(g: "OnnxGraph", x: str, hint: str) -> str:
    """Gelu from opset 20; before, its erf form x * 0.5 * (1 + erf(x / sqrt 2))."""
    if g.opset >= 20:
        return g.node("Gelu", [x], hint)
    scaled = g.node("Div", [x, g.constant(f"{hint}/sqrt2", np.array(math.sqrt(2), np.float32))], f"{hint}/scaled")
    erf = g.node("Erf", [scaled], f"{hint}/erf")
    one_plus = g.node("Add", [erf, g.constant(f"{hint}/one", np.array(1, np.float32))], f"{hint}/one_plus")
    half = g.node("Mul", [x, g.constant(f"{hint}/half", np.array(0.5, np.float32))], f"{hint}/half_x")
    return g.node("Mul", [half, one_plus], hint)


def _clip_onnx(g: "OnnxGraph", x: str, hint: str) -> str:
    return g.node("Clip", [x, g.constant(f"{hint}/min", np.array(0, np.float32)),
                           g.constant(f"{hint}/max", np.array(6, np.float32))], hint)


@dataclass(frozen=True)
class ActivationSpec:
    """An activation: its op on Tensors and how it is written in ONNX (graph, input name, hint -> output name)."""

    forward: Callable[[Tensor], Tensor]
    to_onnx: Callable[["OnnxGraph", str, str], str]


ACTIVATIONS: dict[str, ActivationSpec] = {
    "relu": ActivationSpec(F.relu, lambda g, x, h: g.node("Relu", [x], h)),
    "relu6": ActivationSpec(F.relu6, _clip_onnx),
    "leaky_relu": ActivationSpec(F.leaky_relu, lambda g, x, h: g.node("LeakyRelu", [x], h, alpha=0.01)),
    "elu": ActivationSpec(F.elu, lambda g, x, h: g.node("Elu", [x], h, alpha=1.0)),
    "gelu": ActivationSpec(F.gelu, _gelu_onnx),
    "sigmoid": ActivationSpec(F.sigmoid, lambda g, x, h: g.node("Sigmoid", [x], h)),
    "tanh": ActivationSpec(F.tanh, lambda g, x, h: g.node("Tanh", [x], h)),
    "hard_sigmoid": ActivationSpec(F.hard_sigmoid,
                                   lambda g, x, h: g.node("HardSigmoid", [x], h, alpha=1 / 6, beta=0.5)),
    "hard_swish": ActivationSpec(F.hard_swish, lambda g, x, h: g.node("HardSwish", [x], h)),
    "softmax": ActivationSpec(lambda x: F.softmax(x, axis=1), lambda g, x, h: g.node("Softmax", [x], h, axis=1)),
    "log_softmax": ActivationSpec(lambda x: F.log_softmax(x, axis=1),
                                  lambda g, x, h: g.node("LogSoftmax", [x], h, axis=1)),
}


def get_activation(name: str | None) -> ActivationSpec | None:
    """The activation called name; None (or "linear") for none."""
    if name is None or name == "linear":
        return None
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def activate(spec: ActivationSpec | None, x: Tensor) -> Tensor:
    """x through the activation (x itself for none)."""
    return x if spec is None else spec.forward(x)


def activate_onnx(spec: ActivationSpec | None, g: "OnnxGraph", x: str, hint: str) -> str:
    """The activation written after value x (x itself for none)."""
    return x if spec is None else spec.to_onnx(g, x, hint)


class Activation(Layer):
    """An activation function as a layer: Activation("relu"); any shape in, the same shape out."""

    def __init__(self, activation: str, name: str | None = None):
        super().__init__(name)
        self.activation = activation
        self.spec = get_activation(activation)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        return activate(self.spec, inputs[0])

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        return self.spec.to_onnx(graph, inputs[0], self.name) if self.spec else graph.node("Identity", inputs,
                                                                                            self.name)
