"""PAD: in [d0,..] -> out [d0+before0+after0, ..]."""
from __future__ import annotations

from tensorlet.converter.ir import PadOptions, OpCode

OPCODE = OpCode.PAD
OPTIONS = PadOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1
