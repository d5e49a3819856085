"""Gelu (opset 20, and the target of the Erf/Tanh GELU pattern fusion) -> GELU, elementwise where stored."""
from __future__ import annotations

from tensorlet.converter.ir import GeluOptions, OpCode
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import unary

OP_TYPE = "Gelu"
SINCE_VERSIONS = (20,)
CONSTANT_INPUTS = ()
APPROXIMATIONS = {"none": False, "tanh": True}


def lower(node: Node, ctx: Builder) -> None:
    """X: any shape float32 -> X * Phi(X), exact (erf) or with approximate='tanh'."""
    approximate = node.attr("approximate", "none")
    if approximate not in APPROXIMATIONS:
        raise node.error(f"approximate={approximate!r} is not supported (supported: none, tanh)")
    unary(node, ctx, OpCode.GELU, GeluOptions(approximate=APPROXIMATIONS[approximate]))
