"""Helpers for the optimizer tests: build small float graphs op by op, and check a rewrite kept the model's function.

Models are built unplanned, as an importer hands them to optimize(); `planned` plans and validates a copy.
"""
from __future__ import annotations

import copy

import numpy as np

from support import act, const
from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reference import run
from tensorlet.converter.validate import validate


class Graph:
    """A model under construction: add inputs, constants and ops (each returns its tensor index), then model()."""

    def __init__(self) -> None:
        self.tensors: list[ir.Tensor] = []
        self.operators: list[ir.Operator] = []
        self.inputs: list[int] = []

    def add(self, tensor: ir.Tensor) -> int:
        """Append any tensor; its index."""
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def input(self, shape) -> int:
        """A float32 model input of `shape`."""
        index = self.add(act(f"in{len(self.inputs)}", shape))
        self.inputs.append(index)
        return index

    def const(self, data) -> int:
        """A float32 constant holding `data`."""
        return self.add(const(f"c{len(self.tensors)}", np.asarray(data, np.float32)))

    def op(self, opcode: ir.OpCode, inputs: list[int], shape, options=None) -> int:
        """Append an op reading `inputs` (-1 for an absent optional one) and writing a new float32 tensor of
        `shape`; its index."""
        out = self.add(act(f"t{len(self.tensors)}", shape))
        self.operators.append(ir.Operator(opcode, list(inputs), [out], options))
        return out

    def shape(self, index: int) -> tuple[int, ...]:
        return tuple(self.tensors[index].shape)

    def model(self, *outputs: int) -> ir.Model:
        """The model with these outputs (a deep copy, so the graph can keep growing)."""
        return copy.deepcopy(ir.Model(self.tensors, self.operators, self.inputs, list(outputs)))


def opcodes(model: ir.Model) -> list[str]:
    """The op names in execution order."""
    return [op.opcode.name for op in model.operators]


def planned(model: ir.Model) -> ir.Model:
    """A memory-planned copy of `model`, validated (FormatError when the model is invalid)."""
    result = copy.deepcopy(model)
    apply_plan(result)
    validate(result)
    return result


def random_inputs(model: ir.Model, rng: np.random.Generator) -> list[np.ndarray]:
    """Standard-normal float32 arrays for the model inputs."""
    return [rng.standard_normal(model.tensors[i].shape).astype(np.float32) for i in model.inputs]


def assert_equivalent(before: ir.Model, after: ir.Model, seed: int = 0, trials: int = 2) -> None:
    """Both models are valid once planned, keep the same interface (names, shapes) and give the same outputs on
    random inputs: float within 1e-5 relative (of each output's largest magnitude)."""
    before, after = planned(before), planned(after)
    for mine, theirs in ((before.inputs, after.inputs), (before.outputs, after.outputs)):
        assert [(before.tensors[i].name, before.tensors[i].shape) for i in mine] == \
               [(after.tensors[i].name, after.tensors[i].shape) for i in theirs]
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        xs = random_inputs(before, rng)
        for expected, got in zip(run(before, xs), run(after, xs)):
            scale = float(np.abs(expected[np.isfinite(expected)]).max(initial=0.0))
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * scale)
