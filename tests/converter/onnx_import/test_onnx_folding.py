"""Constant folding at import: the shape arithmetic exporters emit (Shape, Gather, Unsqueeze, Concat, Cast,
ConstantOfShape, Range, Slice on shapes) and any node of constants is evaluated, leaving only real compute."""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from onnx_harness import check_against_onnxruntime


def _model(nodes, initializers, input_shape, opset=13):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.asarray(v), n) for n, v in initializers.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_flatten_by_shape_arithmetic_is_one_reshape():
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
             helper.make_node("Concat", ["n1", "minus_one"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["y"])]
    initializers = {"zero": np.array(0, np.int64), "axes": np.array([0], np.int64),
                    "minus_one": np.array([-1], np.int64)}
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    converted = check_against_onnxruntime(_model(nodes, initializers, ["batch", 3, 4]), [x[:1]])
    assert [op.opcode.name for op in converted.operators] == ["RESHAPE"]


def test_constant_subgraphs_fold_into_a_single_add():
    nodes = [helper.make_node("ConstantOfShape", ["dims"], ["ones"],
                              value=numpy_helper.from_array(np.array([1.0], np.float32))),
             helper.make_node("Range", ["start", "limit", "delta"], ["r"]),
             helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["ones", "rf"], ["k"]),
             helper.make_node("Slice", ["k", "starts", "ends"], ["ks"]),
             helper.make_node("Add", ["x", "ks"], ["y"])]
    initializers = {"dims": np.array([2, 5], np.int64), "start": np.array(0, np.int64),
                    "limit": np.array(5, np.int64), "delta": np.array(1, np.int64),
                    "starts": np.array([1], np.int64), "ends": np.array([4], np.int64)}
    converted = check_against_onnxruntime(_model(nodes, initializers, [1, 5]), [np.ones((1, 5), np.float32)])
    assert [op.opcode.name for op in converted.operators] == ["ADD"]
