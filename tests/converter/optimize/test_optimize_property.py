"""Property: on random float chains and DAGs of the ops the passes rewrite, optimize() keeps every output within
1e-5 relative and never adds an op."""
import math

import numpy as np
from hypothesis import given, settings, strategies as st

from optimize_graphs import Graph, assert_equivalent
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.optimize import optimize

ACTIVATIONS = st.sampled_from([Activation.NONE, Activation.NONE, Activation.RELU, Activation.RELU6])


def _weights(rng: np.random.Generator, shape) -> np.ndarray:
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def _window(draw: st.DrawFn, g: Graph, x: int) -> dict:
    """Kernel, stride and pads (each pad below the kernel) that fit x's H and W."""
    n, h, w, c = g.shape(x)
    k = draw(st.integers(1, min(3, h, w)))
    pads = {name: draw(st.integers(0, k - 1)) for name in ("pad_top", "pad_bottom", "pad_left", "pad_right")}
    return dict(k=k, stride=draw(st.integers(1, 2)), **pads)


def _out_hw(g: Graph, x: int, window: dict) -> tuple[int, int]:
    _, h, w, _ = g.shape(x)
    k, s = window["k"], window["stride"]
    return ((h + window["pad_top"] + window["pad_bottom"] - k) // s + 1,
            (w + window["pad_left"] + window["pad_right"] - k) // s + 1)


def _pad_fields(window: dict) -> dict:
    return {name: window[name] for name in ("pad_top", "pad_bottom", "pad_left", "pad_right")}


def conv(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """A CONV_2D; its weights sometimes arrive as OIHW constants transposed in the graph (as from ONNX)."""
    n, _, _, c = g.shape(x)
    co, window = draw(st.integers(1, 4)), _window(draw, g, x)
    k = window["k"]
    bias = g.const(_weights(rng, co)) if draw(st.booleans()) else -1
    weights = g.const(_weights(rng, (co, k, k, c)))
    if draw(st.booleans()):
        weights = g.op(OpCode.TRANSPOSE, [g.const(_weights(rng, (co, c, k, k)))], (co, k, k, c),
                       ir.TransposeOptions(perm=(0, 2, 3, 1)))
    options = ir.Conv2DOptions(stride_h=window["stride"], stride_w=window["stride"],
                               activation=draw(ACTIVATIONS), **_pad_fields(window))
    return g.op(OpCode.CONV_2D, [x, weights, bias], (n,) + _out_hw(g, x, window) + (co,), options)


def depthwise(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    n, _, _, c = g.shape(x)
    m, window = draw(st.integers(1, 2)), _window(draw, g, x)
    bias = g.const(_weights(rng, c * m)) if draw(st.booleans()) else -1
    options = ir.DepthwiseConv2DOptions(stride_h=window["stride"], stride_w=window["stride"], depth_multiplier=m,
                                        activation=draw(ACTIVATIONS), **_pad_fields(window))
    return g.op(OpCode.DEPTHWISE_CONV_2D, [x, g.const(_weights(rng, (1, window["k"], window["k"], c * m))), bias],
                (n,) + _out_hw(g, x, window) + (c * m,), options)


def fully_connected(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """Per pixel: [N,H,W,C] -> [N,H,W,Co]."""
    co = draw(st.integers(1, 4))
    bias = g.const(_weights(rng, co)) if draw(st.booleans()) else -1
    return g.op(OpCode.FULLY_CONNECTED, [x, g.const(_weights(rng, (co, g.shape(x)[3]))), bias],
                g.shape(x)[:3] + (co,), ir.FullyConnectedOptions(activation=draw(ACTIVATIONS)))


def scale_shift(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """MUL/ADD/SUB by a constant: mostly per channel ([C], [1,1,1,C], [1]), sometimes per pixel."""
    c = g.shape(x)[3]
    shape = draw(st.sampled_from([(c,), (1, 1, 1, c), (1,), (1,) + g.shape(x)[1:]]))
    data = rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)
    opcode = draw(st.sampled_from([OpCode.MUL, OpCode.ADD, OpCode.SUB]))
    operands = [x, g.const(data)] if draw(st.booleans()) else [g.const(data), x]
    return g.op(opcode, operands, g.shape(x), ir.BinaryOptions(activation=draw(ACTIVATIONS)))


def batchnorm(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """A conv-like op followed by one or two per-channel MUL/ADD/SUB (an importer's inference BatchNorm)."""
    y = draw(st.sampled_from([conv, depthwise, fully_connected]))(draw, g, rng, x)
    for _ in range(draw(st.integers(1, 2))):
        y = scale_shift(draw, g, rng, y)
    return y


def relu(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    return g.op(draw(st.sampled_from([OpCode.RELU, OpCode.RELU6])), [x], g.shape(x))


def pad(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """A PAD over H/W (sometimes the batch too), mostly zero."""
    paddings = [draw(st.integers(0, 1)) if draw(st.integers(0, 5)) == 0 else 0, 0] + \
               [draw(st.integers(0, 2)) for _ in range(4)] + [0, 0]
    shape = tuple(d + paddings[2 * k] + paddings[2 * k + 1] for k, d in enumerate(g.shape(x)))
    value = draw(st.sampled_from([0.0, 0.0, 0.0, 0.5]))
    return g.op(OpCode.PAD, [x], shape, ir.PadOptions(paddings=tuple(paddings), value=value))


def pool(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """A max or average pool, sometimes behind a zero or -inf PAD of at most 1 per side (so no window is all pad)."""
    opcode = draw(st.sampled_from([OpCode.MAX_POOL_2D, OpCode.AVERAGE_POOL_2D]))
    if min(g.shape(x)[1:3]) >= 2 and draw(st.booleans()):
        paddings = (0, 0) + tuple(draw(st.integers(0, 1)) for _ in range(4)) + (0, 0)
        value = draw(st.sampled_from([0.0, -math.inf])) if opcode == OpCode.MAX_POOL_2D else 0.0
        shape = tuple(d + paddings[2 * k] + paddings[2 * k + 1] for k, d in enumerate(g.shape(x)))
        x = g.op(OpCode.PAD, [x], shape, ir.PadOptions(paddings=paddings, value=value))
        window = dict(k=draw(st.integers(2, min(3, shape[1], shape[2]))), stride=draw(st.integers(1, 2)),
                      pad_top=0, pad_bottom=0, pad_left=0, pad_right=0)
    else:
        window = _window(draw, g, x)
    include = opcode == OpCode.AVERAGE_POOL_2D and draw(st.booleans())
    options = ir.Pool2DOptions(filter_h=window["k"], filter_w=window["k"], stride_h=window["stride"],
                               stride_w=window["stride"], count_include_pad=include, **_pad_fields(window))
    n, _, _, c = g.shape(x)
    return g.op(opcode, [x], (n,) + _out_hw(g, x, window) + (c,), options)


def reshape(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """To the same shape, through a flat shape and back, or to a different NHWC shape (swapped H and W)."""
    n, h, w, c = g.shape(x)
    kind = draw(st.sampled_from(["same", "round_trip", "swap"]))
    if kind == "round_trip":
        x = g.op(OpCode.RESHAPE, [x], (n, h * w, c))
    return g.op(OpCode.RESHAPE, [x], (n, w, h, c) if kind == "swap" else (n, h, w, c))


def transposes(draw: st.DrawFn, g: Graph, rng: np.random.Generator, x: int) -> int:
    """A TRANSPOSE, then its inverse or another random one."""
    first = tuple(draw(st.permutations(range(4))))
    second = tuple(int(i) for i in np.argsort(first)) if draw(st.booleans()) else tuple(draw(st.permutations(range(4))))
    for perm in (first, second):
        x = g.op(OpCode.TRANSPOSE, [x], tuple(g.shape(x)[p] for p in perm), ir.TransposeOptions(perm=perm))
    return x


STEPS = [conv, depthwise, fully_connected, scale_shift, batchnorm, batchnorm, relu, pad, pool, reshape, transposes]


@st.composite
def graphs(draw: st.DrawFn) -> ir.Model:
    """A random float model: a chain of steps, each usually on the newest tensor but sometimes on an older one
    (a second reader), joined by ADDs, with some intermediate tensors as extra model outputs."""
    g, rng = Graph(), np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    tensors = [g.input((1, draw(st.integers(3, 6)), draw(st.integers(3, 6)), draw(st.integers(1, 3))))]
    outputs = []
    for _ in range(draw(st.integers(1, 9))):
        source = tensors[-1] if draw(st.integers(0, 3)) else draw(st.sampled_from(tensors))
        y = draw(st.sampled_from(STEPS))(draw, g, rng, source)
        same = [t for t in tensors if g.shape(t) == g.shape(y)]
        if same and draw(st.integers(0, 4)) == 0:
            y = g.op(OpCode.ADD, [y, draw(st.sampled_from(same))], g.shape(y), ir.BinaryOptions())
        if draw(st.integers(0, 4)) == 0:
            outputs.append(y)
        tensors.append(y)
    outputs.append(tensors[-1])
    return g.model(*dict.fromkeys(outputs))


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_optimize_keeps_outputs_and_never_adds_ops(model):
    optimized = optimize(model)
    assert len(optimized.operators) <= len(model.operators)
    assert_equivalent(model, optimized)
