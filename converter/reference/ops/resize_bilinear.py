"""RESIZE_BILINEAR: in [N,H,W,C] -> out [N,OH,OW,C]."""
from __future__ import annotations

from tensorlet.converter.ir import ResizeOptions, OpCode

OPCODE = OpCode.RESIZE_BILINEAR
OPTIONS = ResizeOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
