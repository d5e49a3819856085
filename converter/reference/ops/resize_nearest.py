"""RESIZE_NEAREST: in [N,H,W,C] -> out [N,OH,OW,C].

As TFLite's reference GetNearestNeighbor, per axis in float32: scale = in/out, or (in-1)/(out-1) with
align_corners (out > 1); source = floor((i + offset) * scale), or round-half-away with align_corners, where
offset is 0.5 with half_pixel_centers; then clamped to [0, in-1]. Int8 is the same indexing (shared quantization).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, ResizeOptions
from tensorlet.converter.reference.fixedpoint import round_half_away
from tensorlet.converter.reference.ops.common import (require, require_float_or_int8, require_rank,
                                                      require_same_quantization, shape_str)

OPCODE = OpCode.RESIZE_NEAREST
OPTIONS = ResizeOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1


def check_resize(op, x, y) -> bool:
    """Checks shared by both resize ops: [N,H,W,C] -> [N,OH,OW,C], compatible flags, float32 or int8 with one
    quantization; True when int8."""
    require_rank(x, 4, "input")
    require_rank(y, 4, "output")
    require(y.shape[0] == x.shape[0] and y.shape[3] == x.shape[3],
            f"output {y.name!r} has shape {shape_str(y.shape)}; batch and channels must match input "
            f"{x.name!r} {shape_str(x.shape)}")
    require(not (op.options.align_corners and op.options.half_pixel_centers),
            "align_corners and half_pixel_centers cannot both be true")
    int8 = require_float_or_int8([x, y])
    if int8:
        require_same_quantization(x, y)
    return int8


def float_scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    """TFLite's float32 source/destination ratio of one axis."""
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)



def source_index(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """[out_size] int64: the input position each output position copies along one axis."""
    scale = float_scale(in_size, out_size, align_corners)
    offset = np.float32(0.5 if half_pixel_centers else 0.0)
    position = (np.arange(out_size, dtype=np.float32) + offset) * scale  # float32, as TFLite
    index = round_half_away(position) if align_corners else np.floor(position)
    index = np.minimum(index.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel_centers else index


def check(op, ins, outs) -> None:
    check_resize(op, ins[0], outs[0])


def prepare(op, ins, outs):
    return None


def run(op, ins, values, outs) -> list[np.ndarray]:
    # values[0]: [N,H,W,C] -> [N,OH,OW,C] gathered rows, then columns
    x, o = values[0], op.options
    _, oh, ow, _ = outs[0].shape
    rows = source_index(x.shape[1], oh, o.align_corners, o.half_pixel_centers)
    cols = source_index(x.shape[2], ow, o.align_corners, o.half_pixel_centers)
    return [np.ascontiguousarray(x[:, rows][:, :, cols])]


def macs(op, ins, outs) -> int:
    return 0
