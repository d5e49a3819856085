"""dead_code: unused ops and unreferenced tensors go, indices are renumbered, the model interface stays."""
import numpy as np

from optimize_graphs import Graph, assert_equivalent, opcodes, planned
from tensorlet.converter import ir
from tensorlet.converter.ir import OpCode
from tensorlet.converter.optimize.dead_code import dead_code

RNG = np.random.default_rng(0)


def _conv(g: Graph, x: int, co: int = 3) -> int:
    ci = g.shape(x)[3]
    w = g.const(RNG.standard_normal((co, 1, 1, ci)))
    return g.op(OpCode.CONV_2D, [x, w, -1], g.shape(x)[:3] + (co,), ir.Conv2DOptions())


def test_unused_branch_and_its_constants_are_removed_and_indices_renumbered():
    g = Graph()
    x = g.input((1, 4, 4, 2))
    dead = _conv(g, x)
    g.op(OpCode.RELU, [dead], g.shape(dead))          # reads only the dead branch: dead too
    y = g.op(OpCode.RELU, [_conv(g, x)], (1, 4, 4, 3))
    before = g.model(y)
    after = g.model(y)
    assert dead_code(after)
    assert opcodes(after) == ["CONV_2D", "RELU"]
    assert len(after.tensors) == 4                    # input, weights, conv output, relu output
    assert [t.name for t in after.tensors] == ["in0", before.tensors[4].name, before.tensors[5].name,
                                               before.tensors[6].name]
    assert after.operators[0].inputs == [0, 1, -1] and after.operators[1].inputs == [2]
    assert after.inputs == [0] and after.outputs == [3]
    assert_equivalent(before, after)


def test_intermediate_model_output_and_unused_input_stay_in_order():
    g = Graph()
    x = g.input((1, 2, 2, 2))
    g.input((3,))                                     # read by no op: stays a model input
    a = g.op(OpCode.RELU, [x], (1, 2, 2, 2))
    b = g.op(OpCode.RELU6, [a], (1, 2, 2, 2))
    g.const(np.ones(5))                               # referenced by nothing
    model = g.model(b, a)
    assert dead_code(model)
    assert opcodes(model) == ["RELU", "RELU6"]
    assert model.inputs == [0, 1] and [model.tensors[i].name for i in model.outputs] == ["t3", "t2"]
    planned(model)
    assert not dead_code(model)


def test_clean_model_is_left_alone():
    g = Graph()
    y = g.op(OpCode.RELU, [g.input((2, 3))], (2, 3))
    model = g.model(y)
    assert not dead_code(model)
    assert opcodes(model) == ["RELU"] and len(model.tensors) == 2
