"""Size of an activation: a constant at import (every shape is static once the batch is fixed)."""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node

OP_TYPE = "Size"
SINCE_VERSIONS = (1, 13, 19, 21, 23, 24, 25)
CONSTANT_INPUTS = ()


def lower(node: Node, ctx: Builder) -> None:
    """data: any [d0,..] -> int64 scalar d0*d1*.. constant."""
    ctx.bind(node.outputs[0], np.array(math.prod(ctx.activation(node.inputs[0]).shape), dtype=np.int64))
