"""constant_folding: ops over constants become constants, computed by the reference kernels; outputs and
DEQUANTIZE stay."""
import numpy as np

from optimize_graphs import Graph, assert_equivalent, opcodes, planned
from tensorlet.converter import ir
from tensorlet.converter.ir import OpCode
from tensorlet.converter.optimize.constant_folding import constant_folding
from tensorlet.converter.optimize.dead_code import dead_code

RNG = np.random.default_rng(1)


def test_reshaped_and_transposed_weights_become_one_constant():
    g = Graph()
    x = g.input((1, 5, 5, 2))
    flat = g.const(RNG.standard_normal((2, 9, 3)))
    w = g.op(OpCode.RESHAPE, [flat], (2, 3, 3, 3))
    w = g.op(OpCode.TRANSPOSE, [w], (3, 3, 3, 2), ir.TransposeOptions(perm=(3, 1, 2, 0)))
    y = g.op(OpCode.CONV_2D, [x, w, -1], (1, 3, 3, 3), ir.Conv2DOptions())
    before = g.model(y)
    after = g.model(y)
    assert constant_folding(after)
    assert opcodes(after) == ["CONV_2D"]
    weights = after.tensors[after.operators[0].inputs[1]]
    expected = np.transpose(before.tensors[flat].data.reshape(2, 3, 3, 3), (3, 1, 2, 0))
    np.testing.assert_array_equal(weights.data, expected)
    assert weights.arena_offset == -1
    dead_code(after)
    assert len(after.tensors) == 3
    assert_equivalent(before, after)


def test_chain_of_constant_arithmetic_folds_in_one_sweep():
    g = Graph()
    x = g.input((2, 4))
    a = g.op(OpCode.MUL, [g.const(RNG.standard_normal(4)), g.const(RNG.standard_normal(4))], (4,),
             ir.BinaryOptions())
    b = g.op(OpCode.SUB, [a, g.const(RNG.standard_normal((1, 4)))], (1, 4),
             ir.BinaryOptions(activation=ir.Activation.RELU))
    y = g.op(OpCode.ADD, [x, b], (2, 4), ir.BinaryOptions())
    before = g.model(y)
    after = g.model(y)
    assert constant_folding(after)
    assert opcodes(after) == ["ADD"]
    assert after.tensors[after.operators[0].inputs[1]].data.min() >= 0   # the fused RELU ran too
    assert_equivalent(before, after)


def test_model_output_and_float16_dequantize_are_left_alone():
    g = Graph()
    x = g.input((2, 3))
    weights16 = g.add(ir.Tensor("w16", (3,), ir.DType.FLOAT16, data=RNG.standard_normal(3).astype(np.float16)))
    w = g.op(OpCode.DEQUANTIZE, [weights16], (3,))
    y = g.op(OpCode.MUL, [x, w], (2, 3), ir.BinaryOptions())
    constant_out = g.op(OpCode.RELU, [g.const(RNG.standard_normal(3))], (3,))
    model = g.model(y, constant_out)
    assert not constant_folding(model)
    assert opcodes(model) == ["DEQUANTIZE", "MUL", "RELU"]
    planned(model)
