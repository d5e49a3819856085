"""The offline memory planner: place every activation in one arena so that tensors live at the same time
never share bytes, greedily by size as TFLite Micro's greedy planner does.
"""
from __future__ import annotations

import random
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


def _aligned_down(n: int) -> int:
    return n // ARENA_ALIGNMENT * ARENA_ALIGNMENT


def _busy(i: int, offsets: dict[int, int], sizes: dict[int, int], spans) -> list[tuple[int, int]]:
    """Byte ranges of the placed tensors whose lifetimes overlap tensor i's."""
    first, last = spans[i]
    return [(offsets[j], offsets[j] + sizes[j]) for j in offsets if spans[j][0] <= last and first <= spans[j][1]]


def _free(offset: int, size: int, busy: list[tuple[int, int]]) -> bool:
    return all(offset + size <= start or end <= offset for start, end in busy)


def _lowest(size: int, busy: list[tuple[int, int]]) -> int:
    """The lowest aligned offset where `size` bytes fit between the busy ranges (first fit)."""
    return min(c for c in [0] + [_aligned(end) for _, end in busy] if _free(c, size, busy))


def _place_greedy(order: list[int], sizes: dict[int, int], spans) -> dict[int, int]:
    """Each tensor, in `order`, at the lowest offset free of already placed tensors live with it."""
    offsets: dict[int, int] = {}
    for i in order:
        offsets[i] = _lowest(sizes[i], _busy(i, offsets, sizes, spans))
    return offsets


def _place_two_ended(order: list[int], sizes: dict[int, int], spans, capacity: int) -> dict[int, int] | None:
    """Pack into `capacity` bytes, putting each tensor at the bottom when it can sit at 0, else against the top
    when it fits there, else at its lowest free offset; None when something does not fit."""
    offsets: dict[int, int] = {}
    for i in order:
        size, busy = sizes[i], _busy(i, offsets, sizes, spans)
        low = _lowest(size, busy)
        tops = [_aligned_down(capacity - size)] + [_aligned_down(start - size) for start, _ in busy]
        high = max((c for c in tops if c >= 0 and c + size <= capacity and _free(c, size, busy)), default=None)
        if low != 0 and high is not None and high + size + ARENA_ALIGNMENT > capacity:
            offsets[i] = high
        elif low + size <= capacity:
            offsets[i] = low
        else:
            return None
    return offsets


def _arena(offsets: dict[int, int], sizes: dict[int, int]) -> int:
    return _aligned(max((offsets[i] + sizes[i] for i in offsets), default=0))


def _restarts(count: int) -> int:
    """How many randomized greedy orders to try: more for small graphs, bounded work for big ones."""
    return max(4, min(200, 40000 // max(count, 1)))


def plan(model: Model) -> MemoryPlan:
    """The smallest of greedy first-fit placements (by size, by size x lifetime, by first use) and two-ended
    packings (by size, by first use) into the smallest capacity bisection finds between the lower bound and the
    best arena so far; then, while more than 1% above the lower bound, greedy placements in seeded randomly
    perturbed size orders."""
    spans = lifetimes(model)
    sizes = {i: model.tensors[i].nbytes for i in spans}
    steps = range(max(len(model.operators), 1))
    lower_bound = max((sum(sizes[i] for i, (a, b) in spans.items() if a <= t <= b) for t in steps), default=0)
    by_size = sorted(spans, key=lambda i: (-sizes[i], spans[i][0]))
    orders = [
        by_size,
        sorted(spans, key=lambda i: (-sizes[i] * (spans[i][1] - spans[i][0] + 1), spans[i][0])),
        sorted(spans, key=lambda i: (spans[i][0], -sizes[i])),
    ]
    best = min((_place_greedy(order, sizes, spans) for order in orders), key=lambda o: _arena(o, sizes))
    for order in (by_size, orders[2]):
        low, high = _aligned(lower_bound), _arena(best, sizes) - ARENA_ALIGNMENT
        while low <= high:
            capacity = _aligned_down((low + high) // 2 + ARENA_ALIGNMENT // 2)
            packed = _place_two_ended(order, sizes, spans, capacity)
            if packed is None:
                low = capacity + ARENA_ALIGNMENT
            else:
                best, high = packed, capacity - ARENA_ALIGNMENT
    rng = random.Random(0)
    for _ in range(_restarts(len(spans))):
        if _arena(best, sizes) <= 1.01 * lower_bound:
            break
        order = sorted(spans, key=lambda i: -sizes[i] * rng.uniform(0.5, 1.5))
        best = min(best, _place_greedy(order, sizes, spans), key=lambda o: _arena(o, sizes))
    return MemoryPlan(offsets=best, arena_bytes=_arena(best, sizes), lower_bound=lower_bound)


def apply_plan(model: Model) -> MemoryPlan:
    """Plan `model`'s arena and write the offsets and arena_bytes into it."""
    result = plan(model)
    for i, offset in result.offsets.items():
        model.tensors[i].arena_offset = offset
    model.arena_bytes = result.arena_bytes
    return result
