"""A bounds-checked FlatBuffers decoder for .tlet files, driven by the schema's generated layout.

Every offset, length and alignment is checked before it is followed; any violation raises FormatError.
The result is plain dicts (tables), lists, strings and read-only numpy arrays (scalar vectors).
"""
from __future__ import annotations

import struct

import numpy as np

from tensorlet.errors import FormatError
from tensorlet.fbs.layout import ENUMS, IDENTIFIER, ROOT, SCALAR_SIZES, TABLES, UNIONS

FILE_ALIGNMENT = 16  # a .tlet file's length is a multiple of 16 (the writer pads with zeros)
_STRUCT_CODES = {
    "bool": "?", "byte": "b", "ubyte": "B", "int8": "b", "uint8": "B",
    "short": "h", "ushort": "H", "int16": "h", "uint16": "H",
    "int": "i", "uint": "I", "int32": "i", "uint32": "I", "float": "f", "float32": "f",
    "long": "q", "ulong": "Q", "int64": "q", "uint64": "Q", "double": "d", "float64": "d",
}
_NUMPY_CODES = {"bool": "u1", "byte": "i1", "ubyte": "u1", "short": "<i2", "ushort": "<u2",
                "int": "<i4", "uint": "<u4", "float": "<f4", "long": "<i8", "ulong": "<u8", "double": "<f8"}


def _scalar_type(ftype: str) -> str:
    return ENUMS[ftype]["base"] if ftype in ENUMS else ftype


def _stored(default, ftype: str):
    """A schema default as the file would hold it (a float field's default rounded to float32)."""
    if ftype == "float":
        return struct.unpack("<f", struct.pack("<f", default))[0]
    return default


