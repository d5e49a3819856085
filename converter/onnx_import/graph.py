"""A light, mutable view of an ONNX graph for the importer: nodes in topological order with decoded attributes,
initializers as numpy arrays, graph inputs with their fixed shapes, and the inferred static shape of every value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from tensorlet.errors import FormatError, UnsupportedOpError


@dataclass(eq=False)
class Node:
    """One ONNX node; `opset` is the ai.onnx opset it is read under, `since_version` its schema's version."""

    name: str
    op_type: str
    domain: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any]
    opset: int
    since_version: int = 0
    has_subgraph: bool = False
    source: onnx.NodeProto | None = None  # the node as read (None for nodes made by a fusion)
    clamp: tuple[float, float] | None = None  # (lo, hi): a Relu/Clip the QDQ fusion folded into this node's output

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)

    def input(self, position: int) -> str:
        """The input name at `position`, or '' when it is absent."""
        return self.inputs[position] if position < len(self.inputs) else ""

    def error(self, reason: str) -> UnsupportedOpError:
        """The error to raise when this node cannot be converted: names the node, its op type and opset."""
        return UnsupportedOpError(f"node {self.name!r} ({self.op_type}, opset {self.opset}): {reason}")

    def proto(self) -> onnx.NodeProto:
        """The NodeProto to evaluate this node with."""
        if self.source is not None and self.source.domain == self.domain:
            return self.source
        return helper.make_node(self.op_type, self.inputs, self.outputs, name=self.name, domain=self.domain,
                                **self.attrs)


@dataclass
class GraphInput:
    name: str
    shape: tuple[int, ...]
    elem_type: int


@dataclass
class Graph:
    nodes: list[Node]
    constants: dict[str, np.ndarray]
    inputs: list[GraphInput]
    outputs: list[str]
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # value name -> static inferred shape

    def consumers(self) -> dict[str, list[Node]]:
        """Value name -> the nodes reading it."""
        readers: dict[str, list[Node]] = {}
        for node in self.nodes:
            for name in node.inputs:
                if name:
                    readers.setdefault(name, []).append(node)
        return readers

    def self_contained(self, nodes, output: str, consumers: dict[str, list[Node]]) -> bool:
        """Whether the subgraph `nodes` can be replaced by one node producing `output`: no value it computes but
        `output` is read outside it or is a graph output (consumers: self.consumers())."""
        inside = {id(n) for n in nodes}
        for node in nodes:
            for value in node.outputs:
                if value == output:
                    continue
                if value in self.outputs or any(id(c) not in inside for c in consumers.get(value, [])):
                    return False
        return True


def _decode_attribute(attribute: onnx.AttributeProto) -> Any:
    """An attribute's Python value, strings decoded."""
    value = helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        return [v.decode() for v in value]
    return value


def _schema_version(op_type: str, domain: str, opset: int) -> int:
    """The since_version of the schema an op resolves to under `opset`; 0 when onnx does not know it."""
    try:
        return onnx.defs.get_schema(op_type, opset, domain).since_version
    except onnx.defs.SchemaError:
        return 0


def _sorted_topologically(nodes: list[Node], available: set[str]) -> list[Node]:
    """Nodes in an order where every input is produced before it is read (ONNX requires it; some files break it):
    one pass for a sorted graph."""
    ordered, pending = [], list(nodes)
    while pending:
        rest = []
        for node in pending:
            if all(not i or i in available for i in node.inputs):
                ordered.append(node)
                available.update(o for o in node.outputs if o)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            missing = sorted({i for n in rest for i in n.inputs if i and i not in available})
            raise FormatError(f"the graph reads values nothing produces (or a cycle): {missing[:5]}")
        pending = rest
    return ordered


def _static_shape(value: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    """The value's shape when every dim is a number, else None."""
    tensor_type = value.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tensor_type.shape.dim
    if any(not d.HasField("dim_value") for d in dims):
        return None
    return tuple(int(d.dim_value) for d in dims)


def build_graph(model: onnx.ModelProto, opset: int) -> Graph:
    """The Graph of a model whose graph inputs already have static shapes (see loader.prepare)."""
    g = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    inputs = []
    for value in g.input:
        if value.name in constants:
            continue
        shape = _static_shape(value)
        if shape is None:
            raise UnsupportedOpError(f"graph input {value.name!r} has no static shape")
        inputs.append(GraphInput(value.name, shape, value.type.tensor_type.elem_type))
    nodes = []
    for index, proto in enumerate(g.node):
        domain = "" if proto.domain == "ai.onnx" else proto.domain
        nodes.append(Node(name=proto.name or f"{proto.op_type}_{index}", op_type=proto.op_type, domain=domain,
                          inputs=list(proto.input), outputs=list(proto.output),
                          attrs={a.name: _decode_attribute(a) for a in proto.attribute}, opset=opset,
                          since_version=_schema_version(proto.op_type, domain, opset),
                          has_subgraph=any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                                           for a in proto.attribute), source=proto))
    available = set(constants) | {i.name for i in inputs}
    graph = Graph(_sorted_topologically(nodes, available), constants, inputs, [o.name for o in g.output])
    for value in list(g.value_info) + list(g.output) + list(g.input):
        shape = _static_shape(value)
        if shape is not None:
            graph.shapes[value.name] = shape
    return graph
