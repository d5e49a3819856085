"""RELU6: in -> out = min(max(in, 0), 6), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.RELU6
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
