"""Softmax -> SOFTMAX over the stored last axis: the reduction axis is read where it is already stored last (a
TRANSPOSE only when no stored layout has it there). Before opset 13 the input is coerced to 2-D at `axis`.
"""
from __future__ import annotations

import math

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import identity, moved_last

OP_TYPE = "Softmax"
SINCE_VERSIONS = (11, 13)
CONSTANT_INPUTS = ()


def lower_softmax(node: Node, ctx: Builder, opcode: ir.OpCode) -> None:
    """input: float32 [..] -> softmax (or log-softmax) over `axis` (default -1; 1 before opset 13)."""
    x = ctx.activation(node.inputs[0])
    name = node.outputs[0]
    axis = int(node.attr("axis", -1 if node.since_version >= 13 else 1)) % max(x.rank, 1)
    options = ir.SoftmaxOptions(beta=1.0)
    if node.since_version < 13 and axis != x.rank - 1:
        rows = (math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))
        flat = ctx.emit(ir.OpCode.RESHAPE, [ctx.tensor(x, identity(x.rank))], rows, f"{name}/2d")
        result = ctx.emit(opcode, [flat], rows, f"{name}/2d_out", options)
        ctx.bind(name, ctx.produce(ir.OpCode.RESHAPE, [result], name, x.shape, identity(x.rank)))
        return
    fitting = [layout for layout in x.stored
               if (layout.is_flat and axis == x.rank - 1) or (not layout.is_flat and layout.perm[-1] == axis)]
    layout = fitting[0] if fitting else moved_last(ctx.choose_layout([x], x.rank, allow_flat=False), axis)
    ctx.bind(name, ctx.produce(opcode, [ctx.tensor(x, layout)], name, x.shape, layout, options))


def lower(node: Node, ctx: Builder) -> None:
    """input: float32 [..] -> exp(x) / sum(exp(x)) along axis."""
    lower_softmax(node, ctx, ir.OpCode.SOFTMAX)
