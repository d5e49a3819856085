"""Dropout at inference: its output is its input (an alias); training mode with a nonzero ratio is rejected."""
from __future__ import annotations

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.common import optional_constant

OP_TYPE = "Dropout"
SINCE_VERSIONS = (10, 12, 13, 22)
CONSTANT_INPUTS = (1, 2)


def lower(node: Node, ctx: Builder) -> None:
    """data: any tensor -> the same values (the mask output is not computed)."""
    training = optional_constant(node, ctx, 2)
    ratio = optional_constant(node, ctx, 1)
    if training is not None and bool(training) and (ratio is None or float(ratio) != 0.0):
        raise node.error("training_mode=true drops random elements; only inference (or ratio 0) is supported")
    ctx.bind(node.outputs[0], ctx.value(node.inputs[0]))
