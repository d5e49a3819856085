"""LOGISTIC: in -> out = 1 / (1 + exp(-in)), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import OpCode

OPCODE = OpCode.LOGISTIC
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
