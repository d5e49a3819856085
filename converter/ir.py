"""The in-memory model: plain dataclasses mirroring schemas/tensorlet.fbs one to one.

Enums and operator-option classes are built from the schema's generated layout, so they cannot drift from it.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field

import numpy as np

from tensorlet.fbs.layout import ENUMS, TABLES, UNIONS

FORMAT_VERSION = 1
ARENA_ALIGNMENT = 16  # byte alignment of every activation in the arena

DType = enum.IntEnum("DType", ENUMS["DType"]["values"], module=__name__)
OpCode = enum.IntEnum("OpCode", ENUMS["OpCode"]["values"], module=__name__)
Activation = enum.IntEnum("Activation", ENUMS["Activation"]["values"], module=__name__)

NUMPY_DTYPES: dict[DType, np.dtype] = {
    DType.FLOAT32: np.dtype("<f4"),
    DType.INT8: np.dtype("i1"),
    DType.UINT8: np.dtype("u1"),
    DType.INT16: np.dtype("<i2"),
    DType.INT32: np.dtype("<i4"),
    DType.FLOAT16: np.dtype("<f2"),
}


def dtype_of(array: np.ndarray) -> DType:
    """The DType of a numpy array; FormatError-free callers check support themselves."""
    for dtype, np_dtype in NUMPY_DTYPES.items():
        if array.dtype == np_dtype:
            return dtype
    raise ValueError(f"numpy dtype {array.dtype} has no .tlet dtype (supported: float32, float16, int8, uint8, int16, int32)")


def _options_class(table: str) -> type:
    """A frozen dataclass with the fields and defaults of one options table of the schema."""
    fields = []
    for name, ftype, default, _ in TABLES[table]:
        if ftype.startswith("["):
            fields.append((name, tuple, field(default=())))
        elif ftype in ENUMS:
            enum_type = {"Activation": Activation}.get(ftype, int)
            fields.append((name, enum_type, field(default=enum_type(default))))
        else:
            fields.append((name, type(default), field(default=default)))
    cls = dataclasses.make_dataclass(table, fields, frozen=True)
    cls.__module__ = __name__
    cls.__doc__ = f"Options of the schema table {table} (field defaults are the schema's)."
    return cls


OPTIONS_CLASSES: dict[str, type] = {name: _options_class(name) for name in UNIONS["OperatorOptions"]}
Conv2DOptions = OPTIONS_CLASSES["Conv2DOptions"]
DepthwiseConv2DOptions = OPTIONS_CLASSES["DepthwiseConv2DOptions"]
TransposeConvOptions = OPTIONS_CLASSES["TransposeConvOptions"]
FullyConnectedOptions = OPTIONS_CLASSES["FullyConnectedOptions"]
BinaryOptions = OPTIONS_CLASSES["BinaryOptions"]
Pool2DOptions = OPTIONS_CLASSES["Pool2DOptions"]
MeanOptions = OPTIONS_CLASSES["MeanOptions"]
ConcatenationOptions = OPTIONS_CLASSES["ConcatenationOptions"]
PadOptions = OPTIONS_CLASSES["PadOptions"]
SoftmaxOptions = OPTIONS_CLASSES["SoftmaxOptions"]
LeakyReluOptions = OPTIONS_CLASSES["LeakyReluOptions"]
EluOptions = OPTIONS_CLASSES["EluOptions"]
GeluOptions = OPTIONS_CLASSES["GeluOptions"]
LayerNormOptions = OPTIONS_CLASSES["LayerNormOptions"]
ResizeOptions = OPTIONS_CLASSES["ResizeOptions"]
TransposeOptions = OPTIONS_CLASSES["TransposeOptions"]
SliceOptions = OPTIONS_CLASSES["SliceOptions"]


@dataclass
class Quantization:
    """real = scale * (q - zero_point); one entry per tensor (axis -1) or per slice along `axis`."""

    scale: list[float]
    zero_point: list[int]
    axis: int = -1

    @property
    def per_tensor(self) -> bool:
        return self.axis < 0


@dataclass
class Tensor:
    """A constant (with `data`) or an activation (placed at `arena_offset` by the memory planner)."""

    name: str
    shape: tuple[int, ...]
    dtype: DType = DType.FLOAT32
    quantization: Quantization | None = None
    data: np.ndarray | None = None
    arena_offset: int = -1

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * NUMPY_DTYPES[self.dtype].itemsize


@dataclass
class QuantParams:
    """Int8 parameters precomputed offline; which fields an op uses is listed in the schema."""

    output_multiplier: list[int] = field(default_factory=list)
    output_shift: list[int] = field(default_factory=list)
    input_multiplier: list[int] = field(default_factory=list)
    input_shift: list[int] = field(default_factory=list)
    left_shift: int = 0
    diff_min: int = 0
    lut: list[int] = field(default_factory=list)
    act_min: int = -128
    act_max: int = 127
    constant: int = 0


@dataclass
class Operator:
    """One op in execution order; inputs are tensor indices, -1 for an absent optional input."""

    opcode: OpCode
    inputs: list[int]
    outputs: list[int]
    options: object | None = None
    quant_params: QuantParams | None = None


@dataclass
class Preprocessing:
    """How a raw input becomes the model's input: x' = (x * scale - mean[c]) / std[c]."""

    scale: float = 1.0
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    layout: str = ""


@dataclass
class Metadata:
    producer: str = "tensorlet"
    producer_version: str = ""
    description: str = ""
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    preprocessing: Preprocessing | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Model:
    """One subgraph: tensors, operators in execution order, and the offline memory plan."""

    tensors: list[Tensor]
    operators: list[Operator]
    inputs: list[int]
    outputs: list[int]
    metadata: Metadata = field(default_factory=Metadata)
    arena_bytes: int = 0
    version: int = FORMAT_VERSION
