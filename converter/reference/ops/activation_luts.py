"""Shared by the int8 elementwise activations (RELU, RELU6, ELU, GELU, ...): TFLite's own int8 kernels, evaluated
at all 256 int8 inputs to fill the op's lookup table (quant_params.lut).

Table functions take q: int64[256] (the inputs -128..127), the input and output tensors, and return the 256 outputs.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.ir import Activation, Tensor
from tensorlet.converter.reference.fixedpoint import (multiply_by_quantized_multiplier, quantize_multiplier,
                                                      round_half_away)
from tensorlet.converter.reference.ops.common import (INT8_MAX, INT8_MIN, int8_activation_range, is_int8,
                                                      prepare_lut, scale_zp)


def prepare_table(function, ins: list[Tensor], outs: list[Tensor]):
    """QuantParams holding `function`'s 256-entry table for an int8 op; None otherwise (check() judges the rest)."""
    quantized = all(is_int8(t) and t.quantization is not None for t in (ins[0], outs[0]))
    return prepare_lut(function, ins[0], outs[0]) if quantized else None


def quantized_relu_x(activation: Activation):
    """Table function of TFLite's int8 RELU/RELU6 (ReluPrepare + reference ReluX):
    zp_out + MultiplyByQuantizedMultiplier(q - zp_in, QuantizeMultiplier(s_in / s_out)), clamped to the range
    CalculateActivationRangeQuantized gives (RELU: [max(-128, zp_out), 127]; RELU6: upper min(127, zp_out +
    round(6 / s_out)) in float). The ratio is taken in double, as TFLM's CalculateReluOpData; TFLite's ReluPrepare
    divides in float, which can flip exact ties (0.003 / 0.002 is 1.5 in float, 1.49999994 in double)."""
    def table(q: np.ndarray, x: Tensor, y: Tensor) -> np.ndarray:
        s_in, zp_in = scale_zp(x)
        s_out, zp_out = scale_zp(y)
        multiplier, shift = quantize_multiplier(s_in / s_out)
        lo, hi = int8_activation_range(activation, y)
        return np.clip(zp_out + multiply_by_quantized_multiplier(q - zp_in, multiplier, shift), lo, hi)
    return table


def libm_f32(function, v: np.ndarray) -> np.ndarray:
    """v: float32 [n] -> float32 [n]: a C libm function of a float (expm1f, tanhf, erfcf), taken as the correctly
    rounded float32 of the double-precision result (what an accurate libm returns)."""
    return np.array([function(float(e)) for e in v], dtype=np.float64).astype(np.float32)



def tflite_float_lut(transform):
    """Table function of TFLite's LUTPopulate<int8_t> (TFLM's PopulateLookupTable): in float32,
    dequantized = s_in * (q - zp_in); out = roundf(transform(dequantized) * (1 / s_out)) + zp_out, clamped to int8.
    `transform` maps float32 [n] -> float32 [n] with C float semantics. Values past int32 saturate (C leaves the
    conversion undefined)."""
    def table(q: np.ndarray, x: Tensor, y: Tensor) -> np.ndarray:
        s_in, zp_in = scale_zp(x)
        s_out, zp_out = scale_zp(y)
        inverse_scale = np.float32(1.0) / np.float32(s_out)
        dequantized = np.float32(s_in) * (q - zp_in).astype(np.float32)
        rescaled = round_half_away(transform(dequantized) * inverse_scale)
        return np.clip(rescaled + zp_out, INT8_MIN, INT8_MAX).astype(np.int64)
    return table


def vectorized(function):
    """A scalar math function applied elementwise to a float64 array of any shape."""
    return np.vectorize(function, otypes=[np.float64])


erfc = vectorized(math.erfc)
