"""MAX_POOL_2D: in [N,H,W,C] -> out [N,OH,OW,C].

The maximum is over the window's input positions; padding never wins. Int8 follows TFLite Micro's
reference_integer_ops::MaxPool: input and output share scale and zero point, and the maximum raw value is clamped to
the fused activation's range (quant_params.act_min/act_max).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Pool2DOptions, OpCode
from tensorlet.converter.reference.ops.common import INT8_MIN, float_activation, is_int8, require
from tensorlet.converter.reference.ops.pool_window import check_pool, pool_windows, prepare_pool

OPCODE = OpCode.MAX_POOL_2D
OPTIONS = Pool2DOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    require(not op.options.count_include_pad, "count_include_pad applies to AVERAGE_POOL_2D only")
    check_pool(op, ins, outs)


def prepare(op, ins, outs):
    return prepare_pool(op, ins, outs)


def _window_max(options, x: np.ndarray, lowest) -> np.ndarray:
    """x: [N,H,W,C] -> [N,OH,OW,C], the maximum of each window; `lowest` pads and loses to any input value."""
    return pool_windows(options, x, lowest).max(axis=(3, 4))


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, o = values[0], op.options
    if not is_int8(ins[0]):
        return [float_activation(_window_max(o, x, np.float32(-np.inf)), o.activation)]
    largest = _window_max(o, x, np.int8(INT8_MIN))
    return [np.clip(largest, op.quant_params.act_min, op.quant_params.act_max).astype(np.int8)]


def macs(op, ins, outs) -> int:
    return outs[0].size * op.options.filter_h * op.options.filter_w
