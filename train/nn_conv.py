"""2-D convolution and transposed convolution (NCHW, grouped, dilated) as im2col + one batched GEMM per group."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor
from .windows import col2im, conv_pads, crop, embed, im2col, pair


def conv2d(x: Tensor, w: Tensor, b: Tensor | None = None, stride: int | tuple[int, int] = 1,
           padding: int | tuple | str = 0, dilation: int | tuple[int, int] = 1, groups: int = 1) -> Tensor:
    """x [N, C, H, W] * w [O, C/groups, KH, KW] (+ b [O]) -> [N, O, OH, OW], OH = (H + pt + pb - d(KH-1) - 1)//s + 1.

    padding: int, (ph, pw), (top, bottom, left, right), "valid" or "same" (see windows.conv_pads).
    groups == C == O/m is a depthwise convolution.
    """
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    if cg * groups != c or o % groups:
        raise ValueError(f"conv2d: input channels {c} and weight {w.shape} do not fit groups={groups}")
    stride, dilation = pair(stride), pair(dilation)
    pt, pb, pl, pr = conv_pads(padding, (kh, kw), stride, dilation, (h, wd))
    hp, wp = h + pt + pb, wd + pl + pr
    oh, ow = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1, (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    xp = embed(x.data, pt, pl, (hp, wp), 0) if pt or pb or pl or pr else x.data
    cols = im2col(xp, (kh, kw), stride, dilation, (oh, ow)).reshape(groups, cg * kh * kw, n * oh * ow)
    wm = w.data.reshape(groups, o // groups, cg * kh * kw)
    out = np.matmul(wm, cols).reshape(o, n, oh, ow)  # [O, N, OH, OW]
    if b is not None:
        out += b.data[:, None, None, None]

    def backward(g):  # g [N, O, OH, OW]
        gm = np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(groups, o // groups, n * oh * ow)
        gx = gw = gb = None
        if x.requires_grad:
            gcols = np.matmul(wm.transpose(0, 2, 1), gm).reshape(c, kh, kw, n, oh, ow)
            gx = crop(col2im(gcols, (hp, wp), stride, dilation).transpose(1, 0, 2, 3), pt, pl, (h, wd))
        if w.requires_grad:
            gw = np.matmul(gm, cols.transpose(0, 2, 1)).reshape(w.shape)
        if b is not None and b.requires_grad:
            gb = gm.reshape(o, -1).sum(axis=1)
        return (gx, gw) if b is None else (gx, gw, gb)
    return Tensor.from_op(out.transpose(1, 0, 2, 3), (x, w) if b is None else (x, w, b), backward)


def conv_transpose2d(x: Tensor, w: Tensor, b: Tensor | None = None, stride: int | tuple[int, int] = 1,
                     padding: int | tuple = 0, output_padding: int | tuple[int, int] = 0,
                     dilation: int | tuple[int, int] = 1, groups: int = 1) -> Tensor:
    """x [N, C, H, W] with w [C, O/groups, KH, KW] (+ b [O]) -> [N, O, OH, OW], the gradient of conv2d w.r.t. its input:
    OH = (H - 1)s - pt - pb + d(KH - 1) + output_padding + 1.

    padding: int, (ph, pw) or (top, bottom, left, right); output_padding adds rows/columns at the bottom/right.
    """
    if isinstance(padding, str):
        raise ValueError("conv_transpose2d takes explicit padding, not 'same'/'valid'")
    n, c, h, wd = x.shape
    cw, og, kh, kw = w.shape
    if cw != c or c % groups:
        raise ValueError(f"conv_transpose2d: input channels {c} and weight {w.shape} do not fit groups={groups}")
    o, cg = og * groups, c // groups
    stride, dilation, extra = pair(stride), pair(dilation), pair(output_padding)
    pt, pb, pl, pr = conv_pads(padding, (kh, kw), stride, dilation, (h, wd))
    full = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1, (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1)
    oh, ow = full[0] - pt - pb + extra[0], full[1] - pl - pr + extra[1]
    buffer_hw = (max(full[0], pt + oh), max(full[1], pl + ow))
    xm = np.ascontiguousarray(x.data.transpose(1, 0, 2, 3)).reshape(groups, cg, n * h * wd)
    wm = w.data.reshape(groups, cg, og * kh * kw)
    cols = np.matmul(wm.transpose(0, 2, 1), xm).reshape(o, kh, kw, n, h, wd)
    out = col2im(cols, buffer_hw, stride, dilation)[:, :, pt:pt + oh, pl:pl + ow]  # [O, N, OH, OW]
    if b is not None:
        out = out + b.data[:, None, None, None]

    def backward(g):  # g [N, O, OH, OW]
        gbuf = embed(g, pt, pl, buffer_hw, 0)
        gcols = im2col(gbuf, (kh, kw), stride, dilation, (h, wd)).reshape(groups, og * kh * kw, n * h * wd)
        gx = gw = gb = None
        if x.requires_grad:
            gx = np.matmul(wm, gcols).reshape(c, n, h, wd).transpose(1, 0, 2, 3)
        if w.requires_grad:
            gw = np.matmul(xm, gcols.transpose(0, 2, 1)).reshape(w.shape)
        if b is not None and b.requires_grad:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if b is None else (gx, gw, gb)
    return Tensor.from_op(out.transpose(1, 0, 2, 3), (x, w) if b is None else (x, w, b), backward)
