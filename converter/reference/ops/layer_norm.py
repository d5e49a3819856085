"""LAYER_NORM: in [..,C], gamma [C], beta (opt) [C] -> out [..,C], float only."""
from __future__ import annotations

from tensorlet.converter.ir import LayerNormOptions, OpCode

OPCODE = OpCode.LAYER_NORM
OPTIONS = LayerNormOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1
