"""remove_identity: drop RESHAPE and TRANSPOSE ops that move no data, and shorten chains of two of the same kind.

The model's input and output tensors (names, shapes) stay as they are: an identity between the two is kept.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.optimize.graph import producers, replace_reads

_LAYOUT_OPS = (ir.OpCode.RESHAPE, ir.OpCode.TRANSPOSE)


def composed_perm(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """The one perm equal to TRANSPOSE(first) then TRANSPOSE(second): output dim k is input dim first[second[k]]."""
    return tuple(first[k] for k in second)


def _is_identity(model: ir.Model, op: ir.Operator) -> bool:
    """A RESHAPE or TRANSPOSE whose output has the input's shape, dtype and quantization and the same element order
    (a TRANSPOSE may only move size-1 dims)."""
    x, y = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    if (tuple(x.shape), x.dtype, x.quantization) != (tuple(y.shape), y.dtype, y.quantization):
        return False
    if op.opcode == ir.OpCode.RESHAPE:
        return True
    moved = [d for d in op.options.perm if x.shape[d] != 1]
    return moved == sorted(moved)


def _shorten_chain(model: ir.Model, op: ir.Operator) -> bool:
    """A RESHAPE of a RESHAPE's output, or a TRANSPOSE of a TRANSPOSE's output, reads the first op's input
    instead (perms composed); True when rewired. The first op stays while something else reads its output."""
    source = producers(model).get(op.inputs[0])
    if source is None or model.operators[source].opcode != op.opcode:
        return False
    first = model.operators[source]
    op.inputs = [first.inputs[0]]
    if op.opcode == ir.OpCode.TRANSPOSE:
        op.options = ir.TransposeOptions(perm=composed_perm(tuple(first.options.perm), tuple(op.options.perm)))
    return True


def _bypass(model: ir.Model, position: int) -> bool:
    """Remove the identity op at `position`: its readers read its input, or, when its output is a model output,
    the input's producer writes that output instead. False (nothing changed) when both ends are model interface
    tensors or the input is a constant feeding a model output."""
    op = model.operators[position]
    source, target = op.inputs[0], op.outputs[0]
    if target not in model.outputs:
        del model.operators[position]
        replace_reads(model, target, source)
        return True
    writer = producers(model).get(source)
    if writer is None or source in model.outputs:
        return False
    del model.operators[position]
    model.operators[writer].outputs = [target if index == source else index
                                       for index in model.operators[writer].outputs]
    replace_reads(model, source, target)
    return True


def _rewrite_one(model: ir.Model) -> bool:
    """Apply the first applicable rewrite; True when one was applied."""
    for position, op in enumerate(model.operators):
        if op.opcode not in _LAYOUT_OPS:
            continue
        if _shorten_chain(model, op) or (_is_identity(model, op) and _bypass(model, position)):
            return True
    return False


def remove_identity(model: ir.Model) -> bool:
    """Drop identity RESHAPE/TRANSPOSE ops and shorten RESHAPE->RESHAPE and TRANSPOSE->TRANSPOSE chains, in place;
    True when anything changed."""
    changed = False
    while _rewrite_one(model):
        changed = True
    return changed
