"""PAD: in [d0,..] -> out [d0+before0+after0, ..].

paddings holds rank*2 non-negative entries (before_0, after_0, before_1, ...); the border is filled with `value`.
Int8: input and output share quantization; the border holds quant_params.constant, `value` quantized offline.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, PadOptions, QuantParams
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, is_int8, require, require_float_or_int8,
                                                      require_quant_params, require_same_quantization, require_shape,
                                                      scale_zp, tflite_round)

OPCODE = OpCode.PAD
OPTIONS = PadOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def pad_widths(paddings) -> list[tuple[int, int]]:
    """The flat (before_0, after_0, ...) list as [(before_0, after_0), ...]."""
    return [(int(paddings[2 * d]), int(paddings[2 * d + 1])) for d in range(len(paddings) // 2)]


def check_paddings(paddings, rank: int) -> None:
    require(len(paddings) == 2 * rank,
            f"paddings has {len(paddings)} entries, expected {2 * rank} (before and after for each of {rank} dims)")
    for i, p in enumerate(paddings):
        require(p >= 0, f"paddings[{i}] ({'after' if i % 2 else 'before'} dim {i // 2}) must be >= 0, got {p}")


def check(op, ins, outs) -> None:
    x, y, o = ins[0], outs[0], op.options
    check_paddings(o.paddings, len(x.shape))
    padded = tuple(d + before + after for d, (before, after) in zip(x.shape, pad_widths(o.paddings)))
    require_shape(y, padded, "output")
    if require_float_or_int8([x, y]):
        require_same_quantization(x, y)
        constant = require_quant_params(op).constant
        require(INT8_MIN <= constant <= INT8_MAX, f"quant_params.constant {constant} is outside [-128, 127]")


def quantize_value(value: float, scale: float, zero_point: int) -> int:
    """zero_point + round-half-away(value / scale) (float32 division), clamped to int8."""
    q = zero_point + int(tflite_round(float(np.float32(value) / np.float32(scale))))
    return min(max(q, INT8_MIN), INT8_MAX)


def prepare(op, ins, outs):
    scale, zero_point = scale_zp(outs[0])
    return QuantParams(constant=quantize_value(op.options.value, scale, zero_point))


def run(op, ins, values, outs) -> list[np.ndarray]:
    # values[0]: [d0,..] -> [d0+before0+after0, ..], border = value (float) or quant_params.constant (int8)
    x = values[0]
    fill = op.quant_params.constant if is_int8(ins[0]) else np.float32(op.options.value)
    if x.ndim == 0:  # a scalar has nothing to pad
        return [x.copy()]
    return [np.pad(x, pad_widths(op.options.paddings), constant_values=fill).astype(x.dtype)]


def macs(op, ins, outs) -> int:
    return 0
