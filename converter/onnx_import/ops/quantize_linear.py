"""QuantizeLinear -> nothing when its input is already int8 with its quantization (the int8 op of a QDQ island
computed it), a requantizing QUANTIZE (int8 -> int8) when the quantizations differ, else QUANTIZE (float -> int8).
Its output is an ONNX integer tensor: read by DequantizeLinear, layout ops, or a graph output.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.qdq_params import activation_quantization, read_affine

OP_TYPE = "QuantizeLinear"
SINCE_VERSIONS = (10, 13, 19, 21, 23, 24, 25, 28)
CONSTANT_INPUTS = (1, 2)


def lower(node: Node, ctx: Builder) -> None:
    """x: float32 [..] (possibly stored int8), y_scale, y_zero_point: per-tensor constants -> int8/uint8 [..]."""
    x = ctx.activations[node.inputs[0]]
    affine = read_affine(node, ctx.constants, x.rank, np.dtype(np.uint8))
    quantization = activation_quantization(node, affine)
    name = node.outputs[0]
    if ctx.is_quantized(x) and ctx.quantization(x) == quantization:
        ctx.bind(name, x)
    else:
        ctx.bind(name, ctx.quantized(x, quantization, name))
    ctx.integers[name] = affine.dtype
