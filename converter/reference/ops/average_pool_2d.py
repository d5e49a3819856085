"""AVERAGE_POOL_2D: in [N,H,W,C] -> out [N,OH,OW,C]."""
from __future__ import annotations

from tensorlet.converter.ir import Pool2DOptions, OpCode

OPCODE = OpCode.AVERAGE_POOL_2D
OPTIONS = Pool2DOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
