"""LAYER_NORM: in [..,C], gamma [C], beta (opt) [C] -> out [..,C], float only.

y = (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis, var the population variance (divided by C),
epsilon from the options as float32; computed in float64, rounded to float32. Int8 is rejected (TFLite has no
int8 layer norm kernel to follow).
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import DType, LayerNormOptions, OpCode
from tensorlet.converter.reference.ops.common import require, require_dtypes, require_shape

OPCODE = OpCode.LAYER_NORM
OPTIONS = LayerNormOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1


def epsilon(op) -> float:
    return float(np.float32(op.options.epsilon))


def check(op, ins, outs) -> None:
    x, gamma, beta, y = ins[0], ins[1], ins[2] if len(ins) > 2 else None, outs[0]
    present = [t for t in (x, gamma, beta, y) if t is not None]
    require(all(t.dtype != DType.INT8 for t in present),
            "LAYER_NORM is float only: int8 layer norm is not supported (keep it in float32 around a "
            "DEQUANTIZE/QUANTIZE pair)")
    require_dtypes(present, DType.FLOAT32, "LAYER_NORM is float only")
    require(len(x.shape) >= 1, f"input {x.name!r} must have rank >= 1")
    channels = x.shape[-1]
    require_shape(gamma, (channels,), "gamma")
    if beta is not None:
        require_shape(beta, (channels,), "beta")
    require_shape(y, x.shape, "output")
    require(math.isfinite(epsilon(op)) and epsilon(op) >= 0,
            f"LAYER_NORM epsilon must be finite and >= 0, got {op.options.epsilon}")


def prepare(op, ins, outs):
    return None


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray | None, eps: float) -> np.ndarray:
    """x: float32 [..,C], gamma/beta [C] -> float32 [..,C]."""
    x = x.astype(np.float64)
    centered = x - x.mean(axis=-1, keepdims=True)
    variance = (centered * centered).mean(axis=-1, keepdims=True)
    y = centered / np.sqrt(variance + eps) * gamma.astype(np.float64)
    if beta is not None:
        y = y + beta.astype(np.float64)
    return y.astype(np.float32)


def run(op, ins, values, outs) -> list[np.ndarray]:
    beta = values[2] if len(values) > 2 else None
    return [layer_norm(values[0], values[1], beta, epsilon(op))]


def macs(op, ins, outs) -> int:
    return 2 * ins[0].size   # the variance's squares and the scaling by gamma
