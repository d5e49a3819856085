"""Hand-built QDQ graphs, one pattern each, converted (import, plan, .tlet, reference interpreter) and compared with
onnxruntime: uint8 edges, float edges, requantization between islands, the requantize our equal-quantization and
fixed-output ops need, tf2onnx's dense layer, a Clip fused into a conv, and int32 biases of the right and the wrong
scale.
"""
from __future__ import annotations

import numpy as np
import pytest

from onnx_harness import convert
from onnx_qdq_graphs import FLOAT, INT8, UINT8, QDQGraph, lsb_differences, onnxruntime_outputs
from tensorlet.converter import ir
from tensorlet.converter.reference import run

RNG = np.random.default_rng(5)


def _opcodes(model: ir.Model) -> list[str]:
    return [op.opcode.name for op in model.operators]


def _int8(shape) -> np.ndarray:
    return RNG.integers(-128, 128, shape).astype(np.int8)


def _conv_graph(clamp: tuple[float, float], bias_scale_factor: float = 1.0) -> tuple[QDQGraph, np.ndarray]:
    """float x [1,3,6,6] -> Q -> DQ -> Conv 3x3 (int8 per-channel weights, int32 bias) -> Clip -> Q -> DQ -> y."""
    g = QDQGraph()
    x_scale, w_scale = 0.02, np.array([0.01, 0.02, 0.015, 0.03], np.float32)
    g.quantize("x", "xq", x_scale, 3)
    g.dequantize("xq", "xd", x_scale, 3)
    g.weights("w", RNG.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8), w_scale, axis=0)
    bias = RNG.integers(-2000, 2000, 4).astype(np.int32)
    g.weights("b", bias, (np.float32(x_scale) * w_scale * bias_scale_factor).astype(np.float32), axis=0)
    g.node("Conv", ["xd", "w", "b"], "conv", pads=[1, 1, 1, 1])
    g.constant("lo", np.float32(clamp[0]))
    g.constant("hi", np.float32(clamp[1]))
    g.node("Clip", ["conv", "lo", "hi"], "clipped")
    g.quantize("clipped", "yq", 0.04, -100)
    g.dequantize("yq", "y", 0.04, -100)
    return g, bias


def test_uint8_graph_input_and_output_are_carried_as_int8_shifted_by_128():
    g = QDQGraph()
    g.dequantize("x", "xd", 0.05, 100, np.uint8)
    g.node("Relu", ["xd"], "r")
    g.quantize("r", "y", 0.03, 10, np.uint8)
    onnx_model = g.model([("x", UINT8, [1, 64])], [("y", UINT8, [1, 64])])
    model = convert(onnx_model)
    x_tensor, y_tensor = model.tensors[model.inputs[0]], model.tensors[model.outputs[0]]
    assert (x_tensor.dtype, x_tensor.quantization.zero_point) == (ir.DType.INT8, [100 - 128])
    assert (y_tensor.dtype, y_tensor.quantization.zero_point) == (ir.DType.INT8, [10 - 128])
    assert set(model.metadata.extra) == {"x.uint8", "y.uint8"}
    x = np.arange(0, 256, 4, dtype=np.uint8).reshape(1, 64)
    got = run(model, [(x.astype(np.int16) - 128).astype(np.int8)])[0].astype(np.int16) + 128
    assert lsb_differences(got, onnxruntime_outputs(onnx_model, [x])[0]).max() <= 1


