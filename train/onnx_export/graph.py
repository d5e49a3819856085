"""OnnxGraph: what layers write their inference form into (nodes, initializers, unique value names), then one
onnx.ModelProto with a symbolic batch axis "N" on every input and output."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

PRODUCER = "tensorlet.train"


class OnnxGraph:
    """A growing ONNX graph for opset `opset`; every name it hands out is unique."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._used: set[str] = set()

    def unique(self, hint: str) -> str:
        """hint, or hint_1, hint_2, ... when taken."""
        name, k = hint, 0
        while name in self._used:
            k += 1
            name = f"{hint}_{k}"
        self._used.add(name)
        return name

    def constant(self, hint: str, array: np.ndarray) -> str:
        """A constant (initializer) holding array as is; returns its name."""
        name = self.unique(hint)
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C"), name))
        return name

    def node(self, op_type: str, inputs: list[str], hint: str, **attributes) -> str:
        """One node with one output named after hint; attributes set only when not None."""
        output = self.unique(hint)
        attributes = {k: v for k, v in attributes.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def to_model(self, inputs: list[tuple[str, tuple[int, ...]]], outputs: list[tuple[str, tuple[int, ...]]],
                 graph_name: str) -> onnx.ModelProto:
        """The model: float32 inputs/outputs [N, *shape] by (name, per-sample shape)."""
        def value(name: str, shape: tuple[int, ...]) -> onnx.ValueInfoProto:
            return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", *shape])
        graph = helper.make_graph(self.nodes, graph_name, [value(n, s) for n, s in inputs],
                                  [value(n, s) for n, s in outputs], self.initializers)
        opsets = [helper.make_opsetid("", self.opset)]
        return helper.make_model(graph, opset_imports=opsets, producer_name=PRODUCER,
                                 ir_version=helper.find_min_ir_version_for(opsets))
