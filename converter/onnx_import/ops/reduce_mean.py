"""ReduceMean -> MEAN (see averaging.py); over the spatial axes of an NHWC-stored tensor it is a single MEAN."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.averaging import mean
from tensorlet.converter.onnx_import.ops.common import int_list, optional_constant

OP_TYPE = "ReduceMean"
SINCE_VERSIONS = (11, 13, 18)
CONSTANT_INPUTS = (1,)


def lower(node: Node, ctx: Builder) -> None:
    """data: float32 [..] -> mean over axes (attribute before opset 18, then input; none given: all, or data
    unchanged with noop_with_empty_axes), keepdims default 1."""
    x = ctx.activation(node.inputs[0])
    given = node.attr("axes") if node.since_version < 18 else optional_constant(node, ctx, 1)
    axes = tuple(sorted({a % x.rank for a in int_list(given)})) if given is not None else ()
    if not axes and node.attr("noop_with_empty_axes", 0):
        ctx.bind(node.outputs[0], x)
        return
    axes = axes or tuple(range(x.rank))
    ctx.bind(node.outputs[0], mean(ctx, x, axes, bool(node.attr("keepdims", 1)), node.outputs[0]))
