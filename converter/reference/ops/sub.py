"""SUB: a, b (numpy broadcasting) -> out = a - b, then the fused activation.

Int8 (TFLite's reference_ops::SubElementwise / BroadcastQuantSubSlow with sub.cc's Prepare): exactly ADD's
arithmetic with the second rescaled input subtracted; see binary_broadcast.py for where TFLM's SUB differs.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import BinaryOptions, OpCode
from tensorlet.converter.reference.ops.binary_broadcast import (check_add_sub_params, check_binary,
                                                                prepare_add_sub, run_add_sub, run_float)
from tensorlet.converter.reference.ops.common import elementwise_macs, is_int8

OPCODE = OpCode.SUB
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
        return [run_add_sub(op, ins, values, outs, sign=-1)]
    return [run_float(op, values, np.subtract)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
