"""Serialize a validated Model to .tlet bytes with the generated FlatBuffers builders (tensorlet.fbs)."""
from __future__ import annotations

import dataclasses
import importlib

import flatbuffers
import numpy as np

from tensorlet.converter.fbs_decode import FILE_ALIGNMENT
from tensorlet.converter.ir import Model
from tensorlet.converter.validate import validate
from tensorlet.fbs.layout import ENUMS, IDENTIFIER, TABLES, UNIONS

_VECTOR_DTYPES = {"bool": "u1", "byte": "i1", "ubyte": "u1", "short": "<i2", "ushort": "<u2",
                  "int": "<i4", "uint": "<u4", "float": "<f4", "long": "<i8", "ulong": "<u8", "double": "<f8"}


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _numeric_vector(builder: flatbuffers.Builder, values, elem: str, align: int) -> int:
    array = np.ascontiguousarray(values, dtype=_VECTOR_DTYPES[ENUMS[elem]["base"] if elem in ENUMS else elem])
    raw = array.tobytes()
    builder.StartVector(array.itemsize, array.size, max(align, array.itemsize))
    builder.head -= len(raw)
    builder.Bytes[builder.head:builder.head + len(raw)] = raw
    return builder.EndVector()


def _scalar(value, ftype: str):
    if ftype == "bool":
        return bool(value)
    if ftype == "float":
        return float(np.float32(value))
    return float(value) if ftype == "double" else int(value)


def _encode_table(builder: flatbuffers.Builder, table: str, values: dict) -> int:
    """Build one table (children first, as FlatBuffers requires) and return its offset."""
    module = importlib.import_module(f"tensorlet.fbs.{table}")
    children = {}
    for name, ftype, _, align in TABLES[table]:
        value = values.get(name)
        if value is None:
            continue
        if ftype == "string":
            children[name] = builder.CreateString(value)
        elif ftype in TABLES:
            children[name] = _encode_table(builder, ftype, value)
        elif ftype in UNIONS:
            member, member_values = value
            children[name] = _encode_table(builder, member, member_values)
        elif ftype.startswith("["):
            elem = ftype[1:-1]
            if elem == "string" or elem in TABLES:
                items = [builder.CreateString(v) if elem == "string" else _encode_table(builder, elem, v)
                         for v in value]
                builder.StartVector(4, len(items), 4)
                for item in reversed(items):
                    builder.PrependUOffsetTRelative(item)
                children[name] = builder.EndVector()
            else:
                children[name] = _numeric_vector(builder, value, elem, align)
    module.Start(builder)
    for name, ftype, _, _ in TABLES[table]:
        value = values.get(name)
        if value is None:
            continue
        add = getattr(module, "Add" + _camel(name))
        if ftype in UNIONS:
            getattr(module, "Add" + _camel(name) + "Type")(builder, UNIONS[ftype].index(value[0]) + 1)
            add(builder, children[name])
        elif name in children:
            add(builder, children[name])
        else:
            add(builder, _scalar(value, ftype))
    return module.End(builder)


def _options_dict(options) -> tuple[str, dict] | None:
    if options is None:
        return None
    return type(options).__name__, dataclasses.asdict(options)


def model_to_dict(model: Model) -> dict:
    """The Model as schema-shaped dicts; identical constant data shares one buffer."""
    buffers, buffer_index, tensors = [], {}, []
    for tensor in model.tensors:
        entry = {"name": tensor.name, "shape": list(tensor.shape), "dtype": int(tensor.dtype),
                 "arena_offset": tensor.arena_offset, "buffer": -1}
        if tensor.quantization is not None:
            q = tensor.quantization
            entry["quantization"] = {"scale": list(q.scale), "zero_point": list(q.zero_point), "axis": q.axis}
        if tensor.data is not None:
            raw = np.ascontiguousarray(tensor.data).tobytes()
            if raw not in buffer_index:
                buffer_index[raw] = len(buffers)
                buffers.append({"data": np.frombuffer(raw, dtype=np.uint8)})
            entry["buffer"] = buffer_index[raw]
        tensors.append(entry)
    operators = []
    for op in model.operators:
        entry = {"opcode": int(op.opcode), "inputs": list(op.inputs), "outputs": list(op.outputs),
                 "options": _options_dict(op.options)}
        if op.quant_params is not None:
            entry["quant_params"] = dataclasses.asdict(op.quant_params)
        operators.append(entry)
    meta = model.metadata
    metadata = dataclasses.asdict(meta)
    metadata["extra"] = [{"key": k, "value": v} for k, v in meta.extra.items()]
    return {"version": model.version, "tensors": tensors, "operators": operators,
            "inputs": list(model.inputs), "outputs": list(model.outputs), "buffers": buffers,
            "arena_bytes": model.arena_bytes, "metadata": metadata}


def encode(root: dict) -> bytes:
    """Serialize schema-shaped dicts (as model_to_dict makes them) without any validation."""
    builder = flatbuffers.Builder(1024)
    builder.Finish(_encode_table(builder, "Model", root), file_identifier=IDENTIFIER)
    data = bytes(builder.Output())
    return data + bytes(-len(data) % FILE_ALIGNMENT)


def to_bytes(model: Model) -> bytes:
    """Validate `model` and serialize it; raises FormatError instead of writing an invalid file."""
    validate(model)
    return encode(model_to_dict(model))


def save(model: Model, path: str) -> None:
    """Write `model` to `path` as .tlet."""
    data = to_bytes(model)
    with open(path, "wb") as f:
        f.write(data)
