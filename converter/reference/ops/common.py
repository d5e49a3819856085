"""Helpers shared by the op definitions: checks that raise FormatError, activation ranges, quantized params.

An op module (one per opcode, same name as the opcode in lower case) defines:
  OPCODE, OPTIONS (options class or None), INPUTS (min, max count), OPTIONAL (input positions that may be
  absent), OUTPUTS (count) and the functions
  check(op, ins, outs)          shapes, dtypes and int8 parameters; raises FormatError (ins: Tensor or None)
  prepare(op, ins, outs)        the op's QuantParams computed from scales (int8), or None
  run(op, ins, values, outs)    reference execution: values are numpy arrays (None where absent) -> outputs
  macs(op, ins, outs)           multiply-accumulates per inference
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import Activation, DType, Operator, QuantParams, Tensor
from tensorlet.converter.reference.fixedpoint import (multiply_by_quantized_multiplier, quantize_multiplier,
                                                       tflite_round, wrap_int32)
from tensorlet.errors import FormatError

INT8_MIN, INT8_MAX = -128, 127


def require(condition: bool, message: str) -> None:
    """Raise FormatError(message) unless condition holds."""
    if not condition:
        raise FormatError(message)


def shape_str(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def require_shape(tensor: Tensor, expected, what: str) -> None:
    require(tuple(tensor.shape) == tuple(expected),
            f"{what} {tensor.name!r} has shape {shape_str(tensor.shape)}, expected {shape_str(expected)}")


def require_rank(tensor: Tensor, rank: int, what: str) -> None:
    require(len(tensor.shape) == rank,
            f"{what} {tensor.name!r} has rank {len(tensor.shape)} (shape {shape_str(tensor.shape)}), expected {rank}")


def is_int8(tensor: Tensor) -> bool:
    return tensor.dtype == DType.INT8


def require_dtypes(tensors: list[Tensor], dtype: DType, what: str) -> None:
    for t in tensors:
        require(t.dtype == dtype, f"{what}: tensor {t.name!r} is {t.dtype.name}, expected {dtype.name}")


def require_float_or_int8(activations: list[Tensor]) -> bool:
    """All activations float32, or all int8 with per-tensor quantization; True when int8."""
    dtype = activations[0].dtype
    require(dtype in (DType.FLOAT32, DType.INT8),
            f"tensor {activations[0].name!r} is {dtype.name}; this op runs on FLOAT32 or INT8")
    require_dtypes(activations, dtype, "activations must share one dtype")
    if dtype == DType.INT8:
        for t in activations:
            require_per_tensor(t)
    return dtype == DType.INT8


def require_per_tensor(tensor: Tensor) -> None:
    q = tensor.quantization
    require(q is not None and len(q.scale) == 1 and q.axis < 0,
            f"int8 tensor {tensor.name!r} needs per-tensor quantization (one scale and zero point)")


def scale_zp(tensor: Tensor) -> tuple[float, int]:
    """(scale, zero_point) of a per-tensor quantized tensor."""
    return float(tensor.quantization.scale[0]), int(tensor.quantization.zero_point[0])


def require_same_quantization(a: Tensor, b: Tensor) -> None:
    require(scale_zp(a) == scale_zp(b),
            f"int8 tensors {a.name!r} and {b.name!r} must share scale and zero point, "
            f"got {scale_zp(a)} and {scale_zp(b)}")


def require_quant_params(op: Operator, **lengths: int) -> QuantParams:
    """The op's QuantParams, with each named vector field of the given length (e.g. output_multiplier=16)."""
    params = op.quant_params
    require(params is not None, "int8 op has no quant_params")
    for field_name, length in lengths.items():
        got = len(getattr(params, field_name))
        require(got == length, f"quant_params.{field_name} has {got} entries, expected {length}")
    for shift in list(params.output_shift) + list(params.input_shift):
        require(-31 <= shift <= 31, f"quant_params shift {shift} is outside [-31, 31]")
    for multiplier in list(params.output_multiplier) + list(params.input_multiplier):
        require(multiplier >= 0, f"quant_params multiplier {multiplier} is negative")
    require(INT8_MIN <= params.act_min <= params.act_max <= INT8_MAX,
            f"quant_params activation range [{params.act_min}, {params.act_max}] is not inside [-128, 127]")
    return params


def float_activation(x: np.ndarray, activation: Activation) -> np.ndarray:
    """Apply a fused activation to float32 values."""
    if activation == Activation.RELU:
        return np.maximum(x, np.float32(0))
    if activation == Activation.RELU6:
        return np.clip(x, np.float32(0), np.float32(6))
    return x


def int8_activation_range(activation: Activation, output: Tensor) -> tuple[int, int]:
    """TFLite's CalculateActivationRangeQuantized for an int8 output: the clamp in the quantized domain."""
    scale, zero_point = scale_zp(output)

    def quantize(value: float) -> int:
        return zero_point + int(tflite_round(float(np.float32(value) / np.float32(scale))))

    if activation == Activation.RELU:
        return max(INT8_MIN, quantize(0.0)), INT8_MAX
    if activation == Activation.RELU6:
        return max(INT8_MIN, quantize(0.0)), min(INT8_MAX, quantize(6.0))
    return INT8_MIN, INT8_MAX


