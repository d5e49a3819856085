"""RELU: in -> out = max(in, 0), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.RELU
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
