"""remove_identity: identity RESHAPE/TRANSPOSE ops go, chains of two collapse, the model interface never changes."""
import numpy as np
import pytest

from optimize_graphs import Graph, assert_equivalent, opcodes
from tensorlet.converter import ir
from tensorlet.converter.ir import OpCode
from tensorlet.converter.optimize.dead_code import dead_code
from tensorlet.converter.optimize.remove_identity import composed_perm, remove_identity

RNG = np.random.default_rng(2)


def _transpose(g: Graph, x: int, perm) -> int:
    return g.op(OpCode.TRANSPOSE, [x], tuple(g.shape(x)[p] for p in perm), ir.TransposeOptions(perm=tuple(perm)))


def _relu(g: Graph, x: int) -> int:
    return g.op(OpCode.RELU, [x], g.shape(x))


def _rewritten(g: Graph, *outputs: int):
    before, after = g.model(*outputs), g.model(*outputs)
    changed = remove_identity(after)
    dead_code(after)
    assert_equivalent(before, after)
    return changed, after


def test_composed_perm_matches_numpy():
    x = RNG.standard_normal((2, 3, 4, 5))
    first, second = (0, 2, 3, 1), (3, 0, 2, 1)
    np.testing.assert_array_equal(np.transpose(np.transpose(x, first), second),
                                  np.transpose(x, composed_perm(first, second)))


def test_reshape_to_the_same_shape_is_removed():
    g = Graph()
    a = _relu(g, g.input((2, 6)))
    y = _relu(g, g.op(OpCode.RESHAPE, [a], (2, 6)))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["RELU", "RELU"]


def test_reshape_chain_collapses_and_a_round_trip_disappears():
    g = Graph()
    x = g.input((1, 4, 4, 2))
    flat = g.op(OpCode.RESHAPE, [x], (1, 32))
    y = _relu(g, g.op(OpCode.RESHAPE, [flat], (2, 16)))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["RESHAPE", "RELU"]
    assert model.operators[0].inputs == model.inputs

    g = Graph()
    x = g.input((1, 4, 4, 2))
    y = _relu(g, g.op(OpCode.RESHAPE, [g.op(OpCode.RESHAPE, [x], (1, 32))], (1, 4, 4, 2)))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["RELU"]


def test_transpose_and_its_inverse_before_a_model_output_disappear():
    g = Graph()
    a = _relu(g, g.input((1, 3, 4, 2)))
    y = _transpose(g, _transpose(g, a, (0, 3, 1, 2)), (0, 2, 3, 1))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["RELU"]
    assert model.tensors[model.outputs[0]].name == g.tensors[y].name      # the RELU writes the output itself


@pytest.mark.parametrize("shape,perm", [((2, 3, 4), (0, 1, 2)), ((1, 1, 4, 3), (1, 0, 2, 3))])
def test_transpose_that_moves_no_data_is_removed(shape, perm):
    g = Graph()
    y = _relu(g, _transpose(g, _relu(g, g.input(shape)), perm))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["RELU", "RELU"]


def test_two_transposes_compose_into_one():
    g = Graph()
    x = g.input((1, 3, 4, 2))
    y = _relu(g, _transpose(g, _transpose(g, x, (0, 3, 1, 2)), (1, 0, 3, 2)))
    changed, model = _rewritten(g, y)
    assert changed and opcodes(model) == ["TRANSPOSE", "RELU"]
    assert model.operators[0].options.perm == (3, 0, 2, 1)


def test_transpose_to_the_same_shape_that_moves_data_stays():
    g = Graph()
    y = _relu(g, _transpose(g, g.input((1, 3, 1, 3)), (0, 3, 2, 1)))
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["TRANSPOSE", "RELU"]


def test_first_transpose_read_elsewhere_stays_and_the_interface_is_kept():
    g = Graph()
    x = g.input((1, 3, 4, 2))
    t = _transpose(g, x, (0, 3, 1, 2))
    y = _transpose(g, t, (0, 2, 3, 1))
    changed, model = _rewritten(g, t, y)                 # both model outputs: the chain only shortens
    assert changed and opcodes(model) == ["TRANSPOSE", "TRANSPOSE"]
    assert model.operators[1].inputs == model.inputs and model.operators[1].options.perm == (0, 1, 2, 3)
    assert not remove_identity(model)


def test_identity_between_model_input_and_output_stays():
    g = Graph()
    y = g.op(OpCode.RESHAPE, [g.input((2, 3))], (2, 3))
    changed, model = _rewritten(g, y)
    assert not changed and opcodes(model) == ["RESHAPE"]


def test_identity_before_a_model_output_also_read_elsewhere():
    g = Graph()
    a = _relu(g, g.input((2, 3)))
    y = g.op(OpCode.RESHAPE, [a], (2, 3))
    z = g.op(OpCode.RELU6, [a], (2, 3))
    changed, model = _rewritten(g, y, z)
    assert changed and opcodes(model) == ["RELU", "RELU6"]
    assert model.operators[0].outputs == [model.outputs[0]] and model.operators[1].inputs == [model.outputs[0]]
