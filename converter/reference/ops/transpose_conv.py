"""TRANSPOSE_CONV: in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co]."""
from __future__ import annotations

from tensorlet.converter.ir import TransposeConvOptions, OpCode

OPCODE = OpCode.TRANSPOSE_CONV
OPTIONS = TransposeConvOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1
