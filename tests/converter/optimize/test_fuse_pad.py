"""fuse_pad: a float PAD over H/W becomes the padding of the conv or pool reading it, only where that is exact."""
import math

import numpy as np
import pytest

from optimize_graphs import Graph, assert_equivalent, opcodes
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.optimize.dead_code import dead_code
from tensorlet.converter.optimize.fuse_pad import fuse_pad

RNG = np.random.default_rng(4)
HW_PADS = (0, 0, 1, 2, 2, 0, 0, 0)   # top 1, bottom 2, left 2, right 0


def _pad(g: Graph, x: int, paddings=HW_PADS, value: float = 0.0) -> int:
    shape = tuple(d + paddings[2 * k] + paddings[2 * k + 1] for k, d in enumerate(g.shape(x)))
    return g.op(OpCode.PAD, [x], shape, ir.PadOptions(paddings=paddings, value=value))


def _conv(g: Graph, x: int, opcode=OpCode.CONV_2D, **pads) -> int:
    n, h, w, c = g.shape(x)
    o = (ir.Conv2DOptions(**pads) if opcode == OpCode.CONV_2D else
         ir.DepthwiseConv2DOptions(depth_multiplier=2, **pads))
    co = 3 if opcode == OpCode.CONV_2D else 2 * c
    weights = (3, 2, 2, c) if opcode == OpCode.CONV_2D else (1, 2, 2, co)
    out = (n, h + pads.get("pad_top", 0) + pads.get("pad_bottom", 0) - 1,
           w + pads.get("pad_left", 0) + pads.get("pad_right", 0) - 1, co)
    return g.op(opcode, [x, g.const(RNG.standard_normal(weights)), g.const(RNG.standard_normal(co))], out, o)


def _pool(g: Graph, x: int, opcode, **options) -> int:
    o = ir.Pool2DOptions(filter_h=3, filter_w=3, **options)
    n, h, w, c = g.shape(x)
    return g.op(opcode, [x], (n, h + o.pad_top + o.pad_bottom - 2, w + o.pad_left + o.pad_right - 2, c), o)


def _rewritten(g: Graph, *outputs: int):
    before, after = g.model(*outputs), g.model(*outputs)
    changed = fuse_pad(after)
    dead_code(after)
    assert_equivalent(before, after)
    return changed, after


def _pads(op: ir.Operator) -> tuple[int, int, int, int]:
    o = op.options
    return o.pad_top, o.pad_bottom, o.pad_left, o.pad_right


@pytest.mark.parametrize("opcode", [OpCode.CONV_2D, OpCode.DEPTHWISE_CONV_2D])
def test_zero_pad_adds_to_conv_pads(opcode):
    g = Graph()
    y = _conv(g, _pad(g, g.input((1, 4, 5, 2))), opcode, pad_top=1, pad_right=1)
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == [opcode.name]
    assert _pads(model.operators[0]) == (2, 2, 2, 1)


@pytest.mark.parametrize("paddings,value", [
    (HW_PADS, 0.5),                       # a non-zero pad value
    ((0, 0, 1, 1, 0, 0, 1, 0), 0.0),      # pads channels
    ((1, 0, 1, 1, 0, 0, 0, 0), 0.0),      # pads the batch
])
def test_pad_a_conv_cannot_express_stays(paddings, value):
    g = Graph()
    y = _conv(g, _pad(g, g.input((1, 4, 5, 2)), paddings, value))
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["PAD", "CONV_2D"]


def test_pad_read_twice_or_a_model_output_stays():
    g = Graph()
    x = g.input((1, 4, 5, 2))
    shared, out = _pad(g, x), _pad(g, x)
    changed, model = _rewritten(g, _conv(g, shared), g.op(OpCode.RELU, [shared], g.shape(shared)), out, _conv(g, out))
    assert not changed and opcodes(model) == ["PAD", "PAD", "CONV_2D", "RELU", "CONV_2D"]


def test_pad_before_transpose_conv_stays():
    g = Graph()
    p = _pad(g, g.input((1, 2, 2, 2)))
    y = g.op(OpCode.TRANSPOSE_CONV, [p, g.const(RNG.standard_normal((3, 2, 2, 2))), -1], (1, 6, 5, 3),
             ir.TransposeConvOptions())
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["PAD", "TRANSPOSE_CONV"]


@pytest.mark.parametrize("own,fused", [
    (dict(), True),                                                     # no pads of its own
    (dict(pad_top=1, count_include_pad=True), True),                    # pads already count
    (dict(pad_top=1), False),                                           # its own pads must not count
])
def test_average_pool_takes_zero_pads_through_count_include_pad(own, fused):
    g = Graph()
    y = _pool(g, _pad(g, g.input((1, 4, 5, 2)), (0, 0, 1, 1, 0, 2, 0, 0)), OpCode.AVERAGE_POOL_2D, **own)
    changed, model = _rewritten(g, y)
    assert changed == fused and opcodes(model) == (["AVERAGE_POOL_2D"] if fused else ["PAD", "AVERAGE_POOL_2D"])
    if fused:
        assert model.operators[0].options.count_include_pad


def test_pool_pads_must_stay_below_the_filter():
    g = Graph()
    y = _pool(g, _pad(g, g.input((1, 4, 5, 2)), (0, 0, 3, 0, 0, 0, 0, 0)), OpCode.AVERAGE_POOL_2D)
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["PAD", "AVERAGE_POOL_2D"]


@pytest.mark.parametrize("activation,value,fused", [
    (Activation.RELU, 0.0, True),          # rectified inputs are >= 0: a 0 pad never wins
    (Activation.RELU6, -1.0, True),
    (Activation.NONE, -math.inf, True),    # -inf never wins
    (Activation.NONE, 0.0, False),         # 0 beats negative inputs
    (Activation.RELU, 0.5, False),
])
def test_max_pool_takes_pads_only_when_the_pad_never_wins(activation, value, fused):
    g = Graph()
    x = _conv(g, g.input((1, 5, 6, 2)))
    if activation != Activation.NONE:
        x = g.op(OpCode.RELU if activation == Activation.RELU else OpCode.RELU6, [x], g.shape(x))
    y = _pool(g, _pad(g, x, (0, 0, 1, 2, 2, 1, 0, 0), value), OpCode.MAX_POOL_2D, pad_top=1)
    changed, model = _rewritten(g, y)
    tail = ["MAX_POOL_2D"] if fused else ["PAD", "MAX_POOL_2D"]
    assert changed == fused and opcodes(model)[-len(tail):] == tail
    if fused:
        assert _pads(model.operators[-1]) == (2, 2, 2, 1)


def test_max_pool_after_a_fused_relu_takes_a_zero_pad():
    g = Graph()
    x = g.input((1, 5, 6, 2))
    w = g.const(RNG.standard_normal((2, 1, 1, 2)))
    a = g.op(OpCode.CONV_2D, [x, w, -1], (1, 5, 6, 2), ir.Conv2DOptions(activation=Activation.RELU))
    changed, model = _rewritten(g, _pool(g, _pad(g, a), OpCode.MAX_POOL_2D))
    assert changed and opcodes(model) == ["CONV_2D", "MAX_POOL_2D"]
