"""FULLY_CONNECTED: in [..,K] (read as [B,K], B = in.size / K), weights [N,K], bias (opt) [N] -> out [..,N] or [B,N].

The output keeps the input's leading dims (TFLite keep_num_dims) or is [B,N]; both hold the same values.
Int8 (TFLite Micro's reference FullyConnected): acc[n] = bias[n] + sum_k (x - x_zp) * w[n,k], requantized with
output multipliers per output unit (weights per-tensor or per-channel along axis 0), + y_zp, clamped.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import FullyConnectedOptions, OpCode
from tensorlet.converter.reference.ops.common import (check_weights, float_activation, is_int8, prepare_per_channel,
                                                      require, require_float_or_int8, require_quant_params,
                                                      require_rank, requantize, scale_zp, shape_str)

OPCODE = OpCode.FULLY_CONNECTED
OPTIONS = FullyConnectedOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1


def check(op, ins, outs) -> None:
    x, w, b = ins[0], ins[1], ins[2] if len(ins) > 2 else None
    y = outs[0]
    require_rank(w, 2, "weights")
    units, depth = w.shape
    require(x.size % depth == 0,
            f"input {x.name!r} of shape {shape_str(x.shape)} does not split into rows of the weights' {depth} inputs")
    rows = x.size // depth
    require(len(y.shape) >= 1 and y.shape[-1] == units and y.size == rows * units,
            f"output {y.name!r} has shape {shape_str(y.shape)}, expected [..,{units}] holding {rows}x{units} values")
    int8 = require_float_or_int8([x, y])
    check_weights(w, b, units, 0, int8)
    if int8:
        require_quant_params(op, output_multiplier=units, output_shift=units)


def prepare(op, ins, outs):
    return prepare_per_channel(ins[0], ins[1], outs[0], ins[1].shape[0], op.options.activation)


def _matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: any shape of B*K float64 values, w: [N,K] -> [B,N] float64."""
    return x.reshape(-1, w.shape[1]) @ w.T.astype(np.float64)


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, w, b = values[0], values[1], values[2] if len(values) > 2 else None
    y = outs[0]
    if not is_int8(ins[0]):
        acc = _matmul(x.astype(np.float64), w)
        if b is not None:
            acc += b
        return [float_activation(acc.astype(np.float32), op.options.activation).reshape(y.shape)]
    x_zp = scale_zp(ins[0])[1]
    acc = np.rint(_matmul(x.astype(np.float64) - x_zp, w)).astype(np.int64)  # exact: |acc| < 2^53
    if b is not None:
        acc += b.astype(np.int64)
    return [requantize(acc, op.quant_params, scale_zp(y)[1]).reshape(y.shape)]


def macs(op, ins, outs) -> int:
    return outs[0].size * ins[1].shape[1]
