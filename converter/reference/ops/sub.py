"""SUB: a, b (numpy broadcasting) -> out = a - b, then the fused activation.

Int8 (TFLite's reference_ops::SubElementwise / BroadcastQuantSubSlow with sub.cc's Prepare): exactly ADD's
arithmetic with the second rescaled input subtracted; see binary_broadcast.py for where TFLM's SUB differs.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import BinaryOptions, OpCode
from tensorlet.converter.reference.ops.add import check, macs, prepare  # noqa: F401 (ADD's rules and parameters)
from tensorlet.converter.reference.ops.binary_broadcast import run_add_sub, run_float
from tensorlet.converter.reference.ops.common import is_int8

OPCODE = OpCode.SUB
OPTIONS = BinaryOptions
INPUTS = (2, 2)
OPTIONAL = ()
OUTPUTS = 1


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(outs[0]):
        return [run_add_sub(op, ins, values, outs, sign=-1)]
    return [run_float(op, values, np.subtract)]
