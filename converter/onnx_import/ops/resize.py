"""Resize (nearest or linear) of the last two axes -> RESIZE_NEAREST / RESIZE_BILINEAR: of [N,C,H,W] on its
NHWC tensor, of other ranks on the tensor viewed as [rows, H, W, 1]; with the ResizeOptions (align_corners,
half_pixel_centers) whose sampling equals ONNX's exactly for these sizes: both mappings are computed for every
output row and column and must agree; anything else is rejected.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.layout import identity
from tensorlet.converter.onnx_import.ops.common import int_list, optional_constant
from tensorlet.converter.onnx_import.ops.spatial import from_nhwc, to_nhwc
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.converter.reference.ops.resize_bilinear import float_taps
from tensorlet.converter.reference.ops.resize_nearest import source_index

OP_TYPE = "Resize"
SINCE_VERSIONS = (11, 13, 18, 19)
CONSTANT_INPUTS = (1, 2, 3)
OPCODES = {"nearest": ir.OpCode.RESIZE_NEAREST, "linear": ir.OpCode.RESIZE_BILINEAR}
CANDIDATES = ((False, True), (False, False), (True, False))  # (align_corners, half_pixel_centers)
COORDINATE_TOLERANCE = 1e-4  # pixels: float32 (TFLite) against float64 (ONNX) arithmetic


def sizes_and_scales(node: Node, ctx: Builder, shape: tuple[int, ...]) -> tuple[list[int], list[float]]:
    """Output size and the scale ONNX's coordinate transform uses (output / input when sizes are given), per
    axis."""
    rank = len(shape)
    given_axes = node.attr("axes")
    axes = [a % rank for a in given_axes] if given_axes is not None else list(range(rank))
    scales, sizes = optional_constant(node, ctx, 2), optional_constant(node, ctx, 3)
    out, scale = list(shape), [1.0] * rank
    if sizes is not None and sizes.size:
        requested = dict(zip(axes, int_list(sizes)))
        policy = node.attr("keep_aspect_ratio_policy", "stretch")
        ratios = {a: requested[a] / shape[a] for a in axes}
        if policy in ("not_larger", "not_smaller"):
            common = min(ratios.values()) if policy == "not_larger" else max(ratios.values())
            ratios = {a: common for a in axes}
            requested = {a: int(common * shape[a] + 0.5) for a in axes}
        elif policy != "stretch":
            raise node.error(f"keep_aspect_ratio_policy={policy!r} is not supported")
        for a in axes:
            out[a], scale[a] = requested[a], ratios[a]
    elif scales is not None and scales.size:
        for a, s in zip(axes, np.asarray(scales, np.float32).ravel()):
            out[a], scale[a] = int(np.floor(float(s) * shape[a])), float(s)
    else:
        raise node.error("neither scales nor sizes is given")
    return out, scale


def onnx_coordinates(node: Node, mode: str, size: int, out: int, scale: float) -> np.ndarray:
    """[out] float64: the source coordinate of every output position along one axis (ONNX's transform, whose
    resized length is size * scale, fractional when a scale does not divide evenly)."""
    i = np.arange(out, dtype=np.float64)
    length = size * scale
    if mode == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (i + 0.5) / scale - 0.5 if length > 1 else np.zeros(out)
    if mode == "align_corners":
        return i * (size - 1) / (length - 1) if length > 1 else np.zeros(out)
    if mode == "asymmetric":
        return i / scale
    if mode == "tf_half_pixel_for_nn":
        return (i + 0.5) / scale
    if mode == "half_pixel_symmetric":
        offset = size / 2 * (1 - out / length)
        return offset + (i + 0.5) / scale - 0.5
    raise node.error(f"coordinate_transformation_mode={mode!r} is not supported (supported: half_pixel, "
                     "pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn, half_pixel_symmetric)")


def onnx_sampling(node: Node, mode: str, coords: np.ndarray, size: int) -> np.ndarray:
    """Nearest: [out] source indices; linear: [out] source coordinates clamped to the input (ONNX's edge rule)."""
    if mode == "linear":
        return np.clip(coords, 0, size - 1)
    nearest_mode = node.attr("nearest_mode", "round_prefer_floor")
    floor = np.floor(coords)
    rounding = {"floor": floor, "ceil": np.ceil(coords), "round_prefer_ceil": np.floor(coords + 0.5),
                "round_prefer_floor": np.where(coords - floor == 0.5, floor, np.floor(coords + 0.5))}
    if nearest_mode not in rounding:
        raise node.error(f"nearest_mode={nearest_mode!r} is not supported")
    return np.clip(rounding[nearest_mode], 0, size - 1)


def tflite_sampling(mode: str, size: int, out: int, align: bool, half: bool) -> np.ndarray | None:
    """The same per-axis sampling for RESIZE_NEAREST / RESIZE_BILINEAR with these flags (None: out of range)."""
    if align and half:
        return None
    if mode == "nearest":
        return source_index(size, out, align, half).astype(np.float64)
    position, lower, upper = float_taps(size, out, align, half)
    if lower.max() >= size:
        return None
    weight = position.astype(np.float64) - lower
    return lower * (1 - weight) + upper * weight


def options_for(node: Node, mode: str, sizes: list[int], out: list[int], scale: list[float]) -> ir.ResizeOptions:
    """The ResizeOptions sampling the (H, W) axes exactly as ONNX does, or an error naming the attributes."""
    transform = node.attr("coordinate_transformation_mode", "half_pixel")
    wanted = [onnx_sampling(node, mode, onnx_coordinates(node, transform, n, o, s), n)
              for n, o, s in zip(sizes, out, scale)]
    for align, half in CANDIDATES:
        got = [tflite_sampling(mode, n, o, align, half) for n, o in zip(sizes, out)]
        if all(g is not None and np.allclose(g, w, rtol=0, atol=COORDINATE_TOLERANCE) for g, w in zip(got, wanted)):
            return ir.ResizeOptions(align_corners=align, half_pixel_centers=half)
    detail = f"nearest_mode={node.attr('nearest_mode', 'round_prefer_floor')!r} " if mode == "nearest" else ""
    raise node.error(f"coordinate_transformation_mode={transform!r} {detail}resizing {sizes} to {out} samples "
                     "differently from every align_corners/half_pixel_centers choice of RESIZE_NEAREST/RESIZE_BILINEAR")


def _resize_rows(ctx: Builder, node: Node, x: Activation, out: list[int], options: ir.ResizeOptions) -> Activation:
    """x: [.., H, W] (identity layout) -> [.., OH, OW] through the view [rows, H, W, 1]."""
    shape = (1,) * (2 - x.rank) + x.shape
    rows = math.prod(shape[:-2])
    name = node.outputs[0]
    view = ctx.emit(ir.OpCode.RESHAPE, [ctx.tensor(x, identity(x.rank))], (rows,) + shape[-2:] + (1,), f"{name}/rows")
    resized_shape = (rows,) + tuple(([1] + out)[-2:]) + (1,)
    resized = ctx.emit(OPCODES[node.attr("mode", "nearest")], [view], resized_shape, f"{name}/resized", options)
    return ctx.produce(ir.OpCode.RESHAPE, [resized], name, tuple(out), identity(x.rank))


def lower(node: Node, ctx: Builder) -> None:
    """X: float32 [..,H,W], scales or sizes: constants -> [..,OH,OW] sampled as ONNX's Resize."""
    mode = node.attr("mode", "nearest")
    if mode not in OPCODES:
        raise node.error(f"mode={mode!r} is not supported (supported: nearest, linear)")
    x = ctx.activation(node.inputs[0])
    out, scale = sizes_and_scales(node, ctx, x.shape)
    if tuple(out[:-2]) != x.shape[:-2]:
        raise node.error(f"resizing {list(x.shape)} to {out} changes more than the last two axes")
    if node.attr("antialias", 0) and any(o < s for o, s in zip(out, x.shape)):
        raise node.error("antialias=1 while downsampling is not supported")
    spatial = [1] * (2 - x.rank) + list(x.shape[-2:])
    options = options_for(node, mode, spatial, [1] * (2 - x.rank) + out[-2:], [1.0] * (2 - x.rank) + scale[-2:])
    if x.rank != 4:
        ctx.bind(node.outputs[0], _resize_rows(ctx, node, x, out, options))
        return
    index, _ = to_nhwc(ctx, x)
    ctx.bind(node.outputs[0], from_nhwc(ctx, OPCODES[mode], [index], node.outputs[0], 4,
                                        (out[0], out[2], out[3], out[1]), options))
