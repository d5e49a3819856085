"""Concat -> CONCATENATION along the stored position of the ONNX axis, in the layout its activations share."""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.values import Activation

OP_TYPE = "Concat"
SINCE_VERSIONS = (11, 13)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """inputs: float32 of one rank, equal except along axis -> joined along axis."""
    values = [ctx.value(name) for name in node.inputs if name]
    values = [v for v in values if np.prod(v.shape) > 0]
    activations = [v for v in values if isinstance(v, Activation)]
    rank = activations[0].rank
    axis = int(node.attr("axis")) % rank
    shape = list(activations[0].shape)
    shape[axis] = sum(int(np.shape(v)[axis]) if isinstance(v, np.ndarray) else v.shape[axis] for v in values)
    name = node.outputs[0]
    if len(values) == 1:
        ctx.bind(name, activations[0])
        return
    layout = ctx.choose_layout(activations, rank, allow_flat=False)
    inputs = [ctx.operand(v, layout, f"{name}/part{k}") for k, v in enumerate(values)]
    options = ir.ConcatenationOptions(axis=layout.perm.index(axis))
    ctx.bind(name, ctx.produce(ir.OpCode.CONCATENATION, inputs, name, tuple(shape), layout, options))
