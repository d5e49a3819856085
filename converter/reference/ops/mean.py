"""MEAN: in [N,H,W,C] -> out [N,1,1,C] (keep_dims) or [N,C]."""
from __future__ import annotations

from tensorlet.converter.ir import MeanOptions, OpCode

OPCODE = OpCode.MEAN
OPTIONS = MeanOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