def test_float_edges_become_quantize_and_dequantize():
    g = QDQGraph()
    g.quantize("x", "xq", 0.1, 5)
    g.dequantize("xq", "y", 0.1, 5)
    onnx_model = g.model([("x", FLOAT, [2, 8])], [("y", FLOAT, [2, 8])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["QUANTIZE", "DEQUANTIZE"]
    x = RNG.standard_normal((2, 8)).astype(np.float32)
    np.testing.assert_array_equal(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0])


def test_quantize_dequantize_pair_with_other_parameters_is_a_requantize():
    g = QDQGraph()
    g.dequantize("x", "xd", 0.05, -10)
    g.quantize("xd", "y", 0.08, 20)
    onnx_model = g.model([("x", INT8, [1, 256])], [("y", INT8, [1, 256])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["QUANTIZE"]
    assert model.operators[0].quant_params.output_multiplier
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    assert lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0]).max() <= 1


@pytest.mark.parametrize("op_type,opcode", [("AveragePool", "AVERAGE_POOL_2D"), ("MaxPool", "MAX_POOL_2D")])
def test_pool_with_another_output_quantization_gets_a_requantize(op_type, opcode):
    g = QDQGraph()
    g.dequantize("x", "xd", 0.05, -10)
    g.node(op_type, ["xd"], "p", kernel_shape=[2, 2], strides=[2, 2])
    g.quantize("p", "y", 0.03, 7)
    onnx_model = g.model([("x", INT8, [1, 3, 6, 6])], [("y", INT8, [1, 3, 3, 3])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["TRANSPOSE", opcode, "QUANTIZE", "TRANSPOSE"]
    pool = model.operators[1]
    assert model.tensors[pool.outputs[0]].quantization == model.tensors[pool.inputs[0]].quantization
    x = _int8((1, 3, 6, 6))
    assert lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0]).max() <= 1


def test_concat_requantizes_each_input_to_its_output():
    g = QDQGraph()
    g.dequantize("a", "ad", 0.05, -10)
    g.dequantize("b", "bd", 0.02, 30)
    g.node("Concat", ["ad", "bd"], "c", axis=1)
    g.quantize("c", "y", 0.04, 0)
    onnx_model = g.model([("a", INT8, [1, 16]), ("b", INT8, [1, 8])], [("y", INT8, [1, 24])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["QUANTIZE", "QUANTIZE", "CONCATENATION"]
    a, b = _int8((1, 16)), _int8((1, 8))
    assert lsb_differences(run(model, [a, b])[0], onnxruntime_outputs(onnx_model, [a, b])[0]).max() <= 1


@pytest.mark.parametrize("scale,opcodes", [(1 / 256, ["SOFTMAX"]), (1 / 255, ["SOFTMAX", "QUANTIZE"])])
def test_softmax_output_is_requantized_unless_it_is_the_int8_softmax_one(scale, opcodes):
    g = QDQGraph()
    g.dequantize("x", "xd", 0.1, 0)
    g.node("Softmax", ["xd"], "s", axis=-1)
    g.quantize("s", "y", scale, -128)
    onnx_model = g.model([("x", INT8, [4, 10])], [("y", INT8, [4, 10])])
    model = convert(onnx_model)
    assert _opcodes(model) == opcodes
    x = _int8((4, 10))
    assert lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0]).max() <= 1


def test_dense_matmul_add_relu_becomes_one_fully_connected_with_bias():
    g = QDQGraph()
    g.dequantize("x", "xd", 0.1, 3)
    g.weights("w", RNG.integers(-127, 128, (16, 4)).astype(np.int8), np.float32(0.02))
    bias = RNG.integers(-500, 500, 4).astype(np.int32)
    g.weights("b", bias, np.float32(np.float32(0.1) * np.float32(0.02)))
    g.node("MatMul", ["xd", "w"], "mm")
    g.node("Add", ["mm", "b"], "biased")
    g.node("Relu", ["biased"], "r")
    g.quantize("r", "y", 0.05, -20)
    onnx_model = g.model([("x", INT8, [1, 16])], [("y", INT8, [1, 4])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["FULLY_CONNECTED"]
    fc = model.operators[0]
    assert fc.options.activation == ir.Activation.RELU
    np.testing.assert_array_equal(model.tensors[fc.inputs[2]].data, bias)
    assert model.tensors[fc.inputs[1]].data.dtype == np.int8
    x = _int8((1, 16))
    assert lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0]).max() <= 1


@pytest.mark.parametrize("clamp,activation", [((0.0, 6.0), ir.Activation.RELU6), ((0.0, np.inf), ir.Activation.RELU),
                                              ((-100.0, 100.0), ir.Activation.NONE)])
def test_clip_after_conv_becomes_its_fused_activation(clamp, activation):
    g, bias = _conv_graph(clamp)
    onnx_model = g.model([("x", FLOAT, [1, 3, 6, 6])], [("y", FLOAT, [1, 4, 6, 6])])
    model = convert(onnx_model)
    assert _opcodes(model) == ["QUANTIZE", "TRANSPOSE", "CONV_2D", "TRANSPOSE", "DEQUANTIZE"]
    conv = model.operators[2]
    assert conv.options.activation == activation
    np.testing.assert_array_equal(model.tensors[conv.inputs[2]].data, bias)   # its scale is x_scale * w_scale
    x = RNG.standard_normal((1, 3, 6, 6)).astype(np.float32)
    differences = lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0], 0.04)
    assert differences.max() <= 1 and np.mean(differences == 0) >= 0.9


def test_bias_of_another_scale_is_requantized_to_input_times_weight_scale():
    g, bias = _conv_graph((0.0, 6.0), bias_scale_factor=2.5)
    onnx_model = g.model([("x", FLOAT, [1, 3, 6, 6])], [("y", FLOAT, [1, 4, 6, 6])])
    model = convert(onnx_model)
    conv = model.operators[2]
    requantized = model.tensors[conv.inputs[2]].data
    assert np.abs(requantized - bias * 2.5).max() <= 0.5 + 1e-3   # float32 scales: 2.5 up to rounding
    x = RNG.standard_normal((1, 3, 6, 6)).astype(np.float32)
    assert lsb_differences(run(model, [x])[0], onnxruntime_outputs(onnx_model, [x])[0], 0.04).max() <= 1
