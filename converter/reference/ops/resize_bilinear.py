"""RESIZE_BILINEAR: in [N,H,W,C] -> out [N,OH,OW,C].

Float as TFLite's reference ResizeBilinear, in float32: scale = in/out, or (in-1)/(out-1) with align_corners
(out > 1); source s = i*scale, or (i+0.5)*scale - 0.5 with half_pixel_centers; taps i0 = max(floor(s), 0),
i1 = min(ceil(s), in-1), weight of i1 = s - i0; the four products summed in TFLite's order.
Int8 as TFLite's ResizeBilinearInteger: the same with 10 fractional bits (integer scale rounded to nearest),
a 20-bit weighted sum rounded half away from zero (double-rounding build); input and output share quantization.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, ResizeOptions
from tensorlet.converter.reference.ops.common import is_int8, require
from tensorlet.converter.reference.ops.resize_nearest import check_resize, float_scale

OPCODE = OpCode.RESIZE_BILINEAR
OPTIONS = ResizeOptions
INPUTS = (1, 1)
OPTIONAL = ()
OUTPUTS = 1

ONE_10 = 1 << 10  # 1.0 with 10 fractional bits


def c_div(a: np.ndarray, b: int) -> np.ndarray:
    """C integer division of int64 values by a positive b: truncates toward zero."""
    return np.where(a >= 0, a // b, -((-a) // b))


def float_taps(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool):
    """[out_size] each: (float32 source position, int64 lower tap, int64 upper tap) along one axis."""
    scale = float_scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=np.float32)
    half = np.float32(0.5)
    position = (i + half) * scale - half if half_pixel_centers else i * scale
    lower = np.maximum(np.floor(position).astype(np.int64), 0)
    upper = np.minimum(np.ceil(position).astype(np.int64), in_size - 1)
    return position, lower, upper


def int_scale_10(in_size: int, out_size: int, align_corners: bool) -> int:
    """TFLite's source/destination ratio with 10 fractional bits, rounded to nearest (non-negative ints)."""
    if align_corners and out_size > 1:
        return (ONE_10 * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    return (ONE_10 * in_size + out_size // 2) // out_size


def int_taps(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool):
    """[out_size] int64 each: (source position with 10 fractional bits, lower tap, upper tap) along one axis."""
    scale_10 = int_scale_10(in_size, out_size, align_corners)
    position = np.arange(out_size, dtype=np.int64) * scale_10
    if half_pixel_centers:
        position += scale_10 // 2 - ONE_10 // 2
    lower = np.maximum(c_div(position, ONE_10), 0)
    upper = np.minimum(c_div(position + ONE_10 - 1, ONE_10), in_size - 1)
    return position, lower, upper


def taps(int8: bool, in_size: int, out_size: int, o):
    return (int_taps if int8 else float_taps)(in_size, out_size, o.align_corners, o.half_pixel_centers)


def check(op, ins, outs) -> None:
    x, y = ins[0], outs[0]
    int8 = check_resize(op, x, y)
    for axis, name in ((1, "height"), (2, "width")):
        lower = taps(int8, x.shape[axis], y.shape[axis], op.options)[1]
        require(int(lower.max()) < x.shape[axis],
                f"resizing {name} {x.shape[axis]} to {y.shape[axis]} reads source index {int(lower.max())}, "
                f"past the input (TFLite's {'10-bit fixed-point' if int8 else 'float'} index math)")


def prepare(op, ins, outs):
    return None


def gather(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """x: [N,H,W,C], rows [OH], cols [OW] -> [N,OH,OW,C]."""
    return x[:, rows][:, :, cols]


def run_float(op, x: np.ndarray, out_hw) -> np.ndarray:
    """x: float32 [N,H,W,C] -> float32 [N,OH,OW,C], each step in float32 as TFLite evaluates it."""
    ys, y0, y1 = taps(False, x.shape[1], out_hw[0], op.options)
    xs, x0, x1 = taps(False, x.shape[2], out_hw[1], op.options)
    one = np.float32(1)
    dy = (ys - y0.astype(np.float32))[:, None, None]  # [OH,1,1]
    dx = (xs - x0.astype(np.float32))[None, :, None]  # [1,OW,1]
    return (gather(x, y0, x0) * (one - dy) * (one - dx) + gather(x, y1, x0) * dy * (one - dx)
            + gather(x, y0, x1) * (one - dy) * dx + gather(x, y1, x1) * dy * dx)


def run_int8(op, x: np.ndarray, out_hw) -> np.ndarray:
    """x: int8 [N,H,W,C] -> int8 [N,OH,OW,C]: 20-bit weighted sum, rounded half away from zero, >> 20."""
    ys, y0, y1 = taps(True, x.shape[1], out_hw[0], op.options)
    xs, x0, x1 = taps(True, x.shape[2], out_hw[1], op.options)
    wy1 = (ys - ONE_10 * y0)[:, None, None]  # [OH,1,1] weight of the upper row
    wx1 = (xs - ONE_10 * x0)[None, :, None]  # [1,OW,1] weight of the right column
    wy0, wx0 = ONE_10 - wy1, ONE_10 - wx1
    v = x.astype(np.int64)
    acc = (gather(v, y0, x0) * wy0 * wx0 + gather(v, y1, x0) * wy1 * wx0
           + gather(v, y0, x1) * wy0 * wx1 + gather(v, y1, x1) * wy1 * wx1)
    rounding = np.where(acc > 0, 1 << 19, -(1 << 19))
    return c_div(acc + rounding, 1 << 20).astype(np.int8)


def run(op, ins, values, outs) -> list[np.ndarray]:
    out_hw = outs[0].shape[1:3]
    if is_int8(ins[0]):
        return [run_int8(op, values[0], out_hw)]
    return [run_float(op, values[0], out_hw).astype(np.float32)]


def macs(op, ins, outs) -> int:
    return 4 * outs[0].size  # four weighted taps per output value
