"""The import pass: fold constants (keeping DequantizeLinear'd weights as integers), fuse patterns, then walk the
nodes in order, evaluating the ones computable at import and lowering the others through the op table.

QDQ graphs (QuantizeLinear / DequantizeLinear around float ops) become int8 ops: a node whose activation inputs are
all int8 (dequantized) and whose output goes to a QuantizeLinear is lowered to int8 with that quantization (see
int8_lowering.py); layout ops move int8 tensors as they are; any other node stays float, its int8 inputs
dequantized. QOperator-format ops (QLinearConv, ...) are not supported.
"""
from __future__ import annotations

from types import ModuleType

import numpy as np
import onnx

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.folding import fold, fold_constants, foldable
from tensorlet.converter.onnx_import.fusion import fuse_patterns
from tensorlet.converter.onnx_import.graph import Graph, GraphInput, Node
from tensorlet.converter.onnx_import.int8_lowering import INT8_OP_TYPES, lower_int8
from tensorlet.converter.onnx_import.layer_norm_fusion import fuse_layer_norm
from tensorlet.converter.onnx_import.layout import identity
from tensorlet.converter.onnx_import.ops import LOWERINGS, QDQ_LOWERINGS
from tensorlet.converter.onnx_import.qdq_fusion import fuse_qdq
from tensorlet.converter.onnx_import.qdq_graph import (LAYOUT_OPS, QOPERATOR_NOTE, QOPERATOR_OPS, input_quantization,
                                                       quantized_constants)
from tensorlet.converter.onnx_import.qdq_params import activation_quantization, read_affine
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.errors import UnsupportedOpError

INTEGER_INPUTS = {onnx.TensorProto.INT8: np.dtype(np.int8), onnx.TensorProto.UINT8: np.dtype(np.uint8)}
UINT8_NOTE = "uint8 values carried as int8: int8 = uint8 - 128"
AS_STORED = LAYOUT_OPS | {"Shape", "Size"}  # read int8 tensors as they are: they move data or read only the shape


def _dtype_name(elem_type: int) -> str:
    """TensorProto's name of an element type (FLOAT, INT64, ...)."""
    return onnx.TensorProto.DataType.Name(elem_type) if elem_type else "unknown"


def _supported() -> str:
    """The op types of the lowering tables, sorted, comma-separated."""
    return ", ".join(sorted(set(LOWERINGS) | set(QDQ_LOWERINGS)))


def _lowering(node: Node) -> ModuleType:
    """The node's table entry, or UnsupportedOpError naming the node, op type, opset and the supported list."""
    module = (QDQ_LOWERINGS.get(node.op_type) or LOWERINGS.get(node.op_type)) if node.domain == "" else None
    if module is None:
        what = node.op_type if node.domain == "" else f"{node.domain}.{node.op_type}"
        note = QOPERATOR_NOTE if node.op_type in QOPERATOR_OPS else ""
        raise node.error(f"op {what} is not supported{note}; supported op types: {_supported()} (and any node "
                         "whose inputs are all constants, which is evaluated at import)")
    if node.since_version not in module.SINCE_VERSIONS:
        raise node.error(f"{node.op_type} version {node.since_version} is not supported (supported versions: "
                         f"{', '.join(str(v) for v in module.SINCE_VERSIONS)})")
    return module


def _check_inputs(node: Node, ctx: Builder, module) -> None:
    """Constants where the lowering needs them; every other input a float32 activation or a constant."""
    for position, name in enumerate(node.inputs):
        if name and position in module.CONSTANT_INPUTS and not ctx.is_constant(name):
            raise node.error(f"input {position} ({name!r}) is computed at run time, but {node.op_type} is supported "
                             "only with a constant there (an initializer or a value computable at import)")


def _check_outputs(node: Node, ctx: Builder, graph: Graph, needed: set[str]) -> None:
    """Every output read later (or a graph output) was computed, with the inferred shape where one is known."""
    for name in node.outputs:
        if name and name in needed and name not in ctx.activations and not ctx.is_constant(name):
            raise node.error(f"output {name!r} is not supported (only the main output of {node.op_type} is computed)")
        value = ctx.activations.get(name)
        inferred = graph.shapes.get(name)
        if isinstance(value, Activation) and inferred is not None and tuple(inferred) != value.shape:
            raise node.error(f"the converted output {name!r} has shape {list(value.shape)}, but ONNX shape inference "
                             f"gives {list(inferred)}")


