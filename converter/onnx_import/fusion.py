"""Graph rewrites run before lowering: subgraphs that compute GELU (erf or tanh form) or hard-swish, however an
exporter spells them, become one Gelu / HardSwish node. A match is found by evaluating candidate subgraphs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tensorlet.converter.onnx_import.expression import ERF, Expressions
from tensorlet.converter.onnx_import.graph import Graph, Node

SAMPLES = np.linspace(-6.0, 6.0, 49)
UPSTREAM_DEPTH = 6     # how far above the anchor the pattern's input may be
DOWNSTREAM_DEPTH = 4   # how far below the anchor its output may be


@dataclass(frozen=True)
class Pattern:
    anchors: frozenset[str]   # op types one of which every spelling contains
    op_type: str              # the node that replaces a match
    attrs: tuple[tuple[str, str], ...]
    since_version: int
    function: object          # float64 [n] -> [n], what a match computes

    def matches(self, values: np.ndarray) -> bool:
        expected = self.function(SAMPLES)
        return bool(np.all(np.isfinite(values)) and np.allclose(values, expected, rtol=1e-5, atol=1e-6))


PATTERNS = (
    Pattern(frozenset({"Erf"}), "Gelu", (("approximate", "none"),), 20,
            lambda x: 0.5 * x * (1 + ERF(x / math.sqrt(2)))),
    Pattern(frozenset({"Tanh"}), "Gelu", (("approximate", "tanh"),), 20,
            lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    Pattern(frozenset({"HardSigmoid", "Clip"}), "HardSwish", (), 14, lambda x: x * np.clip(x + 3, 0, 6) / 6),
)


def _upstream(expressions: Expressions, anchor: Node) -> list[str]:
    """Values the anchor's input is computed from through elementwise nodes, nearest first."""
    found, frontier = [], [n for n in anchor.inputs[:1] if n]
    for _ in range(UPSTREAM_DEPTH):
        found.extend(v for v in frontier if v not in found and v not in expressions.graph.constants)
        frontier = [i for v in frontier if (p := expressions.elementwise_producer(v)) for i in p.inputs if i]
    return found


def _downstream(expressions: Expressions, anchor: Node, consumers: dict[str, list[Node]]) -> list[str]:
    """Values computed from the anchor's output through elementwise nodes, farthest first."""
    found, frontier = [], list(anchor.outputs[:1])
    for _ in range(DOWNSTREAM_DEPTH):
        found.extend(frontier)
        frontier = [o for v in frontier for c in consumers.get(v, []) if expressions.elementwise_producer(c.outputs[0])
                    for o in c.outputs[:1]]
    return list(dict.fromkeys(reversed(found)))


def _match(graph: Graph, expressions: Expressions, anchor: Node, pattern: Pattern,
           consumers: dict[str, list[Node]]) -> tuple[str, str, set[int]] | None:
    """(input, output, matched node ids) of the largest subgraph around `anchor` computing pattern.function."""
    for root in _downstream(expressions, anchor, consumers):
        for leaf in _upstream(expressions, anchor):
            used: set[int] = set()
            values = expressions.evaluate(root, leaf, SAMPLES, used)
            if (values is not None and id(anchor) in used and pattern.matches(values)
                    and graph.self_contained([n for n in graph.nodes if id(n) in used], root, consumers)):
                return leaf, root, used
    return None


def fuse_patterns(graph: Graph) -> None:
    """Replace every GELU / hard-swish subgraph of `graph` by a single node, in place."""
    for pattern in PATTERNS:
        for anchor in [n for n in graph.nodes if n.op_type in pattern.anchors]:
            if anchor not in graph.nodes:
                continue
            expressions, consumers = Expressions(graph), graph.consumers()
            found = _match(graph, expressions, anchor, pattern, consumers)
            if found is None:
                continue
            leaf, root, used = found
            fused = Node(name=f"{pattern.op_type}({root})", op_type=pattern.op_type, domain="", inputs=[leaf],
                         outputs=[root], attrs=dict(pattern.attrs), opset=anchor.opset,
                         since_version=pattern.since_version)
            graph.nodes = [fused if root in n.outputs else n for n in graph.nodes
                           if id(n) not in used or root in n.outputs]
