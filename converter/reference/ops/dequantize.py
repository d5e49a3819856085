"""DEQUANTIZE: in int8 -> out float32 of the same shape."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.DEQUANTIZE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
