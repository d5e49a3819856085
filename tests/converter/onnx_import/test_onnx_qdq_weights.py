"""weights.py: the quantized axis of integer weights follows every rearrangement a lowering makes; DequantizeLinear'd
constants become symmetric int8 (zero points folded in exactly when they fit); filters and biases become the tensors
an int8 op needs, a bias of the wrong scale requantized."""
from __future__ import annotations

import numpy as np
import pytest

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import Builder
from tensorlet.converter.onnx_import.qdq_params import Affine
from tensorlet.converter.onnx_import.weights import Weights, bias_tensor, filter_tensor, from_dequantized, symmetric


def _per_channel(shape, axis) -> Weights:
    values = np.arange(np.prod(shape)).reshape(shape).astype(np.int8)
    return Weights(values, np.arange(1, shape[axis] + 1, dtype=np.float64) / 100, axis)


def test_rearrangements_carry_the_quantized_axis():
    w = _per_channel((4, 3, 1, 2), 0)
    assert w.transpose((1, 2, 3, 0)).axis == 3
    assert w.reshape((4, 3, 1, 1, 2)).axis == 0
    assert w.reshape((1, 4, 6)).axis == 1
    assert w.broadcast_to((5, 4, 3, 1, 2)).axis == 1
    sliced = w.take(0, [1, 2])
    np.testing.assert_array_equal(sliced.scale, w.scale[1:3])
    assert w.take(1, [0]).scale is w.scale
    np.testing.assert_array_equal(w.scaled(2.0).scale, w.scale * 2)
    with pytest.raises(ValueError, match="quantized axis"):
        w.reshape((12, 2))


def test_real_values_apply_the_scale_along_the_axis():
    w = _per_channel((2, 3), 1)
    np.testing.assert_allclose(w.real(), w.values * w.scale.reshape(1, 3))
    assert Weights(np.ones(3, np.float32)).scaled(0.5).real().tolist() == [0.5, 0.5, 0.5]


def test_dequantized_constants_become_symmetric_int8():
    shifted = from_dequantized(np.array([0, 128, 255], np.uint8), Affine(np.float32([0.1]), np.array([128]), -1,
                                                                         np.dtype(np.uint8)))
    assert shifted.values.tolist() == [-128, 0, 127] and shifted.values.dtype == np.int8
    wide = from_dequantized(np.array([-128, 127], np.int8), Affine(np.float32([0.1]), np.array([-60]), -1,
                                                                   np.dtype(np.int8)))
    np.testing.assert_allclose(wide.real(), [-6.8, 18.7], rtol=0.01)   # 187 steps: requantized symmetric
    bias = from_dequantized(np.array([5, -7], np.int32), Affine(np.float32([0.5, 0.25]), np.zeros(2, np.int64), 0,
                                                                np.dtype(np.int32)))
    assert bias.values.tolist() == [5, -7] and bias.axis == 0


def test_symmetric_quantization_per_channel():
    w = symmetric(np.array([[1.0, -2.0], [0.0, 0.0]]), 0)
    assert w.values.tolist() == [[64, -127], [0, 0]]
    np.testing.assert_allclose(w.scale, [np.float32(2 / 127), 1.0])


def test_filter_and_bias_tensors_of_an_int8_lowering():
    ctx = Builder({})
    ctx.int8 = True
    x = ctx.new_tensor("x", (1, 4), dtype=ir.DType.INT8, quantization=ir.Quantization([0.5], [3]))
    filters = filter_tensor(ctx, _per_channel((2, 4), 0), "w", 0)
    scales = [float(np.float32(0.01)), float(np.float32(0.02))]   # stored as the file stores them
    assert ctx.tensors[filters].quantization == ir.Quantization(scales, [0, 0], 0)
    with pytest.raises(ValueError, match="axis 1"):
        filter_tensor(ctx, _per_channel((2, 4), 1), "w_by_input", 0)
    kept = bias_tensor(ctx, Weights(np.array([10, -3]), np.array([0.005, 0.01]), 0), "b", x, filters)
    assert ctx.tensors[kept].data.tolist() == [10, -3] and ctx.tensors[kept].dtype == ir.DType.INT32
    requantized = bias_tensor(ctx, Weights(np.array([10, -3]), np.array([0.01, 0.01]), 0), "b2", x, filters)
    assert ctx.tensors[requantized].data.tolist() == [20, -3]
    from_float = bias_tensor(ctx, Weights(np.array([0.1, 0.1], np.float32)), "b3", x, filters)
    assert ctx.tensors[from_float].data.tolist() == [20, 10]
