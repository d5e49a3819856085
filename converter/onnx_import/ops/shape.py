"""Shape of an activation: a constant at import (every shape is static once the batch is fixed)."""
from __future__ import annotations

import numpy as np

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node

OP_TYPE = "Shape"
SINCE_VERSIONS = (1, 13, 15, 19, 21, 23, 24, 25)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """data: any [d0,..] -> int64 [d_start..d_end-1] constant (start, end: opset 15 attributes)."""
    shape = ctx.activation(node.inputs[0]).shape
    start, end = int(node.attr("start", 0)), node.attr("end")
    ctx.bind(node.outputs[0], np.array(shape[start:None if end is None else int(end)], dtype=np.int64))
