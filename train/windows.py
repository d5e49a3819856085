"""Sliding-window helpers shared by convolution and pooling: geometry, padding into a buffer, im2col, col2im.

Loops here run over kernel positions (KH*KW), never over pixels.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

Pads = tuple[int, int, int, int]  # (top, bottom, left, right)


def pair(v: int | tuple[int, int]) -> tuple[int, int]:
    """An int or a pair as an (h, w) pair."""
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def conv_pads(padding: int | tuple | str, kernel: tuple[int, int], stride: tuple[int, int],
              dilation: tuple[int, int], in_hw: tuple[int, int]) -> Pads:
    """Explicit (top, bottom, left, right) padding from an int, (ph, pw), (top, bottom, left, right), "valid" or
    "same" (output size ceil(in / stride), the odd extra pixel at the bottom/right, like ONNX SAME_UPPER)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"padding must be an int, a tuple, 'same' or 'valid', not {padding!r}")
        pads = []
        for n, k, s, d in zip(in_hw, kernel, stride, dilation):
            total = max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    if np.isscalar(padding):
        return (int(padding),) * 4
    if len(padding) == 2:
        return (int(padding[0]), int(padding[0]), int(padding[1]), int(padding[1]))
    if len(padding) == 4:
        return tuple(int(p) for p in padding)
    raise ValueError(f"padding must have 1, 2 or 4 values, not {padding!r}")


def embed(x: np.ndarray, top: int, left: int, size_hw: tuple[int, int], fill: float) -> np.ndarray:
    """x [N, C, H, W] placed at (top, left) in a new [N, C, *size_hw] buffer of fill (x cropped where it overhangs)."""
    n, c, h, w = x.shape
    out = np.full((n, c) + tuple(size_hw), fill, dtype=x.dtype)
    hh, ww = min(h, size_hw[0] - top), min(w, size_hw[1] - left)
    out[:, :, top:top + hh, left:left + ww] = x[:, :, :hh, :ww]
    return out


def crop(buffer: np.ndarray, top: int, left: int, hw: tuple[int, int]) -> np.ndarray:
    """The inverse of embed for gradients: buffer [N, C, Hb, Wb] -> [N, C, *hw], zeros where x overhung."""
    n, c = buffer.shape[:2]
    hh, ww = min(hw[0], buffer.shape[2] - top), min(hw[1], buffer.shape[3] - left)
    if (hh, ww) == tuple(hw):
        return buffer[:, :, top:top + hh, left:left + ww]
    out = np.zeros((n, c) + tuple(hw), dtype=buffer.dtype)
    out[:, :, :hh, :ww] = buffer[:, :, top:top + hh, left:left + ww]
    return out


def window(kernel_index: int, dilation: int, stride: int, count: int) -> slice:
    """The input positions that kernel tap kernel_index visits over count output positions."""
    start = kernel_index * dilation
    return slice(start, start + stride * (count - 1) + 1, stride)


def im2col(xp: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int],
           out_hw: tuple[int, int]) -> np.ndarray:
    """Padded input xp [N, C, Hp, Wp] (any strides) -> columns [C, KH, KW, N, OH, OW], contiguous."""
    n, c = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    view = as_strided(xp, (c, kernel[0], kernel[1], n, out_hw[0], out_hw[1]),
                      (sc, sh * dilation[0], sw * dilation[1], sn, sh * stride[0], sw * stride[1]), writeable=False)
    return np.ascontiguousarray(view)


def col2im(cols: np.ndarray, size_hw: tuple[int, int], stride: tuple[int, int],
           dilation: tuple[int, int]) -> np.ndarray:
    """Columns [C, KH, KW, N, OH, OW] summed back into their windows -> [C, N, *size_hw]."""
    c, kh, kw, n, oh, ow = cols.shape
    out = np.zeros((c, n) + tuple(size_hw), dtype=cols.dtype)
    for i in range(kh):
        rows = window(i, dilation[0], stride[0], oh)
        for j in range(kw):
            out[:, :, rows, window(j, dilation[1], stride[1], ow)] += cols[:, i, j]
    return out
