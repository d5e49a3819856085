"""Decide the int8 quantization of every activation of a float model: which tensors share one quantization, which
are fixed by their kernel, where a CONCATENATION input is requantized, and which kernel limits widen a scale.

Tensors joined by a SHARED op form one group (union-find); an op with a FIXED_OUTPUT, or a tensor that the source
already holds as int8, pins its group. A CONCATENATION puts its output and inputs on one range (the output's
observed range is already the union of the inputs'): an input joins the output's group when that changes nothing
else (its group has no other consumers and no different pin); otherwise the concatenation reads it through an
int8 -> int8 QUANTIZE to the group's quantization. Each unpinned group takes activation_params of the union of its
members' ranges (and of the constants a tying op reads), then scales are widened until every int8 kernel accepts
them (ADD/SUB and HARD_SWISH output scales, SOFTMAX input scales).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.ir import OpCode
from tensorlet.converter.quantize.params import activation_params, f32, widened
from tensorlet.converter.quantize.rules import (CONVERT, FIXED_OUTPUT, INT8, SHARED, TO_FLOAT, is_weight, op_kind,
                                                ties_output)
from tensorlet.converter.reference.ops.binary_broadcast import LEFT_SHIFT
from tensorlet.converter.reference.ops.softmax import SCALED_DIFF_INTEGER_BITS
from tensorlet.errors import UnsupportedOpError

Params = tuple[float, int]
MARGIN = 1.01      # widen scales 1% past a kernel's strict limit


@dataclass
class QuantPlan:
    """The quantization decisions for a float source model (indices are the source model's)."""

    kinds: list[str]                                                  # per operator: rules.INT8, FLOAT, ...
    params: dict[int, Params]                                         # activation -> its int8 version's params
    requantize: dict[tuple[int, int], Params] = field(default_factory=dict)    # (op, input) read requantized
    constants: dict[tuple[int, int], Params] = field(default_factory=dict)     # (op, input) non-weight constant


class _Groups:
    """Union-find over tensor indices with a pin (fixed params) per group."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.pins: dict[int, Params] = {}

    def find(self, i: int) -> int:
        self.parent.setdefault(i, i)
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def pin(self, i: int, params: Params) -> None:
        root = self.find(i)
        if root in self.pins and self.pins[root] != params:
            raise UnsupportedOpError(f"tensor {i} must be quantized as both {self.pins[root]} and {params}")
        self.pins[root] = params

    def pin_of(self, i: int) -> Params | None:
        return self.pins.get(self.find(i))

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        pa, pb = self.pins.pop(ra, None), self.pins.pop(rb, None)
        if pa is not None and pb is not None and pa != pb:
            raise UnsupportedOpError(f"tensors {a} and {b} must share quantization but are fixed to {pa} and {pb}")
        self.parent[ra] = rb
        if pa is not None or pb is not None:
            self.pins[rb] = pa if pa is not None else pb

    def members(self, i: int, universe) -> list[int]:
        root = self.find(i)
        return [j for j in universe if self.find(j) == root]


def _source_params(t: ir.Tensor) -> Params:
    q = t.quantization
    if q is None or len(q.scale) != 1:
        raise UnsupportedOpError(f"int8 tensor {t.name!r} of the source model needs per-tensor quantization")
    return f32(q.scale[0]), int(q.zero_point[0])


def _constant_range(t: ir.Tensor) -> tuple[float, float]:
    data = np.asarray(t.data, np.float64)
    return float(data.min()), float(data.max())


class _Planner:
    def __init__(self, model: ir.Model, ranges: dict[int, tuple[float, float]]) -> None:
        self.model = model
        self.ranges = ranges
        self.kinds = [op_kind(model, op) for op in model.operators]
        self.groups = _Groups()
        self.activations = sorted(ranges)
        self.extra: dict[int, list[tuple[float, float]]] = defaultdict(list)   # tensor -> constant ranges joined
        self.consumers: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.internal: set[tuple[int, int]] = set()                           # (op, input) edges inside groups
        self.requant_of: dict[tuple[int, int], int] = {}                      # (op, input) -> tensor it matches
        self.root_params: dict[int, Params] = {}

    def _is_activation(self, i: int) -> bool:
        return i >= 0 and not self.model.tensors[i].is_constant

    def _tie(self) -> None:
        """Pins and SHARED unions, which hold unconditionally."""
        for i in self.activations:
            self.groups.find(i)
            t = self.model.tensors[i]
            if t.dtype == ir.DType.INT8:
                self.groups.pin(i, _source_params(t))
            elif t.dtype != ir.DType.FLOAT32:
                raise UnsupportedOpError(f"activation {t.name!r} is {t.dtype.name}; the quantizer takes float32 "
                                         f"models (int8 tensors only around QUANTIZE/DEQUANTIZE)")
        for n, op in enumerate(self.model.operators):
            for k, i in enumerate(op.inputs):
                if self._is_activation(i):
                    self.consumers[i].append((n, k))
            if self.kinds[n] != INT8:
                continue
            out = op.outputs[0]
            if op.opcode in FIXED_OUTPUT:
                self.groups.pin(out, FIXED_OUTPUT[op.opcode])
            if op.opcode in SHARED:
                x = op.inputs[0]
                if self._is_activation(x):
                    self.groups.union(x, out)
                    self.internal.add((n, 0))
                else:
                    self.extra[out].append(_constant_range(self.model.tensors[x]))

    def _only_feeds(self, group_member: int, edge: tuple[int, int]) -> bool:
        """Whether every consumer of the member's group is a tie inside the group or `edge` itself."""
        for m in self.groups.members(group_member, self.activations):
            for e in self.consumers.get(m, []):
                if e != edge and e not in self.internal:
                    return False
        return True

    def _concatenations(self) -> None:
        for n, op in enumerate(self.model.operators):
            if self.kinds[n] != INT8 or op.opcode != OpCode.CONCATENATION:
                continue
            y = op.outputs[0]
            for k, x in enumerate(op.inputs):
                if not self._is_activation(x):
                    self.extra[y].append(_constant_range(self.model.tensors[x]))
                elif self.groups.find(x) == self.groups.find(y):
                    self.internal.add((n, k))
                elif self.groups.pin_of(x) == self.groups.pin_of(y) and self._only_feeds(x, (n, k)):
                    self.groups.union(x, y)
                    self.internal.add((n, k))
                else:
                    self.requant_of[(n, k)] = y

    def _initial_params(self) -> None:
        spans: dict[int, list[float]] = {}
        for i in self.activations:
            root = self.groups.find(i)
            lo, hi = self.ranges[i]
            for elo, ehi in self.extra.get(i, []):
                lo, hi = min(lo, elo), max(hi, ehi)
            span = spans.setdefault(root, [lo, hi])
            span[0], span[1] = min(span[0], lo), max(span[1], hi)
        for root, (lo, hi) in spans.items():
            pin = self.groups.pins.get(root)
            self.root_params[root] = pin if pin is not None else activation_params(lo, hi)

    def params(self, i: int) -> Params:
        return self.root_params[self.groups.find(i)]

    def read_params(self, n: int, k: int) -> Params:
        """The quantization int8 op n reads at input k (its activation's, a requantized one, or a constant's)."""
        op = self.model.operators[n]
        i = op.inputs[k]
        if (n, k) in self.requant_of:
            return self.params(self.requant_of[(n, k)])
        if self._is_activation(i):
            return self.params(i)
        if ties_output(op):
            return self.params(op.outputs[0])
        return activation_params(*_constant_range(self.model.tensors[i]))

    def _widen(self, i: int, min_scale: float, why: str) -> bool:
        """Raise tensor i's group scale to min_scale * MARGIN when below min_scale; True when it changed."""
        root = self.groups.find(i)
        current = self.root_params[root]
        if current[0] > min_scale:
            return False
        if root in self.groups.pins:
            raise UnsupportedOpError(f"{why}: tensor {self.model.tensors[i].name!r} is fixed to scale "
                                     f"{current[0]!r}, below the {min_scale!r} the kernel needs")
        self.root_params[root] = widened(current, min_scale * MARGIN)
        return True

    def _limits_once(self) -> bool:
        changed = False
        for n, op in enumerate(self.model.operators):
            if self.kinds[n] != INT8:
                continue
            name = f"operator {n} ({op.opcode.name})"
            if op.opcode in (OpCode.ADD, OpCode.SUB):
                twice_max = 2.0 * max(self.read_params(n, 0)[0], self.read_params(n, 1)[0])
                changed |= self._widen(op.outputs[0], twice_max / (1 << LEFT_SHIFT), name)
            elif op.opcode == OpCode.HARD_SWISH:
                changed |= self._widen(op.outputs[0], self.read_params(n, 0)[0] / 128.0, name)
            elif op.opcode in (OpCode.SOFTMAX, OpCode.LOG_SOFTMAX) and self._is_activation(op.inputs[0]):
                beta = f32(op.options.beta)
                changed |= self._widen(op.inputs[0], 2.0 ** -(31 - SCALED_DIFF_INTEGER_BITS) / beta, name)
        return changed

    def plan(self) -> QuantPlan:
        self._tie()
        self._concatenations()
        self._initial_params()
        for _ in range(16):
            if not self._limits_once():
                break
        else:
            raise UnsupportedOpError("int8 scale limits of ADD/SUB/HARD_SWISH/SOFTMAX do not settle")
        plan = QuantPlan(kinds=self.kinds, params={i: self.params(i) for i in self.activations})
        for (n, k), _ in self.requant_of.items():
            plan.requantize[(n, k)] = self.read_params(n, k)
        for n, op in enumerate(self.model.operators):
            if self.kinds[n] not in (INT8, CONVERT, TO_FLOAT):
                continue
            for k, i in enumerate(op.inputs):
                if i >= 0 and not self._is_activation(i) and not is_weight(op, k):
                    if self.kinds[n] != INT8:
                        raise UnsupportedOpError(f"operator {n} ({op.opcode.name}) reads constant "
                                                 f"{self.model.tensors[i].name!r}, which the quantizer cannot place")
                    plan.constants[(n, k)] = self.read_params(n, k)
        return plan


def plan_quantization(model: ir.Model, ranges: dict[int, tuple[float, float]]) -> QuantPlan:
    """The QuantPlan of a float model whose activation ranges (every non-constant tensor) are `ranges`."""
    return _Planner(model, ranges).plan()
