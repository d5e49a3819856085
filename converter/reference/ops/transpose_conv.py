"""TRANSPOSE_CONV: in [N,H,W,Ci], filter [Co,KH,KW,Ci], bias (opt) [Co] -> out [N,OH,OW,Co] (TFLite, no dilation).

Every input pixel scatters x[n,i,j,:] . w[co,ky,kx,:] into the full result at (i*stride_h + ky, j*stride_w + kx),
which spans (H-1)*stride_h + KH rows and (W-1)*stride_w + KW columns. Output (oi, oj) is full (oi + pad_top,
oj + pad_left); pads may be negative, and output positions outside the full result hold only the bias.
Int8 (TFLite Micro's reference_integer_ops::TransposeConv): int32 sums of (x - x_zp) * w scattered into the output,
+ bias, requantized per output channel (weights per-tensor or per-channel along axis 0), + y_zp, clamped.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.ir import OpCode, TransposeConvOptions
from tensorlet.converter.reference.ops.common import (check_weights, float_activation, is_int8, prepare_per_channel,
                                                      require, require_float_or_int8, require_positive,
                                                      require_quant_params, require_rank, require_shape, requantize,
                                                      scale_zp)

OPCODE = OpCode.TRANSPOSE_CONV
OPTIONS = TransposeConvOptions
INPUTS = (2, 3)
OPTIONAL = (2,)
OUTPUTS = 1


def full_hw(op, x_shape, w_shape) -> tuple[int, int]:
    """Extent of the uncropped transposed result."""
    o = op.options
    return (x_shape[1] - 1) * o.stride_h + w_shape[1], (x_shape[2] - 1) * o.stride_w + w_shape[2]


def output_hw(op, x_shape, w_shape) -> tuple[int, int]:
    o = op.options
    full_h, full_w = full_hw(op, x_shape, w_shape)
    return full_h - o.pad_top - o.pad_bottom, full_w - o.pad_left - o.pad_right


def check(op, ins, outs) -> None:
    x, w, b = ins[0], ins[1], ins[2] if len(ins) > 2 else None
    y, o = outs[0], op.options
    require_rank(x, 4, "input")
    require_rank(w, 4, "filter")
    require_positive({"stride_h": o.stride_h, "stride_w": o.stride_w})
    require(w.shape[3] == x.shape[3], f"filter has {w.shape[3]} input channels, input has {x.shape[3]}")
    oh, ow = output_hw(op, x.shape, w.shape)
    require(oh >= 1 and ow >= 1, f"pads {o.pad_top},{o.pad_bottom},{o.pad_left},{o.pad_right} leave an output of "
                                 f"{oh}x{ow}, which must be at least 1x1")
    require_shape(y, (x.shape[0], oh, ow, w.shape[0]), "output")
    int8 = require_float_or_int8([x, y])
    check_weights(w, b, w.shape[0], 0, int8)
    if int8:
        require_quant_params(op, output_multiplier=w.shape[0], output_shift=w.shape[0])


def prepare(op, ins, outs):
    return prepare_per_channel(ins[0], ins[1], outs[0], ins[1].shape[0], op.options.activation)


def _scatter(op, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: [N,H,W,Ci] float64, w: [Co,KH,KW,Ci] -> the full result [N,FH,FW,Co] float64."""
    o = op.options
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    taps = np.einsum("nijc,oyxc->nijyxo", x, w.astype(np.float64))  # each pixel's contribution per filter tap
    full = np.zeros((n,) + full_hw(op, x.shape, w.shape) + (co,))
    for ky in range(kh):
        for kx in range(kw):
            full[:, ky:ky + (h - 1) * o.stride_h + 1:o.stride_h,
                 kx:kx + (wd - 1) * o.stride_w + 1:o.stride_w, :] += taps[:, :, :, ky, kx, :]
    return full


def _crop(full: np.ndarray, top: int, left: int, out_hw: tuple[int, int]) -> np.ndarray:
    """full: [N,FH,FW,C] -> [N,OH,OW,C] with out[i,j] = full[i+top, j+left], 0 where that is outside full."""
    out = np.zeros((full.shape[0],) + tuple(out_hw) + (full.shape[3],), full.dtype)
    rows = range(max(top, 0), min(full.shape[1], top + out_hw[0]))
    cols = range(max(left, 0), min(full.shape[2], left + out_hw[1]))
    if len(rows) and len(cols):
        out[:, rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = \
            full[:, rows.start:rows.stop, cols.start:cols.stop]
    return out


def _transpose_conv(op, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: [N,H,W,Ci] float64, w: [Co,KH,KW,Ci] -> [N,OH,OW,Co] float64, without bias."""
    o = op.options
    return _crop(_scatter(op, x, w), o.pad_top, o.pad_left, output_hw(op, x.shape, w.shape))


def run(op, ins, values, outs) -> list[np.ndarray]:
    x, w, b = values[0], values[1], values[2] if len(values) > 2 else None
    if not is_int8(ins[0]):
        acc = _transpose_conv(op, x.astype(np.float64), w)
        if b is not None:
            acc += b
        return [float_activation(acc.astype(np.float32), op.options.activation)]
    x_zp = scale_zp(ins[0])[1]
    acc = np.rint(_transpose_conv(op, x.astype(np.float64) - x_zp, w)).astype(np.int64)  # exact: |acc| < 2^53
    if b is not None:
        acc += b.astype(np.int64)
    return [requantize(acc, op.quant_params, scale_zp(outs[0])[1])]


def macs(op, ins, outs) -> int:
    w = ins[1]
    return ins[0].size * w.shape[0] * w.shape[1] * w.shape[2]
