"""fold_scale_shift: per-channel MUL/ADD/SUB after a conv-like op fold into its weights and bias (BatchNorm)."""
import numpy as np
import pytest

from optimize_graphs import Graph, assert_equivalent, opcodes
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.optimize.dead_code import dead_code
from tensorlet.converter.optimize.fold_scale_shift import fold_scale_shift

RNG = np.random.default_rng(5)
NONE = ir.BinaryOptions()


def _producer(g: Graph, opcode: OpCode, bias: bool = True, activation=Activation.NONE) -> int:
    """One conv-like op with a [1,5,5,2] float input and 4 output channels."""
    x = g.input((1, 5, 5, 2))
    b = g.const(RNG.standard_normal(4)) if bias else -1
    if opcode == OpCode.CONV_2D:
        return g.op(opcode, [x, g.const(RNG.standard_normal((4, 3, 3, 2))), b], (1, 3, 3, 4),
                    ir.Conv2DOptions(activation=activation))
    if opcode == OpCode.DEPTHWISE_CONV_2D:
        return g.op(opcode, [x, g.const(RNG.standard_normal((1, 3, 3, 4))), b], (1, 5, 5, 4),
                    ir.DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=2,
                                              activation=activation))
    if opcode == OpCode.TRANSPOSE_CONV:       # negative pads: the border outside the full result is bias only
        return g.op(opcode, [x, g.const(RNG.standard_normal((4, 3, 3, 2))), b], (1, 13, 13, 4),
                    ir.TransposeConvOptions(stride_h=2, stride_w=2, pad_top=-1, pad_bottom=-1, pad_left=-1,
                                            pad_right=-1, activation=activation))
    return g.op(opcode, [x, g.const(RNG.standard_normal((4, 10))), b], (5, 4),
                ir.FullyConnectedOptions(activation=activation))


def _rewritten(g: Graph, *outputs: int):
    before, after = g.model(*outputs), g.model(*outputs)
    changed = fold_scale_shift(after)
    dead_code(after)
    assert_equivalent(before, after)
    return changed, after


@pytest.mark.parametrize("opcode", [OpCode.CONV_2D, OpCode.DEPTHWISE_CONV_2D, OpCode.TRANSPOSE_CONV,
                                    OpCode.FULLY_CONNECTED])
@pytest.mark.parametrize("bias", [True, False])
def test_batchnorm_mul_add_folds_into_weights_and_bias(opcode, bias):
    g = Graph()
    y = _producer(g, opcode, bias)
    shape = g.shape(y)
    y = g.op(OpCode.MUL, [y, g.const(RNG.uniform(0.5, 2.0, 4))], shape, NONE)
    y = g.op(OpCode.ADD, [g.const(RNG.standard_normal((1, 4)) if opcode == OpCode.FULLY_CONNECTED else
                                  RNG.standard_normal((1, 1, 1, 4))), y], shape, NONE)
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == [opcode.name]
    assert len(model.operators[0].inputs) == 3 and model.operators[0].inputs[2] >= 0
    assert model.tensors[model.outputs[0]].name == g.tensors[y].name


@pytest.mark.parametrize("swap", [False, True])
def test_sub_either_way_round(swap):
    g = Graph()
    y = _producer(g, OpCode.CONV_2D)
    c = g.const(RNG.standard_normal(4))
    y = g.op(OpCode.SUB, [c, y] if swap else [y, c], g.shape(y), NONE)
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["CONV_2D"]


def test_scalar_scale_and_the_last_activation_carry_over():
    g = Graph()
    y = _producer(g, OpCode.CONV_2D)
    y = g.op(OpCode.MUL, [y, g.const([-1.5])], g.shape(y), NONE)
    y = g.op(OpCode.ADD, [y, g.const(RNG.standard_normal(4))], g.shape(y),
             ir.BinaryOptions(activation=Activation.RELU6))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["CONV_2D"]
    assert model.operators[0].options.activation == Activation.RELU6


def test_shared_weights_are_copied_not_changed():
    g = Graph()
    x = g.input((2, 6))
    w = g.const(RNG.standard_normal((3, 6)))
    a = g.op(OpCode.FULLY_CONNECTED, [x, w, -1], (2, 3), ir.FullyConnectedOptions())
    b = g.op(OpCode.FULLY_CONNECTED, [x, w, -1], (2, 3), ir.FullyConnectedOptions())
    a = g.op(OpCode.MUL, [a, g.const(RNG.standard_normal(3))], (2, 3), NONE)
    changed, model = _rewritten(g, a, b)
    assert changed and opcodes(model) == ["FULLY_CONNECTED", "FULLY_CONNECTED"]
    assert model.operators[0].inputs[1] != model.operators[1].inputs[1]


def test_fused_activation_makes_a_later_add_unfoldable():
    g = Graph()
    y = _producer(g, OpCode.CONV_2D, activation=Activation.RELU)
    y = g.op(OpCode.ADD, [y, g.const(RNG.standard_normal(4))], g.shape(y), NONE)
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["CONV_2D", "ADD"]

    g = Graph()
    y = _producer(g, OpCode.CONV_2D)
    y = g.op(OpCode.MUL, [y, g.const(RNG.standard_normal(4))], g.shape(y), ir.BinaryOptions(activation=Activation.RELU))
    y = g.op(OpCode.ADD, [y, g.const(RNG.standard_normal(4))], g.shape(y), NONE)
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["CONV_2D", "ADD"]             # the MUL folds, the ADD cannot


@pytest.mark.parametrize("constant_shape", [(1, 3, 3, 4), (3, 1, 4), (1, 1, 1, 1, 4)])
def test_constants_that_vary_off_the_channel_axis_or_add_dims_stay(constant_shape):
    g = Graph()
    y = _producer(g, OpCode.CONV_2D)
    out = np.broadcast_shapes(g.shape(y), constant_shape)
    y = g.op(OpCode.MUL, [y, g.const(RNG.standard_normal(constant_shape))], out, NONE)
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["CONV_2D", "MUL"]


def test_second_reader_model_output_and_activation_operand_stay():
    g = Graph()
    x = g.input((2, 6))
    w = g.const(RNG.standard_normal((3, 6)))
    shared = g.op(OpCode.FULLY_CONNECTED, [x, w, -1], (2, 3), ir.FullyConnectedOptions())
    a = g.op(OpCode.MUL, [shared, g.const(RNG.standard_normal(3))], (2, 3), NONE)
    b = g.op(OpCode.RELU, [shared], (2, 3))
    middle = g.op(OpCode.FULLY_CONNECTED, [x, w, -1], (2, 3), ir.FullyConnectedOptions())
    c = g.op(OpCode.ADD, [middle, g.const(RNG.standard_normal(3))], (2, 3), NONE)
    d = g.op(OpCode.FULLY_CONNECTED, [x, w, -1], (2, 3), ir.FullyConnectedOptions())
    e = g.op(OpCode.MUL, [d, g.input((3,))], (2, 3), NONE)              # the scale is not a constant
    changed, model = _rewritten(g, a, b, middle, c, e)
    assert not changed and len(model.operators) == 7
