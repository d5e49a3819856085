"""DEPTHWISE_CONV_2D: in [N,H,W,Ci], filter [1,KH,KW,Ci*M], bias (opt) [Ci*M] -> out [N,OH,OW,Ci*M]."""
from __future__ import annotations

from tensorlet.converter.ir import DepthwiseConv2DOptions, OpCode

OPCODE = OpCode.DEPTHWISE_CONV_2D
OPTIONS = DepthwiseConv2DOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1
