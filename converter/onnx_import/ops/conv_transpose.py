"""ConvTranspose (1-D as 2-D with H = 1) -> TRANSPOSE_CONV: pads crop the full result, output_padding extends its
end (a negative end crop); dilations spread the kernel with zeros; groups -> SLICE, TRANSPOSE_CONV per group,
CONCATENATION. Weights and bias go through weights.py (int8 filters, int32 bias in an int8 lowering).
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.ops.spatial import from_nhwc, require_spatial, to_nhwc
from tensorlet.converter.onnx_import.weights import Weights, bias_tensor, constant_weights, filter_tensor

OP_TYPE = "ConvTranspose"
SINCE_VERSIONS = (11, 22)
CONSTANT_INPUTS = (1, 2)


def _dilated(w: Weights, dilations: list[int]) -> Weights:
    """w: [C,M,k...] -> [C,M,(k-1)*d+1...] with the taps d apart and zeros between."""
    shape = w.shape[:2] + tuple((k - 1) * d + 1 for k, d in zip(w.shape[2:], dilations))
    spread = np.zeros(shape, w.values.dtype)
    spread[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in dilations)] = w.values
    return Weights(spread, w.scale, w.axis)


def _pads(node: Node, sizes, kernel, strides, output_padding) -> tuple[list[int], list[int]]:
    """(begin, end) crops per spatial axis from pads, or from output_shape / SAME auto_pad as ONNX derives them."""
    n = len(sizes)
    auto_pad = node.attr("auto_pad", "NOTSET")
    output_shape = node.attr("output_shape")
    if output_shape is None and auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        output_shape = [s * st for s, st in zip(sizes, strides)]
    if output_shape is not None:
        output_shape = list(output_shape)[-n:]
        totals = [st * (s - 1) + p + k - o
                  for s, k, st, p, o in zip(sizes, kernel, strides, output_padding, output_shape)]
        begin = [t // 2 if auto_pad == "SAME_UPPER" else t - t // 2 for t in totals]
        return begin, [t - b for t, b in zip(totals, begin)]
    if auto_pad not in ("NOTSET", "VALID"):
        raise node.error(f"auto_pad={auto_pad!r} is not supported (supported: NOTSET, SAME_UPPER, SAME_LOWER, VALID)")
    pads = list(node.attr("pads", [0] * 2 * n)) if auto_pad == "NOTSET" else [0] * 2 * n
    return pads[:n], pads[n:]


def lower(node: Node, ctx: Builder) -> None:
    """X: [N,C,H,W] or [N,C,L] float32, W: [C,M,kH,kW] (or [C,M,kL]), B: [M] -> Y: [N,M,OH,OW]."""
    x = ctx.activation(node.inputs[0])
    require_spatial(node, x)
    group = int(node.attr("group", 1))
    n = x.rank - 2
    w = _dilated(constant_weights(ctx, node.inputs[1]), list(node.attr("dilations", [1] * n)))
    bias = constant_weights(ctx, node.input(2)) if node.input(2) else None
    strides = list(node.attr("strides", [1] * n))
    output_padding = list(node.attr("output_padding", [0] * n))
    begin, end = _pads(node, x.shape[2:], w.shape[2:], strides, output_padding)
    out = [st * (s - 1) + p + k - b - e
           for s, k, st, p, b, e in zip(x.shape[2:], w.shape[2:], strides, output_padding, begin, end)]
    if min(out) < 1:
        raise node.error(f"pads {begin + end} leave no output")
    index, shape = to_nhwc(ctx, x)
    if w.shape[0] != shape[3] or shape[3] % group:
        raise node.error(f"weights {list(w.shape)} with group={group} do not fit {shape[3]} input channels")
    w4 = w.reshape(w.shape[:2] + (1,) * (4 - len(w.shape)) + w.shape[2:])
    pad = [0] * (2 - n)
    crop_end = [e - p for e, p in zip(end, output_padding)]
    options = ir.TransposeConvOptions(stride_h=([1] + strides)[-2], stride_w=strides[-1], pad_top=(pad + begin)[0],
                                      pad_bottom=(pad + crop_end)[0], pad_left=begin[-1], pad_right=crop_end[-1])
    name, per_in, per_out = node.outputs[0], shape[3] // group, w.shape[1]
    out_shape = (shape[0], ([1] + out)[-2], out[-1], per_out * group)
    parts = []
    for g in range(group):
        part = index if group == 1 else ctx.emit(
            ir.OpCode.SLICE, [index], shape[:3] + (per_in,), f"{name}/group{g}/in",
            ir.SliceOptions(begin=(0, 0, 0, g * per_in), end=shape[:3] + ((g + 1) * per_in,), strides=(1, 1, 1, 1)))
        filters = filter_tensor(ctx, w4.take(0, np.arange(g * per_in, (g + 1) * per_in)).transpose((1, 2, 3, 0)),
                                f"{node.inputs[1]}/group{g}", 0)
        b = bias_tensor(ctx, None if bias is None else bias.take(0, np.arange(g * per_out, (g + 1) * per_out)),
                        f"{node.input(2)}/group{g}", part, filters)
        parts.append([part, filters, b])
    if group == 1:
        result = from_nhwc(ctx, ir.OpCode.TRANSPOSE_CONV, parts[0], name, x.rank, out_shape, options)
    else:
        outputs = [ctx.emit(ir.OpCode.TRANSPOSE_CONV, p, out_shape[:3] + (per_out,), f"{name}/group{g}", options)
                   for g, p in enumerate(parts)]
        result = from_nhwc(ctx, ir.OpCode.CONCATENATION, outputs, name, x.rank, out_shape,
                           ir.ConcatenationOptions(axis=3))
    ctx.bind(name, result)
