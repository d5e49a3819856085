"""Targeted lowerings against onnxruntime: the Clip and HardSigmoid compositions, the Resize attribute mapping,
layouts around conv outputs (reductions, softmax, pads, slices, reshapes, concat), Gemm's C forms and
conv padding rules, each checked for its values and for the ops it becomes.
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from onnx_harness import check_against_onnxruntime

RNG = np.random.default_rng(3)


def _model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
                              [numpy_helper.from_array(np.asarray(v), n) for n, v in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _x(*shape) -> np.ndarray:
    return (RNG.standard_normal(shape) * 3).astype(np.float32)


def _ops(model) -> list[str]:
    return [op.opcode.name for op in model.operators]


def _conv_then(nodes, outputs, shape=(1, 3, 6, 5), initializers=(), opset=13):
    """A model whose input goes through a 3->4 channel conv ('c', NHWC inside) and then `nodes`."""
    w = RNG.standard_normal((4, shape[1], 3, 3)).astype(np.float32)
    conv = helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1])
    return _model([conv] + nodes, [("x", list(shape))], outputs, [("w", w)] + list(initializers), opset)


@pytest.mark.parametrize("lo, hi, expected", [
    (0.0, 6.0, ["RELU6"]), (0.0, None, ["RELU"]), (None, None, ["RESHAPE"]), (-1.0, 1.0, ["MUL", "ADD", "MUL", "ADD"]),
    (0.0, 3.0, ["MUL", "MUL"]), (None, 2.0, ["SUB", "SUB"]), (0.5, None, ["ADD", "ADD"]), (2.0, 1.0, ["MUL", "ADD"])])
def test_clip_is_relu_relu6_or_an_exact_composition(lo, hi, expected):
    names = ["x", "" if lo is None else "lo", "" if hi is None else "hi"]
    constants = [(n, np.float32(v)) for n, v in (("lo", lo), ("hi", hi)) if v is not None]
    model = _model([helper.make_node("Clip", names, ["y"])], [("x", [2, 50])], ["y"], constants)
    x = np.linspace(-8, 8, 100, dtype=np.float32).reshape(2, 50)
    assert _ops(check_against_onnxruntime(model, [x], rtol=1e-6)) == expected


def test_hard_sigmoid_composition():
    model = _model([helper.make_node("HardSigmoid", ["x"], ["y"], alpha=0.3, beta=0.4)], [("x", [3, 40])], ["y"])
    x = np.linspace(-5, 5, 120, dtype=np.float32).reshape(3, 40)
    assert _ops(check_against_onnxruntime(model, [x], rtol=1e-6)) == ["MUL", "ADD", "MUL"]


@pytest.mark.parametrize("attrs, align, half", [
    (dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"), False, False),
    (dict(mode="nearest", coordinate_transformation_mode="tf_half_pixel_for_nn", nearest_mode="floor"), False, True),
    (dict(mode="nearest", coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_ceil"), False, True),
    (dict(mode="nearest", coordinate_transformation_mode="align_corners", nearest_mode="round_prefer_ceil"), True,
     False),
    (dict(mode="linear", coordinate_transformation_mode="half_pixel"), False, True),
    (dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"), False, True),
    (dict(mode="linear", coordinate_transformation_mode="align_corners"), True, False),
    (dict(mode="linear", coordinate_transformation_mode="asymmetric"), False, False)])
@pytest.mark.parametrize("sizes", [(10, 7), (3, 2)])
def test_resize_maps_onto_resize_options(attrs, align, half, sizes):
    model = _conv_then([helper.make_node("Resize", ["c", "", "", "sizes"], ["y"], **attrs)], ["y"],
                       initializers=[("sizes", np.array((1, 4) + sizes, np.int64))])
    converted = check_against_onnxruntime(model, [_x(1, 3, 6, 5)])
    resize = next(op for op in converted.operators if op.opcode.name.startswith("RESIZE"))
    assert (resize.options.align_corners, resize.options.half_pixel_centers) == (align, half)
    assert "TRANSPOSE" not in _ops(converted)[1:-1]


def test_softmax_over_channels_of_a_conv_output_needs_no_transpose():
    model = _conv_then([helper.make_node("Softmax", ["c"], ["s"], axis=1),
                        helper.make_node("GlobalAveragePool", ["s"], ["y"])], ["y"])
    ops = _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)]))
    assert ops == ["TRANSPOSE", "CONV_2D", "SOFTMAX", "MEAN", "RESHAPE"]


def test_softmax_before_opset_13_flattens_from_axis():
    model = _model([helper.make_node("Softmax", ["x"], ["y"], axis=1)], [("x", [2, 3, 4])], ["y"], opset=11)
    check_against_onnxruntime(model, [_x(2, 3, 4)])


@pytest.mark.parametrize("axes, keepdims", [([2, 3], 1), ([2, 3], 0), ([1], 0), ([1, 3], 1), ([0, 1, 2, 3], 0)])
def test_reduce_mean_of_a_conv_output(axes, keepdims):
    model = _conv_then([helper.make_node("ReduceMean", ["c"], ["y"], axes=axes, keepdims=keepdims)], ["y"])
    ops = _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)]))
    if axes == [2, 3]:
        assert ops[:3] == ["TRANSPOSE", "CONV_2D", "MEAN"]


def test_reduce_mean_axes_as_input():
    model = _model([helper.make_node("ReduceMean", ["x", "axes"], ["y"], keepdims=0)], [("x", [2, 3, 4])], ["y"],
                   [("axes", np.array([-1], np.int64))], opset=18)
    check_against_onnxruntime(model, [_x(2, 3, 4)])


def test_pad_with_negative_pads_crops():
    pads = np.array([0, 0, 1, -1, 0, 1, -2, 2], np.int64)
    model = _conv_then([helper.make_node("Pad", ["c", "pads", "v"], ["y"])], ["y"],
                       initializers=[("pads", pads), ("v", np.float32(0.5))])
    assert _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)]))[2:4] == ["SLICE", "PAD"]


def test_slices_with_steps_on_a_conv_output():
    starts, ends = np.array([1, 0, 1], np.int64), np.array([4, 5, 9], np.int64)
    model = _conv_then([helper.make_node("Slice", ["c", "starts", "ends", "axes", "steps"], ["y"])], ["y"],
                       initializers=[("starts", starts), ("ends", ends), ("axes", np.array([1, 2, 3], np.int64)),
                                     ("steps", np.array([2, 3, 1], np.int64))])
    assert _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)])) == ["TRANSPOSE", "CONV_2D", "SLICE", "TRANSPOSE"]


def test_reshape_merging_spatial_axes_keeps_the_channels_last_layout():
    model = _conv_then([helper.make_node("Reshape", ["c", "shape"], ["r"]),
                        helper.make_node("Relu", ["r"], ["y"])], ["y"],
                       initializers=[("shape", np.array([1, 4, -1], np.int64))])
    assert _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)])) == ["TRANSPOSE", "CONV_2D", "RESHAPE", "RELU",
                                                                        "TRANSPOSE"]


def test_squeeze_unsqueeze_and_concat_with_a_constant():
    nodes = [helper.make_node("GlobalAveragePool", ["c"], ["p"]),
             helper.make_node("Squeeze", ["p", "axes"], ["s"]),
             helper.make_node("Unsqueeze", ["s", "axes"], ["u"]),
             helper.make_node("Concat", ["u", "k"], ["y"], axis=1)]
    model = _conv_then(nodes, ["y"], initializers=[("axes", np.array([2, 3], np.int64)),
                                                   ("k", np.ones((1, 2, 1, 1), np.float32))])
    check_against_onnxruntime(model, [_x(1, 3, 6, 5)])


def test_nhwc_model_with_transposes_around_the_conv_has_none_left():
    w = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["t", "w"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Transpose", ["c"], ["y"], perm=[0, 2, 3, 1])]
    model = _model(nodes, [("x", [1, 6, 5, 3])], ["y"], [("w", w)])
    assert _ops(check_against_onnxruntime(model, [_x(1, 6, 5, 3)])) == ["CONV_2D"]


def test_single_channel_nchw_input_is_a_reshape():
    w = RNG.standard_normal((1, 1, 3, 3)).astype(np.float32)
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"])], [("x", [1, 1, 7, 7])], ["y"], [("w", w)])
    assert _ops(check_against_onnxruntime(model, [_x(1, 1, 7, 7)])) == ["RESHAPE", "CONV_2D", "RESHAPE"]


@pytest.mark.parametrize("c_shape, trans_a, alpha, beta", [
    ((5,), 0, 1.0, 1.0), ((3, 5), 0, 0.5, 2.0), ((3, 1), 1, 1.0, 0.5), (None, 1, 2.0, 1.0),
    ("activation", 0, 1.0, 3.0)])
def test_gemm_forms(c_shape, trans_a, alpha, beta):
    b = RNG.standard_normal((5, 4)).astype(np.float32)
    inputs = [("a", [4, 3] if trans_a else [3, 4])]
    initializers = [("b", b)]
    names = ["a", "b"]
    if c_shape == "activation":
        inputs.append(("c", [3, 5]))
        names.append("c")
    elif c_shape is not None:
        initializers.append(("c", RNG.standard_normal(c_shape).astype(np.float32)))
        names.append("c")
    node = helper.make_node("Gemm", names, ["y"], transA=trans_a, transB=1, alpha=alpha, beta=beta)
    feeds = [_x(*shape) for _, shape in inputs]
    check_against_onnxruntime(_model([node], inputs, ["y"], initializers), feeds)


@pytest.mark.parametrize("attrs", [dict(auto_pad="SAME_LOWER", strides=[2, 2]), dict(auto_pad="SAME_UPPER"),
                                   dict(auto_pad="VALID", dilations=[2, 1]), dict(pads=[0, 2, 1, 0], strides=[1, 2])])
def test_conv_padding_rules(attrs):
    w = RNG.standard_normal((4, 3, 3, 2)).astype(np.float32)
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"], **attrs)], [("x", [1, 3, 7, 6])], ["y"], [("w", w)])
    check_against_onnxruntime(model, [_x(1, 3, 7, 6)])


def test_depthwise_conv_with_multiplier_and_1d_conv():
    w2 = RNG.standard_normal((6, 1, 3, 3)).astype(np.float32)
    w1 = RNG.standard_normal((2, 6, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w2"], ["d"], group=3, pads=[1, 1, 1, 1]),
             helper.make_node("Reshape", ["d", "shape"], ["r"]),
             helper.make_node("Conv", ["r", "w1"], ["y"], strides=[2])]
    model = _model(nodes, [("x", [1, 3, 4, 5])], ["y"], [("w2", w2), ("w1", w1), ("shape", np.array([1, 6, 20]))])
    assert "DEPTHWISE_CONV_2D" in _ops(check_against_onnxruntime(model, [_x(1, 3, 4, 5)]))


def test_div_by_a_constant_is_a_mul():
    model = _model([helper.make_node("Div", ["x", "d"], ["y"])], [("x", [2, 3])], ["y"],
                   [("d", np.array([2.0, -4.0, 0.5], np.float32))])
    assert _ops(check_against_onnxruntime(model, [_x(2, 3)])) == ["MUL"]


def test_layer_normalization_over_several_axes():
    model = _model([helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=1, epsilon=1e-3)],
                   [("x", [2, 3, 4])], ["y"], [("g", _x(3, 4)), ("b", _x(4))], opset=17)
    check_against_onnxruntime(model, [_x(2, 3, 4)])


def test_matmul_shapes():
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("MatMul", ["m", "v"], ["y"])]
    model = _model(nodes, [("x", [2, 3, 4])], ["y"], [("w", _x(1, 4, 5)), ("v", _x(5))])
    check_against_onnxruntime(model, [_x(2, 3, 4)])


def test_flattened_feature_map_used_elsewhere_is_reordered_once():
    nodes = [helper.make_node("Flatten", ["c"], ["f"]), helper.make_node("Relu", ["f"], ["r"]),
             helper.make_node("Softmax", ["r"], ["s"], axis=-1), helper.make_node("Add", ["s", "bias"], ["y"])]
    model = _conv_then(nodes, ["y"], initializers=[("bias", _x(120))])
    ops = _ops(check_against_onnxruntime(model, [_x(1, 3, 6, 5)]))
    assert ops.count("TRANSPOSE") == 2  # the input's, and the one reordering the flattened values for the output


def test_average_pool_same_padding_counting_pads():
    node = helper.make_node("AveragePool", ["c"], ["y"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER",
                            count_include_pad=1)
    check_against_onnxruntime(_conv_then([node], ["y"]), [_x(1, 3, 6, 5)])
