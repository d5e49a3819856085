"""DequantizeLinear of an activation -> nothing: its output is the same int8 tensor read as the real values it
stands for (an int8 op reads it as is; a float op gets a DEQUANTIZE, see builder.py). DequantizeLinear of a constant
is folded at import (the integers are kept for the int8 ops, see qdq_graph.quantized_constants).
"""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.qdq_params import activation_quantization, read_affine

OP_TYPE = "DequantizeLinear"
SINCE_VERSIONS = (10, 13, 19, 21, 23, 24, 25, 28)
CONSTANT_INPUTS = (1, 2)


def lower(node: Node, ctx: Builder) -> None:
    """x: int8/uint8 [..] (an ONNX integer tensor), x_scale, x_zero_point: per-tensor constants -> float32 [..]."""
    name = node.inputs[0]
    if name not in ctx.integers:
        raise node.error(f"input {name!r} is not an int8/uint8 tensor made by QuantizeLinear or fed as a graph "
                         "input; only those are dequantized at run time")
    x = ctx.activations[name]
    quantization = activation_quantization(node, read_affine(node, ctx.constants, x.rank, ctx.integers[name]))
    if ctx.quantization(x) != quantization:
        held = ctx.quantization(x)
        raise node.error(f"it reads {name!r} with scale {quantization.scale[0]} and zero point "
                         f"{quantization.zero_point[0]}, but that tensor was quantized with scale {held.scale[0]} "
                         f"and zero point {held.zero_point[0]}")
    ctx.bind(node.outputs[0], x)
