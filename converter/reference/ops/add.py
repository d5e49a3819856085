"""ADD: a, b (numpy broadcasting) -> out = a + b, then the fused activation.

Int8 (TFLite's reference_integer_ops::AddFunc with add.cc's Prepare, as TFLM's add_common.cc): both inputs rescaled
to a common scale with 20 bits of headroom, summed, requantized to the output; see binary_broadcast.py.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import BinaryOptions, OpCode
from tensorlet.converter.reference.ops.binary_broadcast import (check_add_sub_params, check_binary,
                                                                prepare_add_sub, run_add_sub, run_float)
from tensorlet.converter.reference.ops.common import elementwise_macs, is_int8

OPCODE = OpCode.ADD
OPTIONS = BinaryOptions
INPUTS = (2, 2)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    if check_binary(ins, outs):
        check_add_sub_params(op)


def prepare(op, ins, outs):
    return prepare_add_sub(op, ins, outs)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(outs[0]):
        return [run_add_sub(op, ins, values, outs, sign=1)]
    return [run_float(op, values, np.add)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
