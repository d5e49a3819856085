"""CONCATENATION: ins of equal rank -> out joined along axis."""
from __future__ import annotations

from tensorlet.converter.ir import ConcatenationOptions, OpCode

OPCODE = OpCode.CONCATENATION
OPTIONS = ConcatenationOptions
INPUTS = (1, 256)
OPTIONAL = ()
OUTPUTS = 1
