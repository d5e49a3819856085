"""dead_code: remove ops whose outputs nothing uses and tensors nothing references, renumbering tensor indices.

Model inputs and outputs always stay, in their order, even when no op reads an input.
"""
from __future__ import annotations

from tensorlet.converter import ir


def _renumber(model: ir.Model) -> bool:
    """Keep, in order, the tensors an op or the model's interface references and renumber every index to match;
    True when a tensor was dropped."""
    used = set(model.inputs) | set(model.outputs)
    for op in model.operators:
        used.update(index for index in op.inputs + op.outputs if index >= 0)
    if len(used) == len(model.tensors):
        return False
    kept = sorted(used)
    new = {old: position for position, old in enumerate(kept)}
    model.tensors = [model.tensors[i] for i in kept]
    for op in model.operators:
        op.inputs = [new[i] if i >= 0 else -1 for i in op.inputs]
        op.outputs = [new[i] for i in op.outputs]
    model.inputs = [new[i] for i in model.inputs]
    model.outputs = [new[i] for i in model.outputs]
    return True


def dead_code(model: ir.Model) -> bool:
    """Remove, in place, every op none of whose outputs reaches a model output, then every unreferenced tensor;
    True when anything was removed."""
    live = set(model.outputs)
    kept: list[ir.Operator] = []
    for op in reversed(model.operators):
        if live.intersection(op.outputs):
            kept.append(op)
            live.update(index for index in op.inputs if index >= 0)
    removed_ops = len(kept) < len(model.operators)
    model.operators = kept[::-1]
    return _renumber(model) or removed_ops