def _add_input(ctx: Builder, graph: Graph, value: GraphInput, metadata: ir.Metadata) -> None:
    """A graph input: float32, or int8/uint8 with the quantization of the DequantizeLinear nodes reading it."""
    if value.elem_type == onnx.TensorProto.FLOAT:
        ctx.add_input(value.name, value.shape)
        return
    dtype = INTEGER_INPUTS.get(value.elem_type)
    quantization = None if dtype is None else input_quantization(graph, value.name, len(value.shape), dtype)
    if quantization is None:
        raise UnsupportedOpError(f"graph input {value.name!r} is {_dtype_name(value.elem_type)}; only float32 "
                                 "activations are supported, and int8/uint8 ones read by DequantizeLinear (QDQ)")
    ctx.add_input(value.name, value.shape, ir.DType.INT8, quantization)
    ctx.integers[value.name] = dtype
    if dtype == np.uint8:
        metadata.extra[f"{value.name}.uint8"] = UINT8_NOTE


def _output_quantization(node: Node, ctx: Builder, graph: Graph,
                         consumers: dict[str, list[Node]]) -> ir.Quantization | None:
    """The int8 quantization of the first QuantizeLinear reading the node's output, or None."""
    name = node.outputs[0]
    for reader in consumers.get(name, []):
        if reader.op_type == "QuantizeLinear" and reader.domain == "":
            rank = len(graph.shapes.get(name, ())) or 1  # only resolves a negative per-axis axis
            return activation_quantization(reader, read_affine(reader, ctx.constants, rank, np.dtype(np.uint8)))
    return None


def _lower(node: Node, ctx: Builder, graph: Graph, consumers: dict[str, list[Node]]) -> None:
    """Lower one node: Q/DQ, a layout op moving int8 tensors, an int8 op of a QDQ island, or a float op."""
    module = _lowering(node)
    _check_inputs(node, ctx, module)
    if node.op_type in QDQ_LOWERINGS:
        module.lower(node, ctx)
        return
    activations = [n for n in node.inputs if n in ctx.activations]
    quantized = [n for n in activations if ctx.is_quantized(ctx.activations[n])]
    integer = [n for n in quantized if n in ctx.integers]
    if integer and node.op_type not in AS_STORED:
        raise node.error(f"input {integer[0]!r} is an int8/uint8 tensor; only DequantizeLinear and "
                         f"{', '.join(sorted(AS_STORED))} may read one")
    if quantized and node.op_type in AS_STORED:
        with ctx.int8_reads():
            module.lower(node, ctx)
        if integer and node.op_type in LAYOUT_OPS:
            ctx.integers[node.outputs[0]] = ctx.integers[integer[0]]
        return
    output = None
    if quantized and quantized == activations and node.op_type in INT8_OP_TYPES:
        output = _output_quantization(node, ctx, graph, consumers)
    if output is not None:
        lower_int8(node, ctx, module, output)
    else:
        module.lower(node, ctx)


def _graph_output(ctx: Builder, name: str, metadata: ir.Metadata) -> int:
    """The tensor of graph output `name`: int8 for an ONNX integer output, else float (dequantized if int8)."""
    if name not in ctx.activations:
        raise UnsupportedOpError(f"graph output {name!r} is a constant (it does not depend on any input); "
                                 "a model must compute its outputs")
    value = ctx.activations[name]
    if ctx.is_quantized(value) and name not in ctx.integers:
        layout = identity(value.rank)  # moved as int8 (a quarter of the bytes), then dequantized
        ctx.bind(name, ctx.dequantized(Activation(name, value.shape, {layout: ctx.tensor(value, layout)})))
    if ctx.integers.get(name) == np.uint8:
        metadata.extra[f"{name}.uint8"] = UINT8_NOTE
    return ctx.output(name)


def import_graph(graph: Graph, metadata: ir.Metadata) -> ir.Model:
    """The IR model computing `graph` (float32 or int8, not memory-planned)."""
    qoperator = next((node for node in graph.nodes if node.op_type in QOPERATOR_OPS), None)
    if qoperator is not None:
        _lowering(qoperator)
    dequantizers = [node for node in graph.nodes if node.op_type == "DequantizeLinear"]
    fold_constants(graph)
    ctx = Builder(graph.constants)
    ctx.quantized_constants = quantized_constants(dequantizers, graph.constants)
    for value in graph.inputs:
        _add_input(ctx, graph, value, metadata)
    fuse_layer_norm(graph)
    fuse_patterns(graph)
    fuse_qdq(graph)
    consumers = graph.consumers()
    needed = {name for node in graph.nodes for name in node.inputs if name} | set(graph.outputs)
    for node in graph.nodes:
        if foldable(node, ctx.constants):
            ctx.constants.update(fold(node, ctx.constants))
            continue
        try:
            _lower(node, ctx, graph, consumers)
        except ValueError as e:  # numpy's broadcasting and reshaping errors: inputs the node does not accept
            raise node.error(f"its inputs do not fit it: {e}") from e
        _check_outputs(node, ctx, graph, needed)
    outputs = [_graph_output(ctx, name, metadata) for name in graph.outputs]
    return ctx.model(outputs, metadata)
