"""fuse_activation: a float RELU or RELU6 op becomes the fused activation of the op before it, or merges with a
RELU/RELU6 op before it, when that op's output feeds nothing else."""
from __future__ import annotations

import dataclasses

from tensorlet.converter import ir
from tensorlet.converter.optimize.graph import absorb, is_float, producers, sole_reader

_ACTIVATION_OF = {ir.OpCode.RELU: ir.Activation.RELU, ir.OpCode.RELU6: ir.Activation.RELU6}
_OPCODE_OF = {activation: opcode for opcode, activation in _ACTIVATION_OF.items()}


def then(first: ir.Activation, second: ir.Activation) -> ir.Activation:
    """The one clamp equal to `first` followed by `second` (NONE < RELU < RELU6: the tighter one wins)."""
    return max(first, second)


def _fuse_into(model: ir.Model, position: int, consumer: int) -> bool:
    """Fold the RELU/RELU6 op at `consumer` into the float op at `position` that feeds only it; True when done."""
    op = model.operators[position]
    activation = _ACTIVATION_OF[model.operators[consumer].opcode]
    if op.quant_params is not None:
        return False
    if hasattr(op.options, "activation"):
        op.options = dataclasses.replace(op.options, activation=then(op.options.activation, activation))
    elif op.opcode in _ACTIVATION_OF:
        op.opcode = _OPCODE_OF[then(_ACTIVATION_OF[op.opcode], activation)]
    else:
        return False
    absorb(model, position, consumer)
    return True


def _rewrite_one(model: ir.Model) -> bool:
    """Fuse the first applicable RELU/RELU6 op; True when one was fused."""
    writers = producers(model)
    for consumer, op in enumerate(model.operators):
        source = op.inputs[0]
        if (op.opcode in _ACTIVATION_OF and is_float(model, source) and source in writers
                and sole_reader(model, source) == consumer and _fuse_into(model, writers[source], consumer)):
            return True
    return False


def fuse_activation(model: ir.Model) -> bool:
    """Fuse, in place, every float RELU/RELU6 op into the op producing its input when nothing else reads that
    input; True when anything changed."""
    changed = False
    while _rewrite_one(model):
        changed = True
    return changed
