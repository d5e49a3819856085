"""FULLY_CONNECTED: in [..,K], weights [N,K], bias (opt) [N] -> out [..,N]."""
from __future__ import annotations

from tensorlet.converter.ir import FullyConnectedOptions, OpCode

OPCODE = OpCode.FULLY_CONNECTED
OPTIONS = FullyConnectedOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1
