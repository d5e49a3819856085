"""The functional graph behind Model: the layer calls (Nodes) between given inputs and outputs, in an order
where every node comes after the nodes producing its inputs, and one forward pass over them."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...errors import ShapeError
from ..layers.layer import Layer
from ..layers.symbolic import Node, SymbolicTensor
from ..tensor import Tensor


def ordered_nodes(inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor]) -> list[Node]:
    """Every node the outputs depend on, producers first; raises ValueError if an output needs an Input that is
    not among inputs."""
    known = {id(x) for x in inputs}
    order: list[Node] = []
    done: set[int] = set()
    stack: list[tuple[SymbolicTensor, bool]] = [(o, False) for o in reversed(outputs)]
    while stack:
        value, expanded = stack.pop()
        if id(value) in known and not expanded:
            continue
        node = value.node
        if node is None:
            raise ValueError(f"an output depends on input {value.name!r}, which is not among the model's inputs")
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((value, True))
        stack.extend((x, False) for x in reversed(node.inputs))
    return order


def unique_layers(nodes: Sequence[Node]) -> list[Layer]:
    """The layers of the nodes in first-call order, each once (a shared layer is called by several nodes)."""
    seen: dict[int, Layer] = {}
    for node in nodes:
        seen.setdefault(id(node.layer), node.layer)
    return list(seen.values())


def run_graph(inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor], nodes: Sequence[Node],
              data: Sequence[Tensor], training: bool, rng: np.random.Generator | None) -> list[Tensor]:
    """One forward pass: data [N, *input.shape] per input -> one Tensor per output."""
    if len(data) != len(inputs):
        raise ShapeError(f"the model takes {len(inputs)} input(s), got {len(data)}")
    values: dict[int, Tensor] = {}
    for symbol, tensor in zip(inputs, data):
        if tuple(tensor.shape[1:]) != symbol.shape:
            raise ShapeError(f"input {symbol.name!r} takes samples of shape {list(symbol.shape)}, got batch "
                             f"{list(tensor.shape)}")
        values[id(symbol)] = tensor
    for node in nodes:
        values[id(node.output)] = node.layer.forward([values[id(x)] for x in node.inputs], training, rng)
    return [values[id(o)] for o in outputs]
