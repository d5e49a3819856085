"""LEAKY_RELU: in -> out = in >= 0 ? in : alpha * in, elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import LeakyReluOptions, OpCode

OPCODE = OpCode.LEAKY_RELU
OPTIONS = LeakyReluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
