"""DEQUANTIZE: in int8 -> out float32 of the same shape, per-tensor: y = scale * (x - zero_point);
or in float16 (fp16-compressed constant weights) -> out float32, an exact widening.

As TFLite Micro's DEQUANTIZE (reference_ops::Dequantize): computed in float32, the scale as float32 times the
integer x - zero_point converted to float32 (exact), one float32 multiplication rounded to nearest.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import DType, OpCode
from tensorlet.converter.reference.ops.common import (elementwise_macs, require, require_per_tensor, require_shape,
                                                      scale_zp)

OPCODE = OpCode.DEQUANTIZE
OPTIONS = None
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    require_shape(y, x.shape, "output")
    require(x.dtype in (DType.INT8, DType.FLOAT16),
            f"DEQUANTIZE input {x.name!r} is {x.dtype.name}; it takes INT8 or FLOAT16")
    require(y.dtype == DType.FLOAT32, f"DEQUANTIZE output {y.name!r} is {y.dtype.name}; it produces FLOAT32")
    if x.dtype == DType.INT8:
        require_per_tensor(x)


def prepare(op, ins, outs):
    return None


def dequantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """x: int8 any shape -> float32 same shape."""
    return np.float32(scale) * (x.astype(np.int32) - zero_point).astype(np.float32)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if ins[0].dtype == DType.FLOAT16:
        return [values[0].astype(np.float32)]
    scale, zero_point = scale_zp(ins[0])
    return [dequantize(values[0], scale, zero_point)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
