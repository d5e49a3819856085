"""RESHAPE: in any shape -> out of the same size.

Int8: a pure relabelling of the same bytes, so input and output share scale and zero point (no QuantParams).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference.ops.common import (require, require_float_or_int8, require_same_quantization,
                                                      shape_str)

OPCODE = OpCode.RESHAPE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require(y.size == x.size,
            f"output {y.name!r} has shape {shape_str(y.shape)} ({y.size} elements), "
            f"input {x.name!r} has shape {shape_str(x.shape)} ({x.size} elements)")
    if require_float_or_int8([x, y]):
        require_same_quantization(x, y)


def prepare(op, ins, outs):
    return None


def run(op, ins, values, outs) -> list[np.ndarray]:
    # values[0]: any shape -> same elements in row-major order, outs[0].shape
    return [np.ascontiguousarray(values[0]).reshape(outs[0].shape)]


def macs(op, ins, outs) -> int:
    return 0
