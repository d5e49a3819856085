"""Helpers shared by the lowerings: reading constant inputs, and elementwise ops (unary, and binary with numpy
broadcasting) in whatever layout their operands are stored.

A lowering module (one per ONNX op type, named after it in snake_case) defines:
  OP_TYPE          the ONNX op type it lowers
  SINCE_VERSIONS   the ai.onnx schema versions whose semantics it implements
  CONSTANT_INPUTS  input positions that must be constants (weights, shapes, pads)
  lower(node, ctx) reads the node's inputs from the Builder and binds its outputs
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder, Operand
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.values import Activation


def optional_constant(node: Node, ctx: Builder, position: int) -> np.ndarray | None:
    """The constant at input `position`, or None when the input is absent."""
    name = node.input(position)
    return ctx.constant(name) if name else None


def int_list(values: np.ndarray | list) -> list[int]:
    """Any integer array or list, flattened, as Python ints."""
    return [int(v) for v in np.asarray(values).ravel()]


def unary(node: Node, ctx: Builder, opcode: ir.OpCode, options: object | None = None) -> None:
    """An elementwise op of one activation: computed where it is stored (any layout), no data movement."""
    x = ctx.activation(node.inputs[0])
    layout = x.primary
    ctx.bind(node.outputs[0], ctx.produce(opcode, [x.stored[layout]], node.outputs[0], x.shape, layout, options))


def binary(ctx: Builder, opcode: ir.OpCode, a: Operand, b: Operand, name: str,
           activation: ir.Activation = ir.Activation.NONE) -> Activation:
    """ADD/SUB/MUL of two operands (at least one an activation) with numpy broadcasting, in the layout the
    activations reach most cheaply; constants are rearranged to match."""
    shape = tuple(int(d) for d in np.broadcast_shapes(np.shape(a) if isinstance(a, np.ndarray) else a.shape,
                                                      np.shape(b) if isinstance(b, np.ndarray) else b.shape))
    activations = [v for v in (a, b) if isinstance(v, Activation)]
    if any(v.rank < len(shape) for v in activations):
        layout = ctx.choose_layout(activations, len(shape), allow_flat=False)
    else:
        layout = ctx.choose_layout(activations, len(shape))
    inputs = [ctx.operand(v, layout, f"{name}/operand{k}") for k, v in enumerate((a, b))]
    return ctx.produce(opcode, inputs, name, shape, layout, ir.BinaryOptions(activation=activation))


def scalar(value: float) -> np.ndarray:
    """A float32 0-d constant operand."""
    return np.array(value, dtype=np.float32)
