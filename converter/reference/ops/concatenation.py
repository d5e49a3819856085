"""CONCATENATION: ins of equal rank -> out joined along axis.

Every input has the output's rank and dims except along `axis` (stored non-negative), where the output holds the
sum. Int8: all inputs and the output share one scale and zero point (the converter requantizes beforehand), so
the op copies bytes and clamps to quant_params.act_min/act_max for the fused activation.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import ConcatenationOptions, OpCode, QuantParams
from tensorlet.converter.reference.ops.common import (float_activation, int8_activation_range, is_int8, require,
                                                      require_float_or_int8, require_quant_params, require_shape,
                                                      require_same_quantization, shape_str)

OPCODE = OpCode.CONCATENATION
OPTIONS = ConcatenationOptions
INPUTS = (1, 256)
OPTIONAL = ()
OUTPUTS = 1


def output_shape(ins, axis: int) -> tuple[int, ...]:
    """The first input's shape with dim `axis` replaced by the sum over all inputs."""
    shape = list(ins[0].shape)
    shape[axis] = sum(t.shape[axis] for t in ins)
    return tuple(shape)


def check_inputs(ins, axis: int) -> None:
    """Same rank as the first input, axis inside it, equal dims everywhere except along axis."""
    first = ins[0]
    rank = len(first.shape)
    require(0 <= axis < rank, f"axis {axis} is outside [0, {rank}) for inputs of rank {rank}")
    for t in ins[1:]:
        require(len(t.shape) == rank,
                f"input {t.name!r} has rank {len(t.shape)} (shape {shape_str(t.shape)}), "
                f"input {first.name!r} has rank {rank}")
        for d in range(rank):
            require(d == axis or t.shape[d] == first.shape[d],
                    f"input {t.name!r} has shape {shape_str(t.shape)}, which differs from {first.name!r} "
                    f"{shape_str(first.shape)} in dim {d} (only axis {axis} may differ)")


def check(op, ins, outs) -> None:
    y, axis = outs[0], op.options.axis
    check_inputs(ins, axis)
    require_shape(y, output_shape(ins, axis), "output")
    if require_float_or_int8(list(ins) + [y]):
        for t in ins:
            require_same_quantization(t, y)
        require_quant_params(op)


def prepare(op, ins, outs):
    act_min, act_max = int8_activation_range(op.options.activation, outs[0])
    return QuantParams(act_min=act_min, act_max=act_max)


def run(op, ins, values, outs) -> list[np.ndarray]:
    # values: arrays equal except along axis -> one array, sizes along axis summed
    joined = np.concatenate(values, axis=op.options.axis)
    if not is_int8(outs[0]):
        return [float_activation(joined, op.options.activation)]
    params = op.quant_params
    return [np.clip(joined, params.act_min, params.act_max).astype(np.int8)]


def macs(op, ins, outs) -> int:
    return 0
