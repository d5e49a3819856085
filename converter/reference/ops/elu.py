"""ELU: in -> out = in >= 0 ? in : alpha * (exp(in) - 1), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import EluOptions, OpCode

OPCODE = OpCode.ELU
OPTIONS = EluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
