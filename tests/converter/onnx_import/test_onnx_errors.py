"""Error paths of the ONNX importer: ops, attributes, dtypes and shapes outside what Tensorlet supports raise
UnsupportedOpError naming the node, op type, opset (and the supported list for an unknown op); unreadable input
raises FormatError. Nothing is converted half-way.
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from tensorlet.converter.onnx_import import import_onnx
from tensorlet.errors import FormatError, UnsupportedOpError


def _model(nodes, inputs, outputs, initializers=(), opset=13, domains=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              [numpy_helper.from_array(np.asarray(v), n) for n, v in initializers])
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    return helper.make_model(graph, opset_imports=imports)


def _value(name, shape, elem_type=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem_type, shape)


def _raises(model, *fragments):
    with pytest.raises(UnsupportedOpError) as caught:
        import_onnx(model)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_einsum_names_node_op_opset_and_the_supported_list():
    model = _model([helper.make_node("Einsum", ["a", "b"], ["y"], name="mix", equation="ij,jk->ik")],
                   [_value("a", [2, 3]), _value("b", [3, 4])], [_value("y", [2, 4])], opset=12)
    message = _raises(model, "'mix'", "Einsum", "opset 12", "supported op types:")
    for op_type in ("Conv", "Gemm", "MatMul", "Resize", "LayerNormalization"):
        assert op_type in message


def test_lstm_is_unsupported():
    w, r = np.zeros((1, 8, 3), np.float32), np.zeros((1, 8, 2), np.float32)
    model = _model([helper.make_node("LSTM", ["x", "w", "r"], ["y"], name="rnn", hidden_size=2)],
                   [_value("x", [4, 1, 3])], [_value("y", [4, 1, 1, 2])], [("w", w), ("r", r)], opset=14)
    _raises(model, "'rnn'", "LSTM", "opset 14", "supported op types:")


def test_dequantized_constant_weights_are_folded():
    nodes = [helper.make_node("DequantizeLinear", ["wq", "s"], ["w"]), helper.make_node("MatMul", ["x", "w"], ["y"])]
    model = _model(nodes, [_value("x", [1, 4])], [_value("y", [1, 2])],
                   [("wq", np.arange(8, dtype=np.int8).reshape(4, 2)), ("s", np.float32(0.5))])
    assert [op.opcode.name for op in import_onnx(model).operators] == ["FULLY_CONNECTED"]


def test_custom_domain_op():
    model = _model([helper.make_node("FusedGelu", ["x"], ["y"], name="custom", domain="com.microsoft")],
                   [_value("x", [1, 4])], [_value("y", [1, 4])], domains=["com.microsoft"])
    _raises(model, "'custom'", "com.microsoft.FusedGelu")


@pytest.mark.parametrize("elem_type, name", [(TensorProto.INT64, "INT64"), (TensorProto.FLOAT16, "FLOAT16"),
                                             (TensorProto.BOOL, "BOOL")])
def test_non_float32_input(elem_type, name):
    model = _model([helper.make_node("Identity", ["x"], ["y"])], [_value("x", [1, 4], elem_type)],
                   [_value("y", [1, 4], elem_type)])
    _raises(model, "'x'", name, "float32")


def test_dynamic_non_batch_dim():
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [_value("x", ["batch", "seq", 4])],
                   [_value("y", ["batch", "seq", 4])])
    _raises(model, "'x'", "seq", "axis 1")


def test_symbolic_batch_is_fixed_to_one():
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [_value("x", ["batch", 4])], [_value("y", ["batch", 4])])
    converted = import_onnx(model)
    assert converted.tensors[converted.inputs[0]].shape == (1, 4)
    assert converted.tensors[converted.outputs[0]].shape == (1, 4)


def test_matmul_of_two_activations():
    model = _model([helper.make_node("MatMul", ["a", "b"], ["y"], name="attention")],
                   [_value("a", [2, 3]), _value("b", [3, 4])], [_value("y", [2, 4])])
    _raises(model, "'attention'", "MatMul", "input 1 ('b')", "constant")


def test_division_by_an_activation():
    model = _model([helper.make_node("Div", ["a", "b"], ["y"], name="ratio")],
                   [_value("a", [2, 3]), _value("b", [2, 3])], [_value("y", [2, 3])])
    _raises(model, "'ratio'", "Div", "constant")


@pytest.mark.parametrize("mode", ["reflect", "edge", "wrap"])
def test_pad_modes_other_than_constant(mode):
    model = _model([helper.make_node("Pad", ["x", "pads"], ["y"], name="border", mode=mode)],
                   [_value("x", [1, 2, 4, 4])], [_value("y", [1, 2, 6, 6])],
                   [("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))], opset=19)
    _raises(model, "'border'", f"mode={mode!r}")


def _resize(**attrs):
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up", **attrs)
    return _model([node], [_value("x", [1, 2, 4, 4])], [_value("y", [1, 2, 8, 8])],
                  [("scales", np.array([1, 1, 2, 2], np.float32))])


def test_resize_cubic_names_the_mode():
    _raises(_resize(mode="cubic"), "'up'", "mode='cubic'")


def test_resize_without_an_exact_mapping_names_the_attributes():
    _raises(_resize(mode="nearest", coordinate_transformation_mode="align_corners", nearest_mode="floor"),
            "coordinate_transformation_mode='align_corners'", "nearest_mode='floor'")


def test_resize_tf_crop_and_resize():
    _raises(_resize(mode="linear", coordinate_transformation_mode="tf_crop_and_resize"), "tf_crop_and_resize")


def test_consumed_secondary_output():
    nodes = [helper.make_node("MaxPool", ["x"], ["y", "indices"], name="pool", kernel_shape=[2, 2]),
             helper.make_node("Cast", ["indices"], ["z"], to=TensorProto.FLOAT)]
    model = _model(nodes, [_value("x", [1, 1, 4, 4])], [_value("y", [1, 1, 3, 3]), _value("z", [1, 1, 3, 3])])
    _raises(model, "'pool'", "'indices'")


def test_three_dimensional_conv():
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"], name="volume")], [_value("x", [1, 1, 3, 3, 3])],
                   [_value("y", [1, 1, 3, 3, 3])], [("w", np.ones((1, 1, 1, 1, 1), np.float32))])
    _raises(model, "'volume'", "3 spatial dims")


def test_constant_output():
    nodes = [helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Shape", ["x"], ["s"])]
    model = _model(nodes, [_value("x", [1, 4])], [_value("y", [1, 4]), _value("s", [2], TensorProto.INT64)])
    _raises(model, "graph output 's'", "constant")


def test_opset_too_old():
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [_value("x", [1, 4])], [_value("y", [1, 4])], opset=5)
    _raises(model, "opset 5")


def test_unsupported_attribute_value_is_reported_on_its_node():
    model = _model([helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="norm",
                                     training_mode=1)],
                   [_value("x", [1, 2, 3, 3])], [_value("y", [1, 2, 3, 3])],
                   [(n, np.ones(2, np.float32)) for n in "sbmv"], opset=15)
    _raises(model, "'norm'", "BatchNormalization", "opset 15", "training_mode=1")


@pytest.mark.parametrize("data", [b"", b"not an onnx model at all", bytes(range(256))])
def test_unreadable_bytes(data):
    with pytest.raises(FormatError):
        import_onnx(data)
