"""TRANSPOSE: in [d0,..,dn-1] -> out [d_perm[0],..,d_perm[n-1]]; out[i_0,..] = in[j] with j[perm[k]] = i_k.

Pure data movement: int8 input and output share quantization, no quant_params.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, TransposeOptions
from tensorlet.converter.reference.ops.common import (require, require_float_or_int8, require_same_quantization,
                                                      require_shape)

OPCODE = OpCode.TRANSPOSE
OPTIONS = TransposeOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, y, perm = ins[0], outs[0], list(op.options.perm)
    require(sorted(perm) == list(range(len(x.shape))),
            f"perm {perm} is not a permutation of the input's {len(x.shape)} dims")
    require_shape(y, tuple(x.shape[p] for p in perm), "output")
    if require_float_or_int8([x, y]):
        require_same_quantization(x, y)


def prepare(op, ins, outs):
    return None


def run(op, ins, values, outs) -> list[np.ndarray]:
    return [np.transpose(values[0], op.options.perm).copy()]


def macs(op, ins, outs) -> int:
    return 0
