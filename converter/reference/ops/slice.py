"""SLICE: in [d0,..] -> out[k0,..] = in[begin_0 + k0*strides_0, ..], k_i < ceil((end_i - begin_i) / strides_i).

Pure data movement: int8 input and output share quantization, no quant_params.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, SliceOptions
from tensorlet.converter.reference.ops.common import (require, require_float_or_int8, require_same_quantization,
                                                      require_shape)

OPCODE = OpCode.SLICE
OPTIONS = SliceOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, y, o = ins[0], outs[0], op.options
    rank = len(x.shape)
    for name in ("begin", "end", "strides"):
        require(len(getattr(o, name)) == rank, f"{name} has {len(getattr(o, name))} entries, expected {rank}")
    for axis, (dim, begin, end, stride) in enumerate(zip(x.shape, o.begin, o.end, o.strides)):
        require(stride >= 1, f"strides[{axis}] must be >= 1, got {stride}")
        require(0 <= begin < end <= dim, f"axis {axis}: need 0 <= begin ({begin}) < end ({end}) <= {dim}")
    require_shape(y, tuple(-(-(e - b) // s) for b, e, s in zip(o.begin, o.end, o.strides)), "output")
    if require_float_or_int8([x, y]):
        require_same_quantization(x, y)


def prepare(op, ins, outs):
    return None


def run(op, ins, values, outs) -> list[np.ndarray]:
    o = op.options
    window = tuple(slice(b, e, s) for b, e, s in zip(o.begin, o.end, o.strides))
    return [values[0][window].copy()]


def macs(op, ins, outs) -> int:
    return 0
