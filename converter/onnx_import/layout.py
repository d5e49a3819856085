"""How an ONNX value's elements sit in the IR tensor that stores it: an axis permutation (NCHW stored as NHWC),
or a last axis flattened from a permuted block (a Flatten of an NHWC feature map), plus the algebra between them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NHWC = (0, 2, 3, 1)  # an NCHW value stored channels-last


@dataclass(frozen=True)
class Layout:
    """Stored axis k holds logical axis perm[k]. When flat_dims is set (perm is then the identity), the logical
    last axis is the row-major flattening of a logical block of shape flat_dims, stored in the block's axis order
    flat_perm: stored position k along the last axis holds logical position order()[k]."""

    perm: tuple[int, ...]
    flat_dims: tuple[int, ...] = ()
    flat_perm: tuple[int, ...] = ()

    @property
    def rank(self) -> int:
        return len(self.perm)

    @property
    def is_flat(self) -> bool:
        return bool(self.flat_dims)

    @property
    def is_identity(self) -> bool:
        return not self.is_flat and self.perm == tuple(range(self.rank))

    @property
    def tag(self) -> str:
        """A short name for tensor names: 'nhwc', 'perm021', 'flat'."""
        if self.is_flat:
            return "flat"
        return "nhwc" if self.perm == NHWC else "perm" + "".join(str(p) for p in self.perm)

    def stored_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """logical shape -> the stored tensor's shape."""
        return tuple(int(shape[p]) for p in self.perm)

    def order(self) -> np.ndarray:
        """[K] int64: the logical last-axis position each stored position holds (flat layouts only)."""
        size = math.prod(self.flat_dims)
        return np.arange(size).reshape(self.flat_dims).transpose(self.flat_perm).ravel()

    def store(self, array: np.ndarray) -> np.ndarray:
        """A constant broadcastable to a value of this layout's rank, rearranged like the stored tensor."""
        full = np.asarray(array).reshape((1,) * (self.rank - np.ndim(array)) + np.shape(array))
        stored = np.transpose(full, self.perm)
        if self.is_flat and stored.shape[-1] != 1:
            stored = np.take(stored, self.order(), axis=-1)
        return np.ascontiguousarray(stored)


def identity(rank: int) -> Layout:
    return Layout(tuple(range(rank)))


def inverse(perm) -> tuple[int, ...]:
    result = [0] * len(perm)
    for k, p in enumerate(perm):
        result[p] = k
    return tuple(result)


def expanded(layout: Layout, extra: int) -> Layout:
    """The layout of the same stored data seen with `extra` leading unit axes added to the logical shape."""
    return Layout(tuple(range(extra)) + tuple(p + extra for p in layout.perm))


def moved_last(layout: Layout, axis: int) -> Layout:
    """The layout keeping the other axes' stored order, with logical `axis` stored last."""
    return Layout(tuple(p for p in layout.perm if p != axis) + (axis,))


def transpose_between(source: Layout, target: Layout) -> tuple[int, ...]:
    """The TRANSPOSE perm taking a tensor stored in `source` to `target` (both axis layouts of one rank)."""
    position = inverse(source.perm)
    return tuple(position[p] for p in target.perm)


def is_pure_reshape(shape: tuple[int, ...], perm: tuple[int, ...]) -> bool:
    """True when transposing a tensor of `shape` by `perm` keeps its memory order (the non-unit axes stay in
    order), so a RESHAPE does the same job."""
    moved = [p for p in perm if shape[p] != 1]
    return moved == sorted(moved)


def _groups(shape: tuple[int, ...], target: tuple[int, ...]) -> list[tuple[list[int], list[int]]] | None:
    """Pair the non-unit axes of two shapes of equal size into minimal runs with equal products."""
    ins = [a for a, d in enumerate(shape) if d != 1]
    outs = [a for a, d in enumerate(target) if d != 1]
    groups, i, j = [], 0, 0
    while i < len(ins) and j < len(outs):
        group_in, group_out = [ins[i]], [outs[j]]
        size_in, size_out = shape[ins[i]], target[outs[j]]
        i, j = i + 1, j + 1
        while size_in != size_out:
            if size_in < size_out and i < len(ins):
                group_in.append(ins[i])
                size_in, i = size_in * shape[ins[i]], i + 1
            elif size_out < size_in and j < len(outs):
                group_out.append(outs[j])
                size_out, j = size_out * target[outs[j]], j + 1
            else:
                return None
        groups.append((group_in, group_out))
    return groups if i == len(ins) and j == len(outs) else None


def reshaped(layout: Layout, shape: tuple[int, ...], target: tuple[int, ...]) -> Layout | None:
    """The layout in which a RESHAPE of the stored tensor yields the logical reshape shape -> target, or None when
    the reshape needs another element order (it merges or splits axes the layout keeps apart or reorders)."""
    if layout.is_flat:
        return None
    groups = _groups(shape, target)
    if groups is None:
        return None
    group_of = {a: g for g, (ins, _) in enumerate(groups) for a in ins}
    stored = [p for p in layout.perm if shape[p] != 1]
    runs: list[int] = []
    for k, axis in enumerate(stored):
        g = group_of[axis]
        if runs and runs[-1] == g:
            if axis < stored[k - 1]:
                return None
        elif g in runs:
            return None
        else:
            runs.append(g)
    perm = [a for g in runs for a in groups[g][1]]
    for axis in range(len(target)):
        if target[axis] == 1:
            perm.insert(perm.index(axis - 1) + 1 if axis > 0 else 0, axis)
    return Layout(tuple(perm))


def flattened(layout: Layout, shape: tuple[int, ...], target: tuple[int, ...]) -> Layout | None:
    """A flat layout for a reshape that merges the trailing logical axes shape[a:] into target's last axis while
    the layout keeps the leading axes in place; None when the reshape is not of that form."""
    if layout.is_flat:
        return None
    lead = len(target) - 1
    if tuple(shape[:lead]) != tuple(target[:lead]) or layout.perm[:lead] != tuple(range(lead)):
        return None
    return Layout(tuple(range(len(target))), tuple(shape[lead:]), tuple(p - lead for p in layout.perm[lead:]))
