"""QDQ island rewrites, run before lowering. An island is a float op whose activation inputs are dequantized (see
qdq_graph.py) and whose result goes only to QuantizeLinear nodes; it becomes one int8 op. Two spellings need a
rewrite first:
- MatMul followed by an Add of a constant [N] (tf2onnx's dense layer) becomes one MatMul with the bias as a third
  input, lowered to one FULLY_CONNECTED with bias;
- a Relu or Clip between an op with a fused activation and its QuantizeLinear folds into that op (Node.clamp), to
  become the fused activation in the output's quantized domain.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.onnx_import.graph import Graph, Node
from tensorlet.converter.onnx_import.qdq_graph import is_dequantized, producers

FUSED_ACTIVATION_OPS = frozenset({"Conv", "ConvTranspose", "MatMul", "Gemm", "Add", "Sub", "Mul"})


class _Island:
    """The graph's producers, consumers and outputs, to ask island questions."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.made_by = producers(graph)
        self.consumers = graph.consumers()

    def inputs_dequantized(self, node: Node) -> bool:
        """Every run-time input of `node` is a dequantized activation (and it has one)."""
        names = [n for n in node.inputs if n and n not in self.graph.constants]
        return bool(names) and all(is_dequantized(n, self.made_by, self.graph.constants) for n in names)

    def only_reader(self, name: str) -> Node | None:
        """The single node reading `name`, None when it is read by several or is a graph output."""
        readers = self.consumers.get(name, [])
        return readers[0] if len(readers) == 1 and name not in self.graph.outputs else None

    def quantized(self, name: str) -> bool:
        """`name` is read only by QuantizeLinear nodes (at least one) and is no graph output."""
        readers = self.consumers.get(name, [])
        return bool(readers) and name not in self.graph.outputs and all(
            r.op_type == "QuantizeLinear" for r in readers)

    def clamp_of(self, node: Node | None) -> tuple[float, float] | None:
        """The (lo, hi) of a Relu, or of a Clip with constant bounds, whose output is quantized; else None."""
        if node is None or node.op_type not in ("Relu", "Clip") or not self.quantized(node.outputs[0]):
            return None
        if node.op_type == "Relu":
            return 0.0, math.inf
        bounds = [node.input(k) for k in (1, 2)]
        if any(name and name not in self.graph.constants for name in bounds):
            return None
        lo, hi = (float(np.ravel(self.graph.constants[name])[0]) if name else default
                  for name, default in zip(bounds, (-math.inf, math.inf)))
        return lo, hi


def _bias(island: _Island, matmul: Node, add: Node) -> str | None:
    """The Add's other input when it is a constant bias [N] (or [1,..,N]) of the MatMul's B [K,N]."""
    other = add.inputs[1] if add.inputs[0] == matmul.outputs[0] else add.inputs[0]
    b = island.graph.constants.get(matmul.inputs[1])
    bias = island.graph.constants.get(other)
    if b is None or bias is None or np.ndim(b) != 2:
        return None
    units = b.shape[1]
    return other if np.ndim(bias) >= 1 and np.size(bias) == units and np.shape(bias)[-1] == units else None


def _fuse_bias(graph: Graph) -> None:
    """MatMul(x, B) -> Add(bias) inside an island -> MatMul(x, B, bias)."""
    island = _Island(graph)
    for matmul in [n for n in graph.nodes if n.op_type == "MatMul"]:
        add = island.only_reader(matmul.outputs[0])
        if add is None or add.op_type != "Add" or not island.inputs_dequantized(matmul):
            continue
        ends = island.quantized(add.outputs[0]) or island.clamp_of(island.only_reader(add.outputs[0])) is not None
        bias = _bias(island, matmul, add)
        if ends and bias is not None:
            matmul.inputs = matmul.inputs[:2] + [bias]
            matmul.outputs = list(add.outputs)
            graph.nodes.remove(add)
            island = _Island(graph)


def _fuse_clamps(graph: Graph) -> None:
    """Op -> Relu/Clip -> QuantizeLinear inside an island -> the op with Node.clamp set."""
    island = _Island(graph)
    for activation in [n for n in graph.nodes if n.op_type in ("Relu", "Clip")]:
        core = island.made_by.get(activation.inputs[0])
        clamp = island.clamp_of(activation)
        if (core is None or core.op_type not in FUSED_ACTIVATION_OPS or core.clamp is not None or clamp is None
                or island.only_reader(core.outputs[0]) is not activation or not island.inputs_dequantized(core)):
            continue
        core.outputs = list(activation.outputs)
        core.clamp = clamp
        graph.nodes.remove(activation)
        island = _Island(graph)


def fuse_qdq(graph: Graph) -> None:
    """Apply both rewrites to `graph`, in place (a graph without DequantizeLinear has no island)."""
    if not any(node.op_type == "DequantizeLinear" for node in graph.nodes):
        return
    _fuse_bias(graph)
    _fuse_clamps(graph)
