"""The offline memory planner: place every activation in one arena so that tensors live at the same time
never share bytes, greedily by size as TFLite Micro's greedy planner does.
"""
from __future__ import annotations

from dataclasses import dataclass

from tensorlet.converter.ir import ARENA_ALIGNMENT, Model


@dataclass
class MemoryPlan:
    offsets: dict[int, int]   # tensor index -> arena byte offset
    arena_bytes: int
    lower_bound: int          # max over steps of the bytes live at that step

    @property
    def ratio(self) -> float:
        return self.arena_bytes / self.lower_bound if self.lower_bound else 1.0


def lifetimes(model: Model) -> dict[int, tuple[int, int]]:
    """Activation tensor index -> (first step, last step) it is live; steps are operator positions.

    Model inputs are live from step 0, model outputs until the last step; an op's inputs and outputs are live
    at its step together (no in-place execution).
    """
    last_step = max(len(model.operators) - 1, 0)
    span: dict[int, list[int]] = {i: [0, 0] for i in model.inputs}
    for step, op in enumerate(model.operators):
        for i in list(op.inputs) + list(op.outputs):
            if i < 0 or model.tensors[i].is_constant:
                continue
            if i in span:
                span[i][1] = max(span[i][1], step)
            else:
                span[i] = [step, step]
    for i in model.outputs:
        span.setdefault(i, [0, 0])[1] = last_step
    return {i: (first, last) for i, (first, last) in span.items()}


def _aligned(n: int) -> int:
    return (n + ARENA_ALIGNMENT - 1) // ARENA_ALIGNMENT * ARENA_ALIGNMENT


def _place(order: list[int], sizes: dict[int, int], spans: dict[int, tuple[int, int]]) -> dict[int, int]:
    """Give each tensor, in `order`, the lowest aligned offset free of already placed tensors live with it."""
    offsets: dict[int, int] = {}
    for i in order:
        first, last = spans[i]
        busy = sorted((offsets[j], offsets[j] + sizes[j]) for j in offsets
                      if spans[j][0] <= last and first <= spans[j][1])
        candidate = 0
        for start, end in busy:
            if candidate + sizes[i] <= start:
                break
            candidate = max(candidate, _aligned(end))
        offsets[i] = candidate
    return offsets


def plan(model: Model) -> MemoryPlan:
    """The smallest of a few greedy placements (by size, by size x lifetime, by first use)."""
    spans = lifetimes(model)
    sizes = {i: model.tensors[i].nbytes for i in spans}
    steps = range(max(len(model.operators), 1))
    lower_bound = max((sum(sizes[i] for i, (a, b) in spans.items() if a <= t <= b) for t in steps), default=0)
    orders = [
        sorted(spans, key=lambda i: (-sizes[i], spans[i][0])),
        sorted(spans, key=lambda i: (-sizes[i] * (spans[i][1] - spans[i][0] + 1), spans[i][0])),
        sorted(spans, key=lambda i: (spans[i][0], -sizes[i])),
    ]
    best = None
    for order in orders:
        offsets = _place(order, sizes, spans)
        arena = _aligned(max((offsets[i] + sizes[i] for i in offsets), default=0))
        if best is None or arena < best.arena_bytes:
            best = MemoryPlan(offsets=offsets, arena_bytes=arena, lower_bound=lower_bound)
    return best


def apply_plan(model: Model) -> MemoryPlan:
    """Plan `model`'s arena and write the offsets and arena_bytes into it."""
    result = plan(model)
    for i, offset in result.offsets.items():
        model.tensors[i].arena_offset = offset
    model.arena_bytes = result.arena_bytes
    return result
