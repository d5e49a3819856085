"""The import pass: fold constants (a quantized QDQ graph is rejected as a whole), fuse patterns, then walk the
nodes in order, evaluating the ones computable at import and lowering the others through the op table.
"""
from __future__ import annotations

from types import ModuleType

import onnx

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.folding import fold, fold_constants, foldable
from tensorlet.converter.onnx_import.fusion import fuse_patterns
from tensorlet.converter.onnx_import.graph import Graph, Node
from tensorlet.converter.onnx_import.layer_norm_fusion import fuse_layer_norm
from tensorlet.converter.onnx_import.ops import LOWERINGS
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.errors import UnsupportedOpError

QDQ = {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul"}


def _dtype_name(elem_type: int) -> str:
    """TensorProto's name of an element type (FLOAT, INT64, ...)."""
    return onnx.TensorProto.DataType.Name(elem_type) if elem_type else "unknown"


def _supported() -> str:
    """The op types of the lowering table, sorted, comma-separated."""
    return ", ".join(sorted(LOWERINGS))


def _lowering(node: Node) -> ModuleType:
    """The node's table entry, or UnsupportedOpError naming the node, op type, opset and the supported list."""
    module = LOWERINGS.get(node.op_type) if node.domain == "" else None
    if module is None:
        what = node.op_type if node.domain == "" else f"{node.domain}.{node.op_type}"
        note = " (quantized QDQ graphs are not supported yet)" if node.op_type in QDQ else ""
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


def import_graph(graph: Graph, metadata: ir.Metadata) -> ir.Model:
    """The IR model computing `graph` (float32, not memory-planned)."""
    fold_constants(graph)
    quantized = next((node for node in graph.nodes if node.op_type in QDQ), None)
    if quantized is not None:
        _lowering(quantized)
    ctx = Builder(graph.constants)
    for value in graph.inputs:
        if value.elem_type != onnx.TensorProto.FLOAT:
            raise UnsupportedOpError(f"graph input {value.name!r} is {_dtype_name(value.elem_type)}; only float32 "
                                     "activations are supported")
        ctx.add_input(value.name, value.shape)
    fuse_layer_norm(graph)
    fuse_patterns(graph)
    needed = {name for node in graph.nodes for name in node.inputs if name} | set(graph.outputs)
    for node in graph.nodes:
        if foldable(node, ctx.constants):
            ctx.constants.update(fold(node, ctx.constants))
            continue
        module = _lowering(node)
        _check_inputs(node, ctx, module)
        try:
            module.lower(node, ctx)
        except ValueError as e:  # numpy's broadcasting and reshaping errors: inputs the node does not accept
            raise node.error(f"its inputs do not fit it: {e}") from e
        _check_outputs(node, ctx, graph, needed)
    outputs = []
    for name in graph.outputs:
        if name not in ctx.activations:
            raise UnsupportedOpError(f"graph output {name!r} is a constant (it does not depend on any input); "
                                     "a model must compute its outputs")
        outputs.append(ctx.output(name))
    return ctx.model(outputs, metadata)