class _Decoder:
    """Walks one buffer; `budget` caps decoded bytes so aliased offsets cannot blow up the work."""

    def __init__(self, buf: bytes):
        self.buf = memoryview(buf).cast("B")
        self.size = len(self.buf)
        self.budget = 16 * self.size + 4096

    def fail(self, what: str, pos: int) -> None:
        raise FormatError(f"{what} (at byte {pos} of {self.size})")

    def spend(self, nbytes: int, pos: int) -> None:
        self.budget -= nbytes
        if self.budget < 0:
            self.fail("too many references to the same data (decoding budget exceeded)", pos)

    def read(self, code: str, pos: int, what: str):
        width = struct.calcsize("<" + code)
        if pos < 0 or pos + width > self.size:
            self.fail(f"{what} lies outside the file", pos)
        if pos % width:
            self.fail(f"{what} is misaligned", pos)
        return struct.unpack_from("<" + code, self.buf, pos)[0]

    def follow(self, pos: int, what: str) -> int:
        """The absolute position a uoffset at `pos` points to."""
        target = pos + self.read("I", pos, f"offset to {what}")
        if target >= self.size:
            self.fail(f"offset to {what} points past the end", pos)
        return target

    def vector(self, pos: int, elem_size: int, align: int, what: str) -> tuple[int, int]:
        """(start of elements, count) of the vector at `pos`, all elements inside the file."""
        start = self.follow(pos, what)
        count = self.read("I", start, f"length of {what}")
        first = start + 4
        if first % max(elem_size, align, 1) and count:
            self.fail(f"{what} is misaligned", first)
        if first + count * elem_size > self.size:
            self.fail(f"{what} ({count} elements) runs past the end", start)
        self.spend(count * elem_size + 4, start)
        return first, count

    def string(self, pos: int, what: str) -> str:
        first, count = self.vector(pos, 1, 1, what)
        if first + count >= self.size or self.buf[first + count] != 0:
            self.fail(f"{what} is not zero-terminated", first)
        try:
            return bytes(self.buf[first:first + count]).decode("utf-8")
        except UnicodeDecodeError:
            self.fail(f"{what} is not valid UTF-8", first)

    def table(self, pos: int, name: str, depth: int = 0) -> dict:
        if depth > 16:
            self.fail(f"table {name} nested too deeply", pos)
        vtable = pos - self.read("i", pos, f"vtable offset of {name}")
        vt_size = self.read("H", vtable, f"vtable of {name}")
        obj_size = self.read("H", vtable + 2, f"vtable of {name}")
        if vt_size < 4 or vt_size % 2 or vtable + vt_size > self.size:
            self.fail(f"vtable of {name} has a bad size {vt_size}", vtable)
        if obj_size < 4 or pos + obj_size > self.size:
            self.fail(f"table {name} has a bad size {obj_size}", pos)
        self.spend(vt_size + obj_size, pos)

        def field_pos(slot: int, width: int, what: str) -> int | None:
            voffset = 4 + 2 * slot
            if voffset + 2 > vt_size:
                return None
            offset = self.read("H", vtable + voffset, f"vtable entry of {what}")
            if offset == 0:
                return None
            if offset < 4 or offset + width > obj_size:
                self.fail(f"field {what} lies outside its table", pos)
            return pos + offset

        result, slot = {}, 0
        for fname, ftype, default, align in TABLES[name]:
            what = f"{name}.{fname}"
            if ftype in UNIONS:
                type_pos = field_pos(slot, 1, what + "_type")
                kind = 0 if type_pos is None else self.buf[type_pos]
                value_pos = field_pos(slot + 1, 4, what)
                slot += 2
                if kind == 0 or value_pos is None:
                    result[fname] = None
                    continue
                if kind > len(UNIONS[ftype]):
                    self.fail(f"{what} has unknown type {kind}", type_pos)
                member = UNIONS[ftype][kind - 1]
                result[fname] = (member, self.table(self.follow(value_pos, what), member, depth + 1))
                continue
            is_scalar = _scalar_type(ftype) in SCALAR_SIZES
            width = SCALAR_SIZES[_scalar_type(ftype)] if is_scalar else 4
            fpos = field_pos(slot, width, what)
            slot += 1
            if fpos is None:
                result[fname] = _stored(default, ftype) if is_scalar else None
            elif is_scalar:
                result[fname] = self.read(_STRUCT_CODES[_scalar_type(ftype)], fpos, what)
            elif ftype == "string":
                result[fname] = self.string(fpos, what)
            elif ftype in TABLES:
                result[fname] = self.table(self.follow(fpos, what), ftype, depth + 1)
            else:
                result[fname] = self.vector_field(fpos, ftype[1:-1], align, what, depth)
        return result

    def vector_field(self, pos: int, elem: str, align: int, what: str, depth: int):
        if elem == "string" or elem in TABLES:
            first, count = self.vector(pos, 4, 4, what)
            if elem == "string":
                return [self.string(first + 4 * i, f"{what}[{i}]") for i in range(count)]
            return [self.table(self.follow(first + 4 * i, f"{what}[{i}]"), elem, depth + 1) for i in range(count)]
        base = _scalar_type(elem)
        first, count = self.vector(pos, SCALAR_SIZES[base], align, what)
        array = np.frombuffer(self.buf, dtype=_NUMPY_CODES[base], count=count, offset=first)
        array.flags.writeable = False
        return array


def decode(buf: bytes) -> dict:
    """Decode a whole .tlet buffer into dicts; raises FormatError on any structural violation."""
    if len(buf) < 8:
        raise FormatError(f"file is {len(buf)} bytes, too short to be a .tlet model")
    if len(buf) % FILE_ALIGNMENT:
        raise FormatError(f"file is {len(buf)} bytes, not a multiple of {FILE_ALIGNMENT}: truncated or padded")
    if bytes(buf[4:8]) != IDENTIFIER:
        raise FormatError(f"file identifier is {bytes(buf[4:8])!r}, expected {IDENTIFIER!r}: not a .tlet model")
    decoder = _Decoder(buf)
    return decoder.table(decoder.follow(0, "root table"), ROOT)
