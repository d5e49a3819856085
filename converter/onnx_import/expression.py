"""Read a small subgraph of scalar elementwise nodes (Mul, Add, Erf, Tanh, ...) with scalar constants as a numeric
function of one value, so that graph patterns can be recognised by what they compute, in any exporter's spelling.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.onnx_import.graph import Graph, Node

ERF = np.vectorize(math.erf)  # erf of every element (ONNX Erf; the exact GELU of fusion.py)


def _clip(node: Node, x: np.ndarray, lo: np.ndarray | None = None, hi: np.ndarray | None = None) -> np.ndarray:
    """ONNX Clip on float64 samples (absent bounds unbounded)."""
    return np.clip(x, -np.inf if lo is None else lo, np.inf if hi is None else hi)


def _hard_sigmoid(node: Node, x: np.ndarray) -> np.ndarray:
    """ONNX HardSigmoid on float64 samples, with the node's alpha and beta."""
    return np.clip(float(node.attr("alpha", 0.2)) * x + float(node.attr("beta", 0.5)), 0.0, 1.0)


FUNCTIONS = {
    "Add": lambda node, a, b: a + b,
    "Sub": lambda node, a, b: a - b,
    "Mul": lambda node, a, b: a * b,
    "Div": lambda node, a, b: a / b,
    "Pow": lambda node, a, b: np.power(a, b),
    "Erf": lambda node, x: ERF(x),
    "Tanh": lambda node, x: np.tanh(x),
    "Relu": lambda node, x: np.maximum(x, 0.0),
    "Clip": _clip,
    "HardSigmoid": _hard_sigmoid,
}


class Expressions:
    """Evaluates values of `graph` as functions of another value through the elementwise nodes above."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.producers = {name: node for node in graph.nodes for name in node.outputs if name}

    def elementwise_producer(self, value: str) -> Node | None:
        node = self.producers.get(value)
        return node if node is not None and node.op_type in FUNCTIONS and node.domain == "" else None

    def evaluate(self, value: str, leaf: str, samples: np.ndarray, used: set[int]) -> np.ndarray | None:
        """samples: float64 [n] values of `leaf` -> [n] values of `value`, or None when `value` depends on anything
        but `leaf` and scalar constants; adds the id() of every node it passes through to `used`."""
        if value == leaf:
            return samples
        if value in self.graph.constants:
            constant = self.graph.constants[value]
            return constant.astype(np.float64).reshape(()) if constant.size == 1 else None
        node = self.elementwise_producer(value)
        if node is None:
            return None
        args = []
        for name in node.inputs:
            arg = self.evaluate(name, leaf, samples, used) if name else None
            if name and arg is None:
                return None
            args.append(arg)
        used.add(id(node))
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(FUNCTIONS[node.op_type](node, *args), np.float64), samples.shape)
