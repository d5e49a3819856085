"""GELU: in -> out = in * Phi(in) (or its tanh approximation), elementwise."""
from __future__ import annotations

from tensorlet.converter.ir import GeluOptions, OpCode

OPCODE = OpCode.GELU
OPTIONS = GeluOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
