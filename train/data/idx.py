"""IDX files (the MNIST format), raw or gzip-compressed: a big-endian header (two zero bytes, a type code, the
number of dimensions, each dimension as uint32) followed by the array in C order."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from .errors import DatasetFormatError

IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """The array an IDX file's bytes hold (native byte order)."""
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] not in IDX_TYPES:
        raise DatasetFormatError(f"{name}: not an IDX file (magic {data[:4].hex() or 'missing'})")
    dtype, ndim = IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetFormatError(f"{name}: the header of {ndim} dimensions is cut short")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise DatasetFormatError(f"{name}: shape {list(shape)} of {dtype} needs {expected} bytes of data, "
                                 f"the file has {len(data) - header}")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | Path) -> np.ndarray:
    """The array in an IDX file, gunzipped first when it starts with the gzip magic."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return parse_idx(data, str(path))
