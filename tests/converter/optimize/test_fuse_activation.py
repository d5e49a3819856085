"""fuse_activation: RELU/RELU6 ops become the fused activation of the op before them, when nothing else reads it."""
import numpy as np
import pytest

from optimize_graphs import Graph, assert_equivalent, opcodes
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.optimize.dead_code import dead_code
from tensorlet.converter.optimize.fuse_activation import fuse_activation

RNG = np.random.default_rng(3)


def _conv(g: Graph, x: int, activation=Activation.NONE) -> int:
    w = g.const(RNG.standard_normal((3, 3, 3, g.shape(x)[3])) * 2)
    return g.op(OpCode.CONV_2D, [x, w, g.const(RNG.standard_normal(3))], (1, 3, 3, 3),
                ir.Conv2DOptions(activation=activation))


def _rewritten(g: Graph, *outputs: int):
    before, after = g.model(*outputs), g.model(*outputs)
    changed = fuse_activation(after)
    dead_code(after)
    assert_equivalent(before, after)
    return changed, after


@pytest.mark.parametrize("fused,relu,expected", [
    (Activation.NONE, OpCode.RELU, Activation.RELU),
    (Activation.NONE, OpCode.RELU6, Activation.RELU6),
    (Activation.RELU, OpCode.RELU6, Activation.RELU6),
    (Activation.RELU6, OpCode.RELU, Activation.RELU6),
    (Activation.RELU, OpCode.RELU, Activation.RELU),
])
def test_conv_then_relu_fuses(fused, relu, expected):
    g = Graph()
    y = g.op(relu, [_conv(g, g.input((1, 5, 5, 2)), fused)], (1, 3, 3, 3))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["CONV_2D"]
    assert model.operators[0].options.activation == expected
    assert model.tensors[model.outputs[0]].name == g.tensors[y].name


@pytest.mark.parametrize("opcode,options", [
    (OpCode.ADD, ir.BinaryOptions()),
    (OpCode.MAX_POOL_2D, ir.Pool2DOptions(filter_h=2, filter_w=2)),
    (OpCode.CONCATENATION, ir.ConcatenationOptions(axis=3)),
])
def test_every_op_with_an_activation_slot_takes_it(opcode, options):
    g = Graph()
    x = g.input((1, 3, 3, 2))
    if opcode == OpCode.ADD:
        a, shape = g.op(opcode, [x, g.const(RNG.standard_normal(2))], (1, 3, 3, 2), options), (1, 3, 3, 2)
    elif opcode == OpCode.MAX_POOL_2D:
        a, shape = g.op(opcode, [x], (1, 2, 2, 2), options), (1, 2, 2, 2)
    else:
        a, shape = g.op(opcode, [x, x], (1, 3, 3, 4), options), (1, 3, 3, 4)
    changed, model = _rewritten(g, g.op(OpCode.RELU6, [a], shape))
    assert changed and opcodes(model) == [opcode.name]
    assert model.operators[0].options.activation == Activation.RELU6


def test_relu_ops_in_a_row_merge_into_the_tighter_one():
    g = Graph()
    a = g.op(OpCode.TANH, [g.input((2, 4))], (2, 4))
    y = g.op(OpCode.RELU, [g.op(OpCode.RELU6, [g.op(OpCode.RELU, [a], (2, 4))], (2, 4))], (2, 4))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["TANH", "RELU6"]


def test_second_reader_model_output_and_no_slot_are_left_alone():
    g = Graph()
    x = g.input((1, 5, 5, 2))
    shared = _conv(g, x)
    r1 = g.op(OpCode.RELU, [shared], (1, 3, 3, 3))
    r2 = g.op(OpCode.TANH, [shared], (1, 3, 3, 3))              # a second reader
    middle = _conv(g, x)
    r3 = g.op(OpCode.RELU, [middle], (1, 3, 3, 3))              # `middle` is a model output too
    r4 = g.op(OpCode.RELU, [g.op(OpCode.SOFTMAX, [middle], (1, 3, 3, 3), ir.SoftmaxOptions())], (1, 3, 3, 3))
    r5 = g.op(OpCode.RELU, [x], (1, 5, 5, 2))                    # reads a model input
    changed, model = _rewritten(g, r1, r2, middle, r3, r4, r5)
    assert not changed
    assert opcodes(model) == ["CONV_2D", "RELU", "TANH", "CONV_2D", "RELU", "SOFTMAX", "RELU", "RELU"]
