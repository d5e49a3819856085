"""RESHAPE: in any shape -> out of the same size."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.RESHAPE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
