"""ADD: a, b (numpy broadcasting) -> out."""
from __future__ import annotations

from tensorlet.converter.ir import BinaryOptions, OpCode

OPCODE = OpCode.ADD
OPTIONS = BinaryOptions
INPUTS = (2, 2)
OPTIONAL = ()
OUTPUTS = 1
