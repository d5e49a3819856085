"""Read a .tlet file into the in-memory Model, verifying its structure and its semantics."""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.fbs_decode import decode
from tensorlet.converter.validate import validate
from tensorlet.errors import FormatError


def _enum(enum_type, value: int, what: str):
    try:
        return enum_type(value)
    except ValueError:
        names = ", ".join(e.name for e in enum_type)
        raise FormatError(f"{what} has unknown value {value} (known: {names})") from None


def _ints(vector) -> list[int]:
    return [] if vector is None else [int(v) for v in vector]


def _tensor(index: int, entry: dict, buffers: list) -> ir.Tensor:
    what = f"tensor {index}"
    dtype = _enum(ir.DType, entry["dtype"], f"{what} dtype")
    quantization = None
    if entry["quantization"] is not None:
        q = entry["quantization"]
        quantization = ir.Quantization(scale=[float(s) for s in (q["scale"] if q["scale"] is not None else [])],
                                       zero_point=_ints(q["zero_point"]), axis=int(q["axis"]))
    shape = tuple(_ints(entry["shape"]))
    data = None
    if entry["buffer"] != -1:
        if not 0 <= entry["buffer"] < len(buffers):
            raise FormatError(f"{what} ({entry['name']!r}) refers to buffer {entry['buffer']}, "
                              f"but the file has {len(buffers)} buffers")
        raw = buffers[entry["buffer"]]["data"]
        raw = np.zeros(0, np.uint8) if raw is None else raw
        itemsize = ir.NUMPY_DTYPES[dtype].itemsize
        expected = int(np.prod(shape, dtype=np.int64)) * itemsize if all(d >= 0 for d in shape) else -1
        if raw.size != expected:
            raise FormatError(f"{what} ({entry['name']!r}) has shape {list(shape)} {dtype.name} ({expected} bytes) "
                              f"but its buffer {entry['buffer']} holds {raw.size} bytes")
        data = raw.view(ir.NUMPY_DTYPES[dtype]).reshape(shape)
    return ir.Tensor(name=entry["name"] or "", shape=shape, dtype=dtype, quantization=quantization,
                     data=data, arena_offset=int(entry["arena_offset"]))


def _options(value):
    if value is None:
        return None
    member, fields = value
    kwargs = {name: tuple(int(x) for x in (() if v is None else v)) if isinstance(v, np.ndarray) or v is None else v
              for name, v in fields.items()}
    if "activation" in kwargs:
        kwargs["activation"] = _enum(ir.Activation, kwargs["activation"], f"{member}.activation")
    return ir.OPTIONS_CLASSES[member](**kwargs)


def _quant_params(entry: dict | None) -> ir.QuantParams | None:
    if entry is None:
        return None
    return ir.QuantParams(output_multiplier=_ints(entry["output_multiplier"]), output_shift=_ints(entry["output_shift"]),
                          input_multiplier=_ints(entry["input_multiplier"]), input_shift=_ints(entry["input_shift"]),
                          left_shift=int(entry["left_shift"]), diff_min=int(entry["diff_min"]),
                          lut=_ints(entry["lut"]), act_min=int(entry["act_min"]),
                          act_max=int(entry["act_max"]), constant=int(entry["constant"]))


def _metadata(entry: dict | None) -> ir.Metadata:
    if entry is None:
        return ir.Metadata()
    pre = entry["preprocessing"]
    preprocessing = None if pre is None else ir.Preprocessing(
        scale=float(pre["scale"]), mean=[float(v) for v in (pre["mean"] if pre["mean"] is not None else [])],
        std=[float(v) for v in (pre["std"] if pre["std"] is not None else [])], layout=pre["layout"] or "")
    return ir.Metadata(producer=entry["producer"] or "", producer_version=entry["producer_version"] or "",
                       description=entry["description"] or "", input_names=entry["input_names"] or [],
                       output_names=entry["output_names"] or [], labels=entry["labels"] or [],
                       preprocessing=preprocessing,
                       extra={kv["key"] or "": kv["value"] or "" for kv in (entry["extra"] or [])})


def from_bytes(buf: bytes) -> ir.Model:
    """Parse and validate .tlet bytes; raises FormatError naming the first violation."""
    root = decode(buf)
    if root["version"] != ir.FORMAT_VERSION:
        raise FormatError(f"format version {root['version']} is not supported (this reader reads version "
                          f"{ir.FORMAT_VERSION})")
    buffers = root["buffers"] or []
    tensors = [_tensor(i, t, buffers) for i, t in enumerate(root["tensors"] or [])]
    operators = []
    for i, entry in enumerate(root["operators"] or []):
        opcode = _enum(ir.OpCode, entry["opcode"], f"operator {i} opcode")
        operators.append(ir.Operator(opcode=opcode, inputs=_ints(entry["inputs"]), outputs=_ints(entry["outputs"]),
                                     options=_options(entry["options"]),
                                     quant_params=_quant_params(entry["quant_params"])))
    model = ir.Model(tensors=tensors, operators=operators, inputs=_ints(root["inputs"]),
                     outputs=_ints(root["outputs"]), metadata=_metadata(root["metadata"]),
                     arena_bytes=int(root["arena_bytes"]), version=int(root["version"]))
    validate(model)
    return model


def load(path: str) -> ir.Model:
    """Read and validate the .tlet file at `path`."""
    with open(path, "rb") as f:
        return from_bytes(f.read())
