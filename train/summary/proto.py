"""The few protobuf messages an event file holds (tensorflow's Event, Summary, Summary.Value, HistogramProto),
encoded by hand in the protobuf wire format: varints, 64-bit doubles, 32-bit floats, length-delimited fields."""
from __future__ import annotations

import struct
from typing import Sequence

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    """Base-128 varint of a non-negative int (negative int64s as their 64-bit two's complement)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _key(field, LENGTH) + _varint(len(payload)) + payload


def _double_field(field: int, value: float) -> bytes:
    return _key(field, FIXED64) + struct.pack("<d", value)


def histogram(minimum: float, maximum: float, count: float, total: float, sum_squares: float,
              bucket_limits: Sequence[float], buckets: Sequence[float]) -> bytes:
    """HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5, bucket_limit 6 and bucket 7 (packed doubles)."""
    packed = lambda values: struct.pack(f"<{len(values)}d", *values)  # noqa: E731
    return (_double_field(1, minimum) + _double_field(2, maximum) + _double_field(3, count)
            + _double_field(4, total) + _double_field(5, sum_squares)
            + _bytes_field(6, packed(bucket_limits)) + _bytes_field(7, packed(buckets)))


def scalar_value(tag: str, value: float) -> bytes:
    """Summary.Value with tag 1 and simple_value 2 (float)."""
    return _bytes_field(1, tag.encode()) + _key(2, FIXED32) + struct.pack("<f", value)


def histogram_value(tag: str, histo: bytes) -> bytes:
    """Summary.Value with tag 1 and histo 5."""
    return _bytes_field(1, tag.encode()) + _bytes_field(5, histo)


def event(wall_time: float, step: int, file_version: str | None = None,
          values: Sequence[bytes] = ()) -> bytes:
    """Event: wall_time 1 (double), step 2 (int64), and file_version 3 or a Summary 5 (repeated value 1)."""
    out = _double_field(1, wall_time) + _key(2, VARINT) + _varint(step)
    if file_version is not None:
        return out + _bytes_field(3, file_version.encode())
    return out + _bytes_field(5, b"".join(_bytes_field(1, v) for v in values))
