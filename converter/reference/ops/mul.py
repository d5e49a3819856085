"""MUL: a, b (numpy broadcasting) -> out = a * b."""
from __future__ import annotations

from tensorlet.converter.ir import BinaryOptions, OpCode

OPCODE = OpCode.MUL
OPTIONS = BinaryOptions
INPUTS = (2, 2)
OPTIONAL = ()
OUTPUTS = 1
