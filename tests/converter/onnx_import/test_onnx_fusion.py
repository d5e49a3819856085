"""Pattern fusion before lowering: GELU (erf and tanh forms), hard-swish and spelled-out layer normalization in
several exporters' spellings become single ops; a lookalike that computes something else, or whose inner values
are used elsewhere, is left alone. Values are checked against onnxruntime.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from onnx_harness import check_against_onnxruntime
from tensorlet.converter.onnx_import import import_onnx
from tensorlet.errors import UnsupportedOpError

X = np.linspace(-5, 5, 48, dtype=np.float32).reshape(2, 4, 6)


def _model(nodes, constants, outputs=("y",), opset=13):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 6])],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
                              [numpy_helper.from_array(np.asarray(v, np.float32), n) for n, v in constants.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _ops(model) -> list[str]:
    return [op.opcode.name for op in model.operators]


def _node(op_type, inputs, output, **attrs):
    return helper.make_node(op_type, inputs, [output], **attrs)


GELU_ERF_SPELLINGS = {
    "torch": ([_node("Div", ["x", "sqrt2"], "u"), _node("Erf", ["u"], "e"), _node("Add", ["e", "one"], "t"),
               _node("Mul", ["x", "t"], "p"), _node("Mul", ["p", "half"], "y")],
              {"sqrt2": math.sqrt(2), "one": 1.0, "half": 0.5}),
    "scaled_first": ([_node("Mul", ["x", "inv_sqrt2"], "u"), _node("Erf", ["u"], "e"), _node("Mul", ["half", "x"], "h"),
                      _node("Add", ["one", "e"], "t"), _node("Mul", ["h", "t"], "y")],
                     {"inv_sqrt2": 1 / math.sqrt(2), "one": 1.0, "half": 0.5}),
}


@pytest.mark.parametrize("spelling", sorted(GELU_ERF_SPELLINGS))
def test_erf_gelu_spellings_become_gelu(spelling):
    nodes, constants = GELU_ERF_SPELLINGS[spelling]
    converted = check_against_onnxruntime(_model(nodes, constants), [X])
    assert _ops(converted) == ["GELU"] and not converted.operators[0].options.approximate


def test_tanh_gelu_with_pow_becomes_approximate_gelu():
    nodes = [_node("Pow", ["x", "three"], "cube"), _node("Mul", ["cube", "kappa"], "k"), _node("Add", ["x", "k"], "i"),
             _node("Mul", ["i", "beta"], "u"), _node("Tanh", ["u"], "t"), _node("Add", ["t", "one"], "s"),
             _node("Mul", ["s", "half"], "h"), _node("Mul", ["x", "h"], "y")]
    constants = {"three": 3.0, "kappa": 0.044715, "beta": math.sqrt(2 / math.pi), "one": 1.0, "half": 0.5}
    converted = check_against_onnxruntime(_model(nodes, constants), [X])
    assert _ops(converted) == ["GELU"] and converted.operators[0].options.approximate


@pytest.mark.parametrize("spelling", ["hard_sigmoid", "clip"])
def test_hard_swish_spellings(spelling):
    if spelling == "hard_sigmoid":
        nodes = [_node("HardSigmoid", ["x"], "s", alpha=1 / 6), _node("Mul", ["x", "s"], "y")]
        constants = {}
    else:
        nodes = [_node("Add", ["x", "three"], "a"), helper.make_node("Clip", ["a", "zero", "six"], ["c"]),
                 _node("Mul", ["x", "c"], "m"), _node("Div", ["m", "six"], "y")]
        constants = {"three": 3.0, "zero": 0.0, "six": 6.0}
    assert _ops(check_against_onnxruntime(_model(nodes, constants), [X])) == ["HARD_SWISH"]


def test_a_lookalike_that_computes_something_else_is_not_fused():
    nodes = [_node("HardSigmoid", ["x"], "s", alpha=0.2), _node("Mul", ["x", "s"], "y")]
    assert _ops(check_against_onnxruntime(_model(nodes, {}), [X])) == ["MUL", "ADD", "MUL", "MUL"]


def test_a_pattern_whose_inner_value_is_also_an_output_is_not_fused():
    nodes, constants = GELU_ERF_SPELLINGS["torch"]
    with pytest.raises(UnsupportedOpError, match="Erf"):
        import_onnx(_model(nodes, constants, outputs=("y", "e")))


@pytest.mark.parametrize("square, affine", [("Pow", True), ("Mul", False)])
def test_spelled_out_layer_norm_becomes_layer_norm(square, affine):
    nodes = [_node("ReduceMean", ["x"], "m", axes=[-1]), _node("Sub", ["x", "m"], "d"),
             _node(square, ["d", "two"] if square == "Pow" else ["d", "d"], "q"),
             _node("ReduceMean", ["q"], "v", axes=[-1]), _node("Add", ["v", "eps"], "ve"), _node("Sqrt", ["ve"], "s"),
             _node("Div", ["d", "s"], "n" if affine else "y")]
    constants = {"two": 2.0, "eps": 1e-5}
    if affine:
        nodes += [_node("Mul", ["n", "gamma"], "g"), _node("Add", ["g", "beta"], "y")]
        constants.update(gamma=np.linspace(0.5, 1.5, 6), beta=np.linspace(-1, 1, 6))
    assert _ops(check_against_onnxruntime(_model(nodes, constants), [X])) == ["LAYER_NORM"]
