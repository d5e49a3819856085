"""Graph queries and in-place edits shared by the optimizer passes.

Passes rewire a model freely; tensors left unreferenced are dropped, and indices renumbered, by dead_code.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir


def readers(model: ir.Model) -> dict[int, list[int]]:
    """Tensor index -> positions of the ops reading it, one entry per read (an op reading it twice is listed twice)."""
    found: dict[int, list[int]] = {}
    for position, op in enumerate(model.operators):
        for index in op.inputs:
            if index >= 0:
                found.setdefault(index, []).append(position)
    return found


def producers(model: ir.Model) -> dict[int, int]:
    """Tensor index -> position of the op writing it (model inputs and constants have none)."""
    return {index: position for position, op in enumerate(model.operators) for index in op.outputs}


def sole_reader(model: ir.Model, tensor: int) -> int | None:
    """Position of the one op reading `tensor`, when it reads it once, no other op reads it and it is no model
    output; else None."""
    if tensor in model.outputs:
        return None
    positions = readers(model).get(tensor, [])
    return positions[0] if len(positions) == 1 else None


def replace_reads(model: ir.Model, old: int, new: int) -> None:
    """Every op input naming tensor `old` names tensor `new` instead."""
    for op in model.operators:
        op.inputs = [new if index == old else index for index in op.inputs]


def absorb(model: ir.Model, position: int, consumer: int) -> None:
    """The op at `position` writes the output of the later op at `consumer`, which is removed; the op's own output
    tensor is left unreferenced."""
    model.operators[position].outputs = list(model.operators[consumer].outputs)
    del model.operators[consumer]


def add_constant(model: ir.Model, name: str, data: np.ndarray) -> int:
    """Append a constant tensor holding `data` (its dtype decides the tensor's) and return its index."""
    data = np.ascontiguousarray(data)
    model.tensors.append(ir.Tensor(name, tuple(data.shape), ir.dtype_of(data), data=data))
    return len(model.tensors) - 1


def is_float(model: ir.Model, tensor: int) -> bool:
    """Whether the tensor is float32 (the only dtype the fusing passes rewrite)."""
    return model.tensors[tensor].dtype == ir.DType.FLOAT32
