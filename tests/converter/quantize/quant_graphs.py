"""Small float models for the quantizer tests, built op by op, and helpers to inspect the int8 result."""
from __future__ import annotations

import numpy as np

from support import act, const
from tensorlet.converter import ir


class Graph:
    """Append tensors and ops by name; model() returns an unplanned float ir.Model."""

    def __init__(self) -> None:
        self.tensors: list[ir.Tensor] = []
        self.ops: list[ir.Operator] = []
        self.index: dict[str, int] = {}

    def tensor(self, t: ir.Tensor) -> str:
        self.index[t.name] = len(self.tensors)
        self.tensors.append(t)
        return t.name

    def act(self, name: str, shape) -> str:
        return self.tensor(act(name, shape))

    def const(self, name: str, data: np.ndarray) -> str:
        return self.tensor(const(name, np.asarray(data, np.float32)))

    def op(self, opcode: ir.OpCode, inputs: list, output: str, options=None) -> str:
        self.ops.append(ir.Operator(opcode, [-1 if i is None else self.index[i] for i in inputs],
                                    [self.index[output]], options))
        return output

    def model(self, inputs: list[str], outputs: list[str]) -> ir.Model:
        return ir.Model(self.tensors, self.ops, [self.index[n] for n in inputs], [self.index[n] for n in outputs])


def by_name(model: ir.Model, name: str) -> ir.Tensor:
    matches = [t for t in model.tensors if t.name == name]
    assert len(matches) == 1, f"{len(matches)} tensors named {name!r}"
    return matches[0]


def params(model: ir.Model, name: str) -> tuple[float, int]:
    q = by_name(model, name).quantization
    return q.scale[0], q.zero_point[0]


def opcodes(model: ir.Model) -> list[str]:
    return [op.opcode.name for op in model.operators]


def samples(model: ir.Model, count: int, seed: int = 0, scale: float = 1.0) -> list[list[np.ndarray]]:
    """`count` samples of standard normal inputs (times `scale`) for every model input."""
    rng = np.random.default_rng(seed)
    return [[(scale * rng.standard_normal(model.tensors[i].shape)).astype(np.float32) for i in model.inputs]
            for _ in range(count)]
