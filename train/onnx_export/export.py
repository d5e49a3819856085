"""export_onnx: a Model's inference graph as an ONNX file (every layer writes its own nodes; the batch axis is
symbolic "N"), checked by onnx.checker before it is written."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import onnx

from .graph import OnnxGraph

if TYPE_CHECKING:
    from ..model.model import Model

MIN_OPSET = 17  # LayerNormalization


def export_onnx(model: "Model", path: str | Path, opset: int = 17) -> onnx.ModelProto:
    """Write model to path as ONNX opset `opset` (17 .. the installed onnx's newest) and return the ModelProto."""
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(f"opset must be in {MIN_OPSET}..{newest}, not {opset}")
    if not model.nodes:
        raise ValueError("the model has no layers built yet: call it on data or give its input shape first")
    graph = OnnxGraph(opset)
    names = {id(x): graph.unique(x.name) for x in model.inputs}
    for node in model.nodes:
        names[id(node.output)] = node.layer.to_onnx(graph, [names[id(x)] for x in node.inputs])
    outputs = []
    for k, symbol in enumerate(model.outputs):
        name = names[id(symbol)]
        if name in {names[id(x)] for x in model.inputs} or name in [n for n, _ in outputs]:
            name = graph.node("Identity", [name], f"output_{k}")
        outputs.append((name, symbol.shape))
    proto = graph.to_model([(names[id(x)], x.shape) for x in model.inputs], outputs, model.name)
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, str(path))
    return proto
