"""GlobalAveragePool -> MEAN over the spatial axes (axes (1, 2) of the NHWC-stored input), dims kept."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.averaging import mean

OP_TYPE = "GlobalAveragePool"
SINCE_VERSIONS = (1, 22)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [N,C,spatial..] -> [N,C,1,..,1], the mean over the spatial axes."""
    x = ctx.activation(node.inputs[0])
    if x.rank < 3:
        raise node.error(f"input of shape {list(x.shape)} has no spatial axes")
    ctx.bind(node.outputs[0], mean(ctx, x, tuple(range(2, x.rank)), True, node.outputs[0]))
