"""2-D pooling over NCHW: max, average (PyTorch's ceil_mode and count_include_pad rules), global average."""
from __future__ import annotations

from itertools import product

import numpy as np

from .reduce import mean
from .tensor import Tensor
from .windows import crop, embed, pair, window

IntPair = int | tuple[int, int]


def _out_size(n: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """Output length along one axis; with ceil_mode the last window must start inside the input or left padding."""
    span = n + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n + p else out


def _geometry(shape: tuple[int, ...], kernel_size: IntPair, stride: IntPair | None, padding: IntPair, ceil_mode: bool):
    """(kernel, stride, pad, out_hw, buffer_hw): buffer_hw is the padded extent that the windows cover."""
    kernel, pad = pair(kernel_size), pair(padding)
    stride = kernel if stride is None else pair(stride)
    out = tuple(_out_size(shape[2 + a], kernel[a], stride[a], pad[a], ceil_mode) for a in range(2))
    buffer_hw = tuple((out[a] - 1) * stride[a] + kernel[a] for a in range(2))
    return kernel, stride, pad, out, buffer_hw


def _taps(kernel: tuple[int, int], stride: tuple[int, int], out_hw: tuple[int, int]) -> list[tuple[slice, ...]]:
    """For every kernel position, row-major: the [N, C, OH, OW] slice of the padded input that it visits."""
    return [(slice(None), slice(None), window(i, 1, stride[0], out_hw[0]), window(j, 1, stride[1], out_hw[1]))
            for i, j in product(range(kernel[0]), range(kernel[1]))]


def _input_buffer(x: np.ndarray, pad: tuple[int, int], buffer_hw: tuple[int, ...], fill: float) -> np.ndarray:
    """x padded (or cropped) to the extent the windows cover; x itself when that needs no padding."""
    if pad == (0, 0) and buffer_hw[0] <= x.shape[2] and buffer_hw[1] <= x.shape[3]:
        return x
    return embed(x, pad[0], pad[1], buffer_hw, fill)


def max_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
               ceil_mode: bool = False) -> Tensor:
    """x [N, C, H, W] -> [N, C, OH, OW], the max of each window (stride defaults to kernel_size; padding is -inf).

    The gradient goes to the first maximum of a window in row-major order (like PyTorch).
    """
    kernel, stride, pad, out_hw, buffer_hw = _geometry(x.shape, kernel_size, stride, padding, ceil_mode)
    xp = _input_buffer(x.data, pad, buffer_hw, -np.inf)
    taps = _taps(kernel, stride, out_hw)
    best = xp[taps[0]] if len(taps) == 1 else np.maximum(xp[taps[0]], xp[taps[1]])
    for t in taps[2:]:
        np.maximum(best, xp[t], out=best)

    def backward(g):
        gxp = np.zeros_like(xp, dtype=g.dtype)  # same memory layout as the input
        remaining = np.copy(g)  # the gradient of windows whose first maximum is still to come
        share, hit = np.empty_like(remaining), np.empty_like(remaining, dtype=bool)
        for t in taps:
            np.equal(xp[t], best, out=hit)
            np.multiply(remaining, hit, out=share)
            gxp[t] += share
            remaining -= share
        return (crop(gxp, pad[0], pad[1], x.shape[2:]),)
    return Tensor.from_op(best, (x,), backward)


def _window_counts(n: int, k: int, s: int, p: int, out: int, count_include_pad: bool) -> np.ndarray:
    """Divisor of each window along one axis: its size clipped to the padded input, or to the input alone."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    return end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)


def avg_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """x [N, C, H, W] -> [N, C, OH, OW], the mean of each window (stride defaults to kernel_size).

    count_include_pad: zero padding counts in the divisor; windows that ceil_mode extends past the padding never
    count the overhang (like PyTorch).
    """
    kernel, stride, pad, out_hw, buffer_hw = _geometry(x.shape, kernel_size, stride, padding, ceil_mode)
    xp = _input_buffer(x.data, pad, buffer_hw, 0)
    divisor = np.outer(*(_window_counts(x.shape[2 + a], kernel[a], stride[a], pad[a], out_hw[a], count_include_pad)
                         for a in range(2))).astype(x.dtype)
    taps = _taps(kernel, stride, out_hw)
    total = np.zeros(x.shape[:2] + out_hw, x.dtype)
    for t in taps:
        total += xp[t]

    def backward(g):
        share = g / divisor
        gxp = np.zeros_like(xp, dtype=g.dtype)  # same memory layout as the input
        for t in taps:
            gxp[t] += share
        return (crop(gxp, pad[0], pad[1], x.shape[2:]),)
    return Tensor.from_op(total / divisor, (x,), backward)


def global_avg_pool2d(x: Tensor) -> Tensor:
    """x [N, C, H, W] -> [N, C, 1, 1], the mean over H and W."""
    return mean(x, axis=(2, 3), keepdims=True)