def conv_output_size(size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int) -> int:
    """Output length of a strided, dilated window over a padded axis (floor division)."""
    effective = (kernel - 1) * dilation + 1
    return (size + pad_before + pad_after - effective) // stride + 1


def require_positive(values: dict[str, int]) -> None:
    for name, value in values.items():
        require(value >= 1, f"{name} must be >= 1, got {value}")


def require_non_negative(values: dict[str, int]) -> None:
    for name, value in values.items():
        require(value >= 0, f"{name} must be >= 0, got {value}")


def elementwise_macs(outs: list[Tensor]) -> int:
    return outs[0].size


def check_weights(weights: Tensor, bias: Tensor | None, channels: int, axis: int, int8: bool) -> None:
    """Filter/weights and optional bias of a conv-like op: float32, or int8 symmetric (per-tensor or per-channel
    along `axis` with `channels` entries) with an int32 bias."""
    if bias is not None:
        require_shape(bias, (channels,), "bias")
    if not int8:
        require_dtypes([weights] + ([bias] if bias is not None else []), DType.FLOAT32, "float op")
        return
    require(weights.dtype == DType.INT8, f"weights {weights.name!r} are {weights.dtype.name}, expected INT8")
    q = weights.quantization
    require(q is not None and len(q.scale) in (1, channels) and len(q.zero_point) == len(q.scale),
            f"int8 weights {weights.name!r} need 1 or {channels} scales with matching zero points")
    require(len(q.scale) == 1 or q.axis == axis,
            f"int8 weights {weights.name!r} are quantized along axis {q.axis}, expected {axis}")
    require(all(z == 0 for z in q.zero_point), f"int8 weights {weights.name!r} must be symmetric (zero point 0)")
    if bias is not None:
        require(bias.dtype == DType.INT32, f"bias {bias.name!r} of an int8 op is {bias.dtype.name}, expected INT32")


def prepare_per_channel(x: Tensor, weights: Tensor, y: Tensor, channels: int, activation: Activation) -> QuantParams:
    """Per-output-channel requantization of a conv-like op: real = in_scale * w_scale[c] / out_scale (double)."""
    in_scale, _ = scale_zp(x)
    out_scale, _ = scale_zp(y)
    w_scales = list(weights.quantization.scale)
    w_scales = w_scales * channels if len(w_scales) == 1 else w_scales
    pairs = [quantize_multiplier(float(in_scale) * float(s) / float(out_scale)) for s in w_scales]
    act_min, act_max = int8_activation_range(activation, y)
    return QuantParams(output_multiplier=[m for m, _ in pairs], output_shift=[s for _, s in pairs],
                       act_min=act_min, act_max=act_max)


def requantize(acc: np.ndarray, params: QuantParams, zero_point: int, channel_axis: int = -1) -> np.ndarray:
    """int32 accumulators -> int8: per-channel multiply (channels on `channel_axis`), add zero point, clamp."""
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    multiplier = np.asarray(params.output_multiplier, np.int64).reshape(shape)
    shift = np.asarray(params.output_shift, np.int64).reshape(shape)
    scaled = multiply_by_quantized_multiplier(wrap_int32(acc), multiplier, shift) + zero_point
    return np.clip(scaled, params.act_min, params.act_max).astype(np.int8)


def pad_nhwc(x: np.ndarray, top: int, bottom: int, left: int, right: int, value) -> np.ndarray:
    """x: [N,H,W,C] -> [N,H+top+bottom,W+left+right,C] filled with `value`."""
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def sliding_windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int],
                    out_hw: tuple[int, int]) -> np.ndarray:
    """A read-only view of x: [N,H,W,C] (already padded) as windows [N,OH,OW,KH,KW,C]."""
    n, _, _, c = x.shape
    sn, sh, sw, sc = x.strides
    shape = (n, out_hw[0], out_hw[1], kernel[0], kernel[1], c)
    strides = (sn, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1], sc)
    return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides, writeable=False)


def check_unary(op: Operator, ins: list[Tensor], outs: list[Tensor]) -> bool:
    """An elementwise op y = f(x): same shape, float32 or int8; True when int8."""
    require_shape(outs[0], ins[0].shape, "output")
    return require_float_or_int8([ins[0], outs[0]])


def check_lut(op: Operator) -> None:
    """An int8 elementwise op defined by its 256-entry table (indexed by input + 128)."""
    params = require_quant_params(op, lut=256)
    require(all(INT8_MIN <= v <= INT8_MAX for v in params.lut), "quant_params.lut holds values outside int8")


def prepare_lut(function, x: Tensor, y: Tensor) -> QuantParams:
    """QuantParams whose lut is `function` (int8 inputs -> int8 outputs, vectorized) at every int8 input."""
    table = np.asarray(function(np.arange(INT8_MIN, INT8_MAX + 1, dtype=np.int64), x, y))
    require(table.shape == (256,) and table.min() >= INT8_MIN and table.max() <= INT8_MAX,
            "int8 table function must map 256 inputs to int8 values")
    return QuantParams(lut=[int(v) for v in table])


def run_lut(op: Operator, x: np.ndarray) -> np.ndarray:
    """x: int8 any shape -> int8 same shape, through the op's table."""
    return np.asarray(op.quant_params.lut, dtype=np.int8)[x.astype(np.int16) + 128]
