"""TANH: in -> out = tanh(in), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.TANH
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
