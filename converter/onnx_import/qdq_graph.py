"""What the QuantizeLinear / DequantizeLinear nodes of a QDQ graph say about its values, read from the graph before
lowering: the constants they dequantize (weights and biases, kept as integers and scales), the quantization of an
int8/uint8 graph input (from the DequantizeLinear nodes reading it), and which values are dequantized activations.

Layout ops commute with (de)quantization, so they are looked through: DequantizeLinear -> Reshape -> Conv still
feeds the conv a dequantized activation.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.graph import Graph, Node
from tensorlet.converter.onnx_import.qdq_params import activation_quantization, read_affine
from tensorlet.converter.onnx_import.weights import Weights, from_dequantized

QOPERATOR_OPS = frozenset({"QLinearConv", "QLinearMatMul", "QLinearAdd", "QLinearMul", "QLinearAveragePool",
                           "QLinearConcat", "QLinearGlobalAveragePool", "QLinearLeakyRelu", "QLinearSigmoid",
                           "QLinearSoftmax", "QGemm", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear",
                           "DynamicQuantizeMatMul"})
QOPERATOR_NOTE = (" (a QOperator-format quantized op: only QDQ graphs, QuantizeLinear/DequantizeLinear around float "
                  "ops, are supported)")
LAYOUT_OPS = frozenset({"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Identity", "Dropout", "Slice"})
QUANTIZED_CONSTANT_TYPES = (np.dtype(np.int8), np.dtype(np.uint8), np.dtype(np.int32))


def quantized_constants(dequantizers: list[Node], constants: dict[str, np.ndarray]) -> dict[str, Weights]:
    """Output name -> integer Weights of every DequantizeLinear (of `dequantizers`, read before constant folding)
    that folding evaluated: its input an int8, uint8 or int32 constant quantized per tensor or per axis."""
    found = {}
    for node in dequantizers:
        if node.outputs[0] not in constants or any(name and name not in constants for name in node.inputs):
            continue
        values = np.asarray(constants[node.inputs[0]])
        if values.dtype in QUANTIZED_CONSTANT_TYPES and not node.attr("block_size", 0):
            found[node.outputs[0]] = from_dequantized(values, read_affine(node, constants, values.ndim, values.dtype))
    return found


def producers(graph: Graph) -> dict[str, Node]:
    """Value name -> the node computing it."""
    return {name: node for node in graph.nodes for name in node.outputs if name}


def is_dequantized(name: str, made_by: dict[str, Node], constants: dict[str, np.ndarray]) -> bool:
    """True when `name` is a DequantizeLinear of an activation, possibly moved by layout ops."""
    node = made_by.get(name)
    while node is not None and node.op_type in LAYOUT_OPS:
        node = made_by.get(node.inputs[0])
    return node is not None and node.op_type == "DequantizeLinear" and node.inputs[0] not in constants


def dequantizers_of(name: str, consumers: dict[str, list[Node]]) -> list[Node]:
    """The DequantizeLinear nodes reading `name`, directly or through layout ops."""
    found, frontier = [], [name]
    while frontier:
        for node in consumers.get(frontier.pop(), []):
            if node.op_type == "DequantizeLinear":
                found.append(node)
            elif node.op_type in LAYOUT_OPS:
                frontier.append(node.outputs[0])
    return found


def input_quantization(graph: Graph, name: str, rank: int, dtype: np.dtype) -> ir.Quantization | None:
    """The int8 quantization of an integer graph input: the one every DequantizeLinear reading it states (uint8
    shifted to int8), None when none reads it; UnsupportedOpError when they disagree."""
    readers = dequantizers_of(name, graph.consumers())
    found = [activation_quantization(node, read_affine(node, graph.constants, rank, dtype)) for node in readers]
    for node, quantization in zip(readers, found):
        if quantization != found[0]:
            raise node.error(f"it reads graph input {name!r} with scale {quantization.scale[0]} and zero point "
                             f"{quantization.zero_point[0]}, but {readers[0].name!r} reads it with "
                             f"{found[0].scale[0]} and {found[0].zero_point[0]}; an input has one quantization")
    return found[0] if found else None
