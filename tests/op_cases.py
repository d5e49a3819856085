"""A catalog of single-op models, float32 and int8, covering every opcode of op set v1.

Each case is (id, model, inputs). The format round trip runs them all; runtimes compare against the reference
interpreter on the same cases, so adding an op means adding cases here.
"""
from __future__ import annotations

import numpy as np

from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode

RELU6 = Activation.RELU6
RELU = Activation.RELU


def _x(rng, shape, int8: bool):
    if int8:
        return rng.integers(-128, 128, shape).astype(np.int8)
    return rng.standard_normal(shape).astype(np.float32)


def _io(name, shape, int8, scale=0.05, zero_point=3):
    return act(name, shape, scale, zero_point) if int8 else act(name, shape)


def _weights(rng, shape, int8, channels_axis=0):
    if int8:
        channels = shape[channels_axis]
        return const("w", rng.integers(-127, 128, shape).astype(np.int8),
                     rng.uniform(0.002, 0.02, channels), 0, channels_axis)
    return const("w", (rng.standard_normal(shape) * 0.3).astype(np.float32))


def _bias(rng, n, int8):
    if int8:
        return const("b", rng.integers(-2000, 2000, n).astype(np.int32))
    return const("b", rng.standard_normal(n).astype(np.float32))


def _unary(opcode, options=None, out_q=(0.05, 3), shape=(1, 4, 5, 3)):
    def build(rng, int8):
        return single_op_model(opcode, [_io("x", shape, int8)], _io("y", shape, int8, *out_q), options), [
            _x(rng, shape, int8)]
    return build


def _binary(opcode, a_shape, b_shape, out_shape, activation=Activation.NONE, b_const=False):
    def build(rng, int8):
        b = (const("b", _x(rng, b_shape, int8), *( (0.04, -2) if int8 else (None,)))
             if b_const else _io("b", b_shape, int8, 0.04, -2))
        model = single_op_model(opcode, [_io("a", a_shape, int8), b], _io("y", out_shape, int8, 0.08, 1),
                                ir.BinaryOptions(activation=activation))
        return model, [_x(rng, a_shape, int8)] + ([] if b_const else [_x(rng, b_shape, int8)])
    return build


def _conv(rng, int8):
    o = ir.Conv2DOptions(stride_h=2, stride_w=1, pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, activation=RELU6)
    model = single_op_model(OpCode.CONV_2D, [_io("x", (1, 7, 6, 3), int8), _weights(rng, (4, 3, 3, 3), int8),
                                             _bias(rng, 4, int8)], _io("y", (1, 4, 6, 4), int8, 0.1, -3), o)
    return model, [_x(rng, (1, 7, 6, 3), int8)]


def _depthwise(rng, int8):
    o = ir.DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=2,
                                  activation=RELU)
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [_io("x", (1, 5, 5, 3), int8),
                                                       _weights(rng, (1, 3, 3, 6), int8, 3), _bias(rng, 6, int8)],
                            _io("y", (1, 5, 5, 6), int8, 0.1, -3), o)
    return model, [_x(rng, (1, 5, 5, 3), int8)]


def _transpose_conv(rng, int8):
    o = ir.TransposeConvOptions(stride_h=2, stride_w=2, pad_top=1, pad_bottom=0, pad_left=1, pad_right=0)
    model = single_op_model(OpCode.TRANSPOSE_CONV, [_io("x", (1, 3, 3, 2), int8), _weights(rng, (4, 3, 3, 2), int8),
                                                    _bias(rng, 4, int8)], _io("y", (1, 6, 6, 4), int8, 0.1, -3), o)
    return model, [_x(rng, (1, 3, 3, 2), int8)]


def _fully_connected(rng, int8):
    model = single_op_model(OpCode.FULLY_CONNECTED, [_io("x", (2, 12), int8), _weights(rng, (5, 12), int8),
                                                     _bias(rng, 5, int8)], _io("y", (2, 5), int8, 0.1, -3),
                            ir.FullyConnectedOptions(activation=RELU))
    return model, [_x(rng, (2, 12), int8)]


def _pool(opcode, count_include_pad=False):
    def build(rng, int8):
        o = ir.Pool2DOptions(filter_h=3, filter_w=2, stride_h=2, stride_w=2, pad_top=1, pad_bottom=1,
                             count_include_pad=count_include_pad)
        model = single_op_model(opcode, [_io("x", (1, 7, 6, 3), int8)], _io("y", (1, 4, 3, 3), int8), o)
        return model, [_x(rng, (1, 7, 6, 3), int8)]
    return build


def _mean(rng, int8):
    model = single_op_model(OpCode.MEAN, [_io("x", (1, 4, 5, 6), int8)], _io("y", (1, 1, 1, 6), int8, 0.02, -1),
                            ir.MeanOptions(axes=(1, 2), keep_dims=True))
    return model, [_x(rng, (1, 4, 5, 6), int8)]


def _reshape(rng, int8):
    model = single_op_model(OpCode.RESHAPE, [_io("x", (1, 4, 3, 2), int8)], _io("y", (1, 24), int8))
    return model, [_x(rng, (1, 4, 3, 2), int8)]


def _concatenation(rng, int8):
    model = single_op_model(OpCode.CONCATENATION, [_io("a", (1, 3, 3, 2), int8), _io("b", (1, 3, 3, 5), int8)],
                            _io("y", (1, 3, 3, 7), int8), ir.ConcatenationOptions(axis=3))
    return model, [_x(rng, (1, 3, 3, 2), int8), _x(rng, (1, 3, 3, 5), int8)]


