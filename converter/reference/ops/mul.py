"""MUL: a, b (numpy broadcasting) -> out = a * b, then the fused activation.

Int8 (TFLite's reference_integer_ops::MulElementwise / BroadcastMul4DSlow with TFLM's mul_common.cc Prepare):
  out = MultiplyByQuantizedMultiplier((q1 - zp1) * (q2 - zp2), m, shift) + zp_out, clamped to [act_min, act_max],
with (m, shift) = QuantizeMultiplier(s1 * s2 / s_out) in double (TFLite's mul.cc forms the product in float; the
two can differ in the last bits of m). |(q1 - zp1) * (q2 - zp2)| <= 255^2, so the product never overflows.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import BinaryOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier
from tensorlet.converter.reference.ops.binary_broadcast import check_binary, clamp_int8, quantized_int8, run_float
from tensorlet.converter.reference.ops.common import (elementwise_macs, int8_activation_range, is_int8,
                                                      require_quant_params, scale_zp)

OPCODE = OpCode.MUL
OPTIONS = BinaryOptions
INPUTS = (2, 2)
OPTIONAL = ()
OUTPUTS = 1


def check(op, ins, outs) -> None:
    if check_binary(ins, outs):
        require_quant_params(op, output_multiplier=1, output_shift=1)


def prepare(op, ins, outs):
    if not quantized_int8(ins + outs):
        return None
    (s1, _), (s2, _), (s_out, _) = (scale_zp(t) for t in (ins[0], ins[1], outs[0]))
    multiplier, shift = quantize_multiplier(s1 * s2 / s_out)
    act_min, act_max = int8_activation_range(op.options.activation, outs[0])
    return QuantParams(output_multiplier=[multiplier], output_shift=[shift], act_min=act_min, act_max=act_max)


def _run_int8(op, ins, values, outs) -> np.ndarray:
    """a, b: int8 (broadcasting) -> int8 output shape."""
    (_, zp1), (_, zp2), (_, zp_out) = (scale_zp(t) for t in (ins[0], ins[1], outs[0]))
    product = (values[0].astype(np.int64) - zp1) * (values[1].astype(np.int64) - zp2)
    p = op.quant_params
    scaled = multiply_by_quantized_multiplier(product, p.output_multiplier[0], p.output_shift[0])
    return clamp_int8(scaled + zp_out, p)


def run(op, ins, values, outs) -> list[np.ndarray]:
    if is_int8(outs[0]):
        return [_run_int8(op, ins, values, outs)]
    return [run_float(op, values, np.multiply)]


def macs(op, ins, outs) -> int:
    return elementwise_macs(outs)
