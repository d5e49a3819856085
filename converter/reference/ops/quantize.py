"""QUANTIZE: in float32 or int8 -> out int8 of the same shape."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.QUANTIZE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
