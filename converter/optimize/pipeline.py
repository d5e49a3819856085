"""The optimizer pipeline: the passes in their one order, run to a fixed point on a copy of a float model.

Each pass is a function (model) -> bool that rewrites the model in place and says whether it changed anything.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from tensorlet.converter import ir
from tensorlet.converter.optimize.constant_folding import constant_folding
from tensorlet.converter.optimize.dead_code import dead_code
from tensorlet.converter.optimize.fold_scale_shift import fold_scale_shift
from tensorlet.converter.optimize.fuse_activation import fuse_activation
from tensorlet.converter.optimize.fuse_pad import fuse_pad
from tensorlet.converter.optimize.remove_identity import remove_identity

PASSES: list[Callable[[ir.Model], bool]] = [
    dead_code,
    constant_folding,
    remove_identity,
    fuse_pad,
    fold_scale_shift,
    fuse_activation,
]


def optimize(model: ir.Model) -> ir.Model:
    """An equivalent model with no more ops, after every pass of PASSES found nothing left to do; `model` itself is
    untouched. The result is not memory-planned: activations have no arena offset and arena_bytes is 0."""
    result = copy.deepcopy(model)
    changed = True
    while changed:
        changed = any([apply(result) for apply in PASSES])  # a list: every pass runs in every round
    for tensor in result.tensors:
        if not tensor.is_constant:
            tensor.arena_offset = -1
    result.arena_bytes = 0
    return result
