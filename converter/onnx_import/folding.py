"""Constant folding: a node whose inputs are all known at import (initializers, Constant nodes, earlier folded
results, static shapes) is evaluated once with onnx's reference evaluator, and its outputs become constants.
"""
from __future__ import annotations

import numpy as np
from onnx.reference import ReferenceEvaluator

from tensorlet.converter.onnx_import.graph import Graph, Node

NOT_FOLDED = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"}


def foldable(node: Node, constants: dict[str, np.ndarray]) -> bool:
    """Every present input is a constant (a node without inputs, such as Constant, qualifies)."""
    return (node.domain == "" and not node.has_subgraph and node.op_type not in NOT_FOLDED
            and all(not name or name in constants for name in node.inputs))


def fold(node: Node, constants: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Evaluate `node` on its constant inputs: output name -> array (absent optional outputs skipped)."""
    feeds = {name: constants[name] for name in node.inputs if name}
    opset = max(node.opset, node.since_version)  # a fused node may be newer than its model
    try:
        results = ReferenceEvaluator(node.proto(), opsets={"": opset}).run(None, feeds)
    except Exception as e:
        raise node.error(f"its inputs are constants, but it could not be evaluated at import: "
                         f"{type(e).__name__}: {e}") from None
    return {name: np.asarray(value) for name, value in zip(node.outputs, results) if name}


def fold_constants(graph: Graph) -> None:
    """Fold every node computable from initializers alone, in order, removing it from the graph."""
    kept = []
    for node in graph.nodes:
        if foldable(node, graph.constants):
            graph.constants.update(fold(node, graph.constants))
        else:
            kept.append(node)
    graph.nodes = kept
