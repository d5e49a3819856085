"""HARD_SWISH: in -> out = in * relu6(in + 3) / 6, elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.HARD_SWISH
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
