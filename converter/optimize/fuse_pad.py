"""fuse_pad: a float PAD over H and W feeding only a CONV_2D, DEPTHWISE_CONV_2D or 2-D pool becomes that op's
padding when the result is exactly the same; otherwise the PAD stays."""
from __future__ import annotations

import dataclasses
import math

from tensorlet.converter import ir
from tensorlet.converter.optimize.graph import is_float, producers, sole_reader
from tensorlet.converter.reference.ops.pad import pad_widths

_CONVS = (ir.OpCode.CONV_2D, ir.OpCode.DEPTHWISE_CONV_2D)
_POOLS = (ir.OpCode.AVERAGE_POOL_2D, ir.OpCode.MAX_POOL_2D)
_PAD_FIELDS = ("pad_top", "pad_bottom", "pad_left", "pad_right")
_RECTIFIERS = (ir.OpCode.RELU, ir.OpCode.RELU6)


def _hw_pads(model: ir.Model, pad: ir.Operator) -> tuple[int, ...] | None:
    """(top, bottom, left, right) of a float PAD of a rank-4 tensor that leaves dims 0 and 3 alone; else None."""
    x = pad.inputs[0]
    if len(model.tensors[x].shape) != 4 or not is_float(model, x):
        return None
    widths = pad_widths(pad.options.paddings)
    if widths[0] != (0, 0) or widths[3] != (0, 0):
        return None
    return widths[1] + widths[2]


def _lower_bound(model: ir.Model, tensor: int) -> float:
    """A value no element of `tensor` is below: 0 when a RELU/RELU6 (an op or a fused activation) wrote it."""
    writer = producers(model).get(tensor)
    if writer is None:
        return -math.inf
    op = model.operators[writer]
    rectified = op.opcode in _RECTIFIERS or getattr(op.options, "activation", ir.Activation.NONE) != ir.Activation.NONE
    return 0.0 if rectified else -math.inf


def _with_pads(options: object, pads: tuple[int, ...]) -> object:
    """`options` with the PAD's (top, bottom, left, right) added to its own pads."""
    added = {name: getattr(options, name) + extra for name, extra in zip(_PAD_FIELDS, pads)}
    return dataclasses.replace(options, **added)


def _merged_options(model: ir.Model, pad: ir.Operator, consumer: ir.Operator,
                    pads: tuple[int, ...]) -> object | None:
    """The consumer's options with the PAD folded in, or None when that would change the result: convolutions
    need a zero pad; an average pool a zero pad and count_include_pad (already on, or no pads of its own); a max
    pool a pad value no input is below; a pool, pads below its filter size."""
    value, options = pad.options.value, consumer.options
    if consumer.opcode in _CONVS:
        return _with_pads(options, pads) if value == 0.0 else None
    if consumer.opcode == ir.OpCode.AVERAGE_POOL_2D:
        own_pads = any(getattr(options, name) for name in _PAD_FIELDS)
        if value != 0.0 or (own_pads and not options.count_include_pad):
            return None
        merged = dataclasses.replace(_with_pads(options, pads), count_include_pad=True)
    else:
        if not value <= _lower_bound(model, pad.inputs[0]):
            return None
        merged = _with_pads(options, pads)
    filters = (merged.filter_h, merged.filter_h, merged.filter_w, merged.filter_w)
    fits = all(getattr(merged, name) < size for name, size in zip(_PAD_FIELDS, filters))
    return merged if fits else None


def _rewrite_one(model: ir.Model) -> bool:
    """Fold the first foldable PAD into its reader; True when one was folded (the PAD is left for dead_code)."""
    for pad in model.operators:
        if pad.opcode != ir.OpCode.PAD:
            continue
        reader, pads = sole_reader(model, pad.outputs[0]), _hw_pads(model, pad)
        if reader is None or pads is None:
            continue
        consumer = model.operators[reader]
        if consumer.opcode not in _CONVS + _POOLS or consumer.inputs[0] != pad.outputs[0]:
            continue
        merged = _merged_options(model, pad, consumer, pads)
        if merged is not None:
            consumer.options = merged
            consumer.inputs = [pad.inputs[0]] + consumer.inputs[1:]
            return True
    return False


def fuse_pad(model: ir.Model) -> bool:
    """Fold, in place, every PAD whose padding its only reader can do itself with the same result; True when
    anything changed."""
    changed = False
    while _rewrite_one(model):
        changed = True
    return changed
