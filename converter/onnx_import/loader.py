"""Bring an ONNX model into the form the importer reads: loaded, its ai.onnx opset checked (older ones upgraded),
symbolic batch dimensions fixed to 1, and onnx shape inference run so every value's type and shape are known.
"""
from __future__ import annotations

from pathlib import Path

import onnx
from onnx import shape_inference, version_converter

from tensorlet.converter.onnx_import.qdq_graph import QOPERATOR_NOTE, QOPERATOR_OPS
from tensorlet.errors import FormatError, UnsupportedOpError

MIN_OPSET = 11        # the oldest ai.onnx opset read as is
UPGRADABLE_OPSET = 7  # opsets 7..10 are first upgraded to MIN_OPSET with onnx's version converter


def load(source: onnx.ModelProto | str | Path | bytes) -> onnx.ModelProto:
    """A copy of `source` (a ModelProto, a file path, or serialized bytes) as a ModelProto."""
    if isinstance(source, onnx.ModelProto):
        model = onnx.ModelProto()
        model.CopyFrom(source)
        return model
    try:
        if isinstance(source, (bytes, bytearray)):
            return onnx.load_from_string(bytes(source))
        return onnx.load(str(source))
    except Exception as e:  # protobuf's DecodeError and friends
        raise FormatError(f"not a readable ONNX model: {type(e).__name__}: {e}") from None


def ai_onnx_opset(model: onnx.ModelProto) -> int:
    """The version of the ai.onnx opset the model imports."""
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if not versions:
        ops = sorted({f"{n.domain}.{n.op_type}" if n.domain else n.op_type for n in model.graph.node})
        note = QOPERATOR_NOTE if any(n.op_type in QOPERATOR_OPS for n in model.graph.node) else ""
        raise UnsupportedOpError(f"the model imports no ai.onnx opset; its ops {', '.join(ops)} are not "
                                 f"supported{note}")
    return int(versions[0])


def _upgraded(model: onnx.ModelProto, opset: int) -> onnx.ModelProto:
    """The model itself for opsets MIN_OPSET and newer, upgraded to MIN_OPSET from 7..10, else an error."""
    newest = onnx.defs.onnx_opset_version()
    if opset > newest:
        raise UnsupportedOpError(f"ai.onnx opset {opset} is newer than this onnx package knows ({newest})")
    if opset >= MIN_OPSET:
        return model
    if opset < UPGRADABLE_OPSET:
        raise UnsupportedOpError(f"ai.onnx opset {opset} is too old; supported: {UPGRADABLE_OPSET}..{newest} "
                                 f"(below {MIN_OPSET} upgraded first)")
    try:
        return version_converter.convert_version(model, MIN_OPSET)
    except Exception as e:
        raise UnsupportedOpError(f"could not upgrade the model from opset {opset} to {MIN_OPSET}: {e}") from None


def _fix_batch_dims(model: onnx.ModelProto) -> None:
    """Set a symbolic or unknown first dim of every graph input to 1; any other unknown dim is an error."""
    initializers = {t.name for t in model.graph.initializer}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor_type = value.type.tensor_type
        if not tensor_type.HasField("shape"):
            raise UnsupportedOpError(f"graph input {value.name!r} has no shape")
        for axis, dim in enumerate(tensor_type.shape.dim):
            if dim.HasField("dim_value") and dim.dim_value > 0:
                continue
            if axis != 0:
                what = dim.dim_param or "unknown"
                raise UnsupportedOpError(f"graph input {value.name!r} has a dynamic dim ({what}) at axis {axis}; "
                                         "only a dynamic batch (axis 0) is fixed, to 1")
            dim.Clear()
            dim.dim_value = 1
    del model.graph.value_info[:]


def prepare(source: onnx.ModelProto | str | Path | bytes) -> tuple[onnx.ModelProto, int]:
    """(the model ready to import, its ai.onnx opset)."""
    model = load(source)
    if not model.graph.output:
        raise FormatError("not an ONNX model: it has no graph outputs")
    model = _upgraded(model, ai_onnx_opset(model))
    _fix_batch_dims(model)
    try:
        model = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as e:
        raise FormatError(f"onnx shape inference failed: {type(e).__name__}: {e}") from None
    return model, ai_onnx_opset(model)
