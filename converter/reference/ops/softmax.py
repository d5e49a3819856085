"""SOFTMAX: in [..,C] -> out [..,C], over the last axis."""
from __future__ import annotations

from tensorlet.converter.ir import SoftmaxOptions, OpCode

OPCODE = OpCode.SOFTMAX
OPTIONS = SoftmaxOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
