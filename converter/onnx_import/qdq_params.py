"""What a QuantizeLinear / DequantizeLinear node states: its scale and zero point (constants), the quantized axis and
the integer type. Activations are int8 in the IR: a uint8 activation is carried as int8 with its values and zero
point shifted by -128 (real = scale * (q - zero_point) is unchanged).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.graph import Node

ACTIVATION_TYPES = (np.dtype(np.int8), np.dtype(np.uint8))
UINT8_SHIFT = 128  # int8 value = uint8 value - 128


@dataclass(frozen=True)
class Affine:
    """real = scale * (q - zero_point), one entry per tensor (axis -1) or per index along `axis`."""

    scale: np.ndarray       # float32 [1] or [C]
    zero_point: np.ndarray  # int64, same length as scale
    axis: int
    dtype: np.dtype         # the integer type of q

    @property
    def per_tensor(self) -> bool:
        return self.axis < 0


def _integer_type(node: Node, given: np.ndarray | None, default: np.dtype) -> np.dtype:
    """The quantized type: the zero point's, else QuantizeLinear's output_dtype attribute, else `default`."""
    if given is not None:
        return given.dtype
    output_dtype = node.attr("output_dtype", 0) if node.op_type == "QuantizeLinear" else 0
    if output_dtype:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(output_dtype))
    return default


def read_affine(node: Node, constants: dict[str, np.ndarray], rank: int, default: np.dtype) -> Affine:
    """The node's quantization for a quantized value of `rank` dims whose type is `default` unless the node states
    one; UnsupportedOpError for block quantization, non-constant parameters or non-positive scales."""
    if node.attr("block_size", 0):
        raise node.error(f"block quantization (block_size={node.attr('block_size')}) is not supported")
    for position in (1, 2):
        name = node.input(position)
        if name and name not in constants:
            raise node.error(f"input {position} ({name!r}) is computed at run time; quantization parameters must "
                             "be constants")
    scale = np.asarray(constants[node.inputs[1]], dtype=np.float32).ravel()
    given = constants[node.input(2)] if node.input(2) else None
    dtype = _integer_type(node, given, default)
    zero_point = np.zeros(scale.shape, np.int64) if given is None else np.asarray(given).astype(np.int64).ravel()
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise node.error(f"scale {scale.tolist()[:8]} is not finite and positive")
    if zero_point.size != scale.size:
        raise node.error(f"{scale.size} scales but {zero_point.size} zero points")
    axis = int(node.attr("axis", 1)) % max(rank, 1) if scale.size > 1 else -1
    return Affine(scale, zero_point, axis, dtype)


def activation_quantization(node: Node, affine: Affine) -> ir.Quantization:
    """The int8 quantization of an activation quantized per tensor as int8 or uint8 (shifted to int8)."""
    if not affine.per_tensor:
        raise node.error(f"per-axis quantization of an activation (axis {affine.axis}, {affine.scale.size} scales) "
                         "is not supported; activations are quantized per tensor")
    if affine.dtype not in ACTIVATION_TYPES:
        raise node.error(f"activations quantized as {affine.dtype} are not supported (supported: int8, uint8)")
    shift = UINT8_SHIFT if affine.dtype == np.uint8 else 0
    return ir.Quantization(scale=[float(affine.scale[0])], zero_point=[int(affine.zero_point[0]) - shift])
