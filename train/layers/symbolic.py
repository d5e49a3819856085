"""Symbolic tensors for the functional API: `Input(shape)` and the outputs of layers called on symbolic inputs.

A SymbolicTensor holds no data: it stands for a batch of samples of `shape` (the batch axis left out) and
remembers the Node (layer + inputs) that produces it, so Model(inputs, outputs) can walk the graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .layer import Layer


class SymbolicTensor:
    """A placeholder for a batch [N, *shape] in a functional graph; `node` is None for an Input."""

    def __init__(self, shape: tuple[int, ...], node: "Node | None", name: str):
        self.shape = tuple(int(d) for d in shape)
        self.node = node
        self.name = name

    def __repr__(self) -> str:
        return f"SymbolicTensor(name={self.name!r}, shape=[N, {', '.join(map(str, self.shape))}])"


@dataclass(eq=False)
class Node:
    """One call of a layer in a graph: layer(*inputs) -> output."""

    layer: "Layer"
    inputs: tuple[SymbolicTensor, ...]
    output: SymbolicTensor


def Input(shape: tuple[int, ...] | list[int], name: str = "input") -> SymbolicTensor:
    """A model input: batches [N, *shape] (NCHW images: shape (C, H, W)). ONNX export keeps the name, suffixed
    _1, _2, ... when several inputs share it."""
    if any(int(d) <= 0 for d in shape):
        raise ValueError(f"Input shape must be positive sizes without the batch axis, not {tuple(shape)}")
    return SymbolicTensor(tuple(shape), None, name)
