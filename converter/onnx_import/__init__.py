"""tensorlet.converter.onnx_import: convert an ONNX model (float32, opsets 11..21 and the type-only revisions after)
into the IR, NCHW conv nets lowered to our NHWC ops with layout changes kept at the model's edges. QDQ graphs
(QuantizeLinear/DequantizeLinear around float ops, as tf2onnx and onnxruntime's quantizer write them) become int8 ops
keeping their scales and zero points.
"""
from __future__ import annotations

from pathlib import Path

import onnx

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.graph import build_graph
from tensorlet.converter.onnx_import.importer import import_graph
from tensorlet.converter.onnx_import.loader import prepare

__all__ = ["import_onnx"]


def import_onnx(model: onnx.ModelProto | str | Path | bytes) -> ir.Model:
    """The IR of an ONNX model (a ModelProto, a file path or serialized bytes): float32, or int8 for a QDQ graph,
    not memory-planned (run apply_plan, then validate). Inputs and outputs keep their ONNX names, shapes and layouts
    (a dynamic batch is fixed to 1); an int8 input or output stays int8 (uint8 ones are carried as int8 = uint8 - 128,
    noted in metadata.extra). Raises UnsupportedOpError naming the first node, op, attribute or dtype outside what
    Tensorlet supports, FormatError for a file that is not a readable ONNX model."""
    proto, opset = prepare(model)
    graph = build_graph(proto, opset)
    metadata = ir.Metadata(producer=proto.producer_name, producer_version=proto.producer_version,
                           description=proto.doc_string, input_names=[i.name for i in graph.inputs],
                           output_names=list(graph.outputs))
    return import_graph(graph, metadata)
