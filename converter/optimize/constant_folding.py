"""constant_folding: an op reading only constants runs once, through its reference kernel, and becomes a constant.

DEQUANTIZE stays: it is how a model keeps weights compact (float16 or int8), and model outputs stay activations.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.reference.ops import OPS


def _foldable(model: ir.Model, op: ir.Operator) -> bool:
    """Every present input is a constant, there is one, the op is no DEQUANTIZE and writes no model output
    (a model output cannot be a constant)."""
    present = [index for index in op.inputs if index >= 0]
    return (op.opcode != ir.OpCode.DEQUANTIZE and bool(present)
            and all(model.tensors[index].is_constant for index in present)
            and not set(op.outputs) & set(model.outputs))


def _fold(model: ir.Model, op: ir.Operator) -> None:
    """Run the op on its constant inputs and store the results as constant data in its output tensors."""
    ins = [model.tensors[index] if index >= 0 else None for index in op.inputs]
    values = [None if t is None else t.data for t in ins]
    outs = [model.tensors[index] for index in op.outputs]
    for index, tensor, value in zip(op.outputs, outs, OPS[op.opcode].run(op, ins, values, outs)):
        model.tensors[index] = dataclasses.replace(tensor, data=np.array(value, copy=True), arena_offset=-1)


def constant_folding(model: ir.Model) -> bool:
    """Replace, in place, every op whose inputs are all constants (after folding the ops before it) by constant
    output tensors; True when an op was folded."""
    kept: list[ir.Operator] = []
    for op in model.operators:
        if _foldable(model, op):
            _fold(model, op)
        else:
            kept.append(op)
    folded = len(kept) < len(model.operators)
    model.operators = kept
    return folded