def _pad(rng, int8):
    model = single_op_model(OpCode.PAD, [_io("x", (1, 3, 4, 2), int8)], _io("y", (1, 5, 5, 2), int8),
                            ir.PadOptions(paddings=(0, 0, 1, 1, 0, 1, 0, 0), value=0.0))
    return model, [_x(rng, (1, 3, 4, 2), int8)]


def _resize(opcode, **options):
    def build(rng, int8):
        model = single_op_model(opcode, [_io("x", (1, 3, 4, 2), int8)], _io("y", (1, 6, 7, 2), int8),
                                ir.ResizeOptions(**options))
        return model, [_x(rng, (1, 3, 4, 2), int8)]
    return build


def _layer_norm(rng, int8):
    model = single_op_model(OpCode.LAYER_NORM, [act("x", (2, 3, 8)), const("gamma", _x(rng, (8,), False)),
                                                const("beta", _x(rng, (8,), False))], act("y", (2, 3, 8)),
                            ir.LayerNormOptions(epsilon=1e-5))
    return model, [_x(rng, (2, 3, 8), False)]


def _quantize(rng, int8):
    """float -> int8, or int8 -> int8 (requantize) for the int8 case."""
    x = _io("x", (2, 9), int8, 0.03, 5)
    model = single_op_model(OpCode.QUANTIZE, [x], act("y", (2, 9), 0.05, -4))
    return model, [_x(rng, (2, 9), int8)]


def _dequantize(rng, int8):
    model = single_op_model(OpCode.DEQUANTIZE, [act("x", (2, 9), 0.05, -4)], act("y", (2, 9)))
    return model, [_x(rng, (2, 9), True)]


def _transpose(rng, int8):
    model = single_op_model(OpCode.TRANSPOSE, [_io("x", (1, 3, 4, 5), int8)], _io("y", (1, 4, 5, 3), int8),
                            ir.TransposeOptions(perm=(0, 2, 3, 1)))
    return model, [_x(rng, (1, 3, 4, 5), int8)]


def _slice(rng, int8):
    model = single_op_model(OpCode.SLICE, [_io("x", (1, 6, 5, 4), int8)], _io("y", (1, 3, 5, 2), int8),
                            ir.SliceOptions(begin=(0, 1, 0, 2), end=(1, 6, 5, 4), strides=(1, 2, 1, 1)))
    return model, [_x(rng, (1, 6, 5, 4), int8)]


BUILDERS = {
    "conv_2d": _conv,
    "depthwise_conv_2d": _depthwise,
    "transpose_conv": _transpose_conv,
    "fully_connected": _fully_connected,
    "add": _binary(OpCode.ADD, (1, 4, 4, 3), (3,), (1, 4, 4, 3), RELU),
    "add_const": _binary(OpCode.ADD, (1, 4, 4, 3), (1, 4, 4, 3), (1, 4, 4, 3), b_const=True),
    "sub": _binary(OpCode.SUB, (2, 1, 5), (4, 1), (2, 4, 5)),
    "mul": _binary(OpCode.MUL, (1, 4, 4, 3), (1, 1, 1, 3), (1, 4, 4, 3), RELU6),
    "average_pool_2d": _pool(OpCode.AVERAGE_POOL_2D),
    "average_pool_2d_count_pad": _pool(OpCode.AVERAGE_POOL_2D, count_include_pad=True),
    "max_pool_2d": _pool(OpCode.MAX_POOL_2D),
    "mean": _mean,
    "reshape": _reshape,
    "concatenation": _concatenation,
    "pad": _pad,
    "softmax": _unary(OpCode.SOFTMAX, ir.SoftmaxOptions(beta=1.0), (1 / 256, -128), (3, 10)),
    "log_softmax": _unary(OpCode.LOG_SOFTMAX, ir.SoftmaxOptions(beta=1.0), (16 / 256, 127), (3, 10)),
    "logistic": _unary(OpCode.LOGISTIC, None, (1 / 256, -128)),
    "tanh": _unary(OpCode.TANH, None, (1 / 128, 0)),
    "relu": _unary(OpCode.RELU),
    "relu6": _unary(OpCode.RELU6, None, (0.03, -128)),
    "leaky_relu": _unary(OpCode.LEAKY_RELU, ir.LeakyReluOptions(alpha=0.125)),
    "hard_swish": _unary(OpCode.HARD_SWISH, None, (0.04, -20)),
    "elu": _unary(OpCode.ELU, ir.EluOptions(alpha=1.0)),
    "gelu": _unary(OpCode.GELU, ir.GeluOptions(approximate=False)),
    "gelu_tanh": _unary(OpCode.GELU, ir.GeluOptions(approximate=True)),
    "layer_norm": _layer_norm,
    "resize_nearest": _resize(OpCode.RESIZE_NEAREST, half_pixel_centers=True),
    "resize_bilinear": _resize(OpCode.RESIZE_BILINEAR),
    "resize_bilinear_align": _resize(OpCode.RESIZE_BILINEAR, align_corners=True),
    "quantize": _quantize,
    "dequantize": _dequantize,
    "transpose": _transpose,
    "slice": _slice,
}
FLOAT_ONLY = {"layer_norm"}
INT8_ONLY = {"dequantize"}


def cases(seed: int = 0):
    """Yield (id, model, inputs) for every op, float32 and int8."""
    rng = np.random.default_rng(seed)
    for name, build in BUILDERS.items():
        for int8 in (False, True):
            if (int8 and name in FLOAT_ONLY) or (not int8 and name in INT8_ONLY):
                continue
            model, inputs = build(rng, int8)
            yield f"{name}-{'int8' if int8 else 'float'}", model, inputs
