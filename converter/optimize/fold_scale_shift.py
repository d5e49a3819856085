"""fold_scale_shift: a float MUL, ADD or SUB by a per-output-channel constant right after a conv-like op folds into
its weights and bias (how inference BatchNorm, lowered to MUL + ADD, disappears)."""
from __future__ import annotations

import dataclasses

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.optimize.graph import absorb, add_constant, is_float, producers, sole_reader

# The weights' output-channel axis of each conv-like op (the channel is the last axis of its output).
CHANNEL_AXIS = {ir.OpCode.CONV_2D: 0, ir.OpCode.DEPTHWISE_CONV_2D: 3, ir.OpCode.TRANSPOSE_CONV: 0,
                ir.OpCode.FULLY_CONNECTED: 0}
_AFFINE_OPS = (ir.OpCode.MUL, ir.OpCode.ADD, ir.OpCode.SUB)


def _per_channel(model: ir.Model, constant: int, output: int) -> np.ndarray | None:
    """The float32 constant as one float64 value per channel of `output` ([C]), when it broadcasts against the
    output along the last axis only and leaves its shape unchanged; else None."""
    c, y = model.tensors[constant], model.tensors[output]
    channels = y.shape[-1]
    if not c.is_constant or c.dtype != ir.DType.FLOAT32 or len(c.shape) > len(y.shape):
        return None
    if any(d != 1 for d in c.shape[:-1]) or c.size not in (1, channels):
        return None
    return np.broadcast_to(c.data.reshape(-1).astype(np.float64), (channels,))


def _affine(model: ir.Model, op: ir.Operator, source: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(scale, shift) per channel with op(source) = scale * source + shift, for a MUL/ADD/SUB of `source` and a
    per-channel constant; else None."""
    other = op.inputs[1] if op.inputs[0] == source else op.inputs[0]
    values = _per_channel(model, other, source)
    if values is None:
        return None
    ones, zeros = np.ones_like(values), np.zeros_like(values)
    if op.opcode == ir.OpCode.MUL:
        return values, zeros
    if op.opcode == ir.OpCode.ADD:
        return ones, values
    return (ones, -values) if op.inputs[0] == source else (-ones, values)


def _float_weights(model: ir.Model, op: ir.Operator) -> bool:
    """A float conv-like op with no fused activation, constant float32 weights and a constant bias or none."""
    if op.opcode not in CHANNEL_AXIS or op.options.activation != ir.Activation.NONE:
        return False
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    return (is_float(model, op.inputs[0]) and model.tensors[op.inputs[1]].is_constant
            and is_float(model, op.inputs[1]) and (bias < 0 or model.tensors[bias].is_constant))


def _folded_name(name: str) -> str:
    """The name of weights rescaled by a fold: one "/folded" suffix however many folds."""
    return name if name.endswith("/folded") else f"{name}/folded"


def _fold(model: ir.Model, position: int, consumer: int, scale: np.ndarray, shift: np.ndarray) -> None:
    """Scale the weights of the op at `position` along their output-channel axis, set bias' = bias * scale + shift
    (bias 0 when absent), hand it the consumer's activation and output, and remove the consumer."""
    op, after = model.operators[position], model.operators[consumer]
    weights = model.tensors[op.inputs[1]]
    bias_index = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = model.tensors[bias_index].data if bias_index >= 0 else np.zeros(scale.shape, np.float32)
    if np.any(scale != 1.0):
        shape = [1] * len(weights.shape)
        shape[CHANNEL_AXIS[op.opcode]] = -1
        scaled = (weights.data.astype(np.float64) * scale.reshape(shape)).astype(np.float32)
        op.inputs[1] = add_constant(model, _folded_name(weights.name), scaled)
    new_bias = (bias.astype(np.float64) * scale + shift).astype(np.float32)
    op.inputs = op.inputs[:2] + [add_constant(model, f"{model.tensors[after.outputs[0]].name}/bias", new_bias)]
    op.options = dataclasses.replace(op.options, activation=after.options.activation)
    absorb(model, position, consumer)


def _rewrite_one(model: ir.Model) -> bool:
    """Fold the first applicable MUL/ADD/SUB into the conv-like op before it; True when one was folded."""
    writers = producers(model)
    for consumer, op in enumerate(model.operators):
        if op.opcode not in _AFFINE_OPS or not is_float(model, op.outputs[0]):
            continue
        for source in op.inputs:
            position = writers.get(source)
            if position is None or sole_reader(model, source) != consumer:
                continue
            affine = _affine(model, op, source)
            if affine is not None and _float_weights(model, model.operators[position]):
                _fold(model, position, consumer, *affine)
                return True
    return False


def fold_scale_shift(model: ir.Model) -> bool:
    """Fold, in place, every per-channel MUL/ADD/SUB that alone reads a conv-like op's output into that op's weights
    and bias; True when anything changed."""
    changed = False
    while _rewrite_one(model):
        changed = True
    return changed
