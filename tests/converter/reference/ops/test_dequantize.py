"""DEQUANTIZE reference kernel: float32 scale * (q - zero_point), as TFLite Micro's Dequantize computes it."""
import numpy as np
import pytest

from support import act, const, run_through_file, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import trace
from tensorlet.converter.writer import to_bytes
from tensorlet.converter.ir import DType, OpCode, Quantization, Tensor
from tensorlet.errors import FormatError


def model(shape, scale, zero_point):
    return single_op_model(OpCode.DEQUANTIZE, [act("x", shape, scale, zero_point)], act("y", shape))


def test_known_answers():
    # scale 0.5, zero point -3: (5 + 3) * 0.5 = 4, (-3 + 3) = 0, (-128 + 3) * 0.5 = -62.5.
    q = np.array([5, -3, -128, 127], np.int8)
    got = run_through_file(model(q.shape, 0.5, -3), q)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [4.0, 0.0, -62.5, 65.0])
    # TFLite Micro on scale 0.1, zero point -3: [-128, -3, 0, 3, 127] -> [-12.5, 0.0, 0.3f*, 0.6f*, 13.0].
    q = np.array([-128, -3, 0, 3, 127], np.int8)
    np.testing.assert_array_equal(run_through_file(model(q.shape, 0.1, -3), q),
                                  np.array([-12.5, 0.0, 0.30000001192092896, 0.6000000238418579, 13.0], np.float32))


@pytest.mark.parametrize("scale,zero_point", [(0.1, -3), (0.0123, 0), (7.77, 127), (1e-5, -128)])
def test_all_inputs_are_one_float32_multiplication(scale, zero_point):
    q = np.arange(-128, 128, dtype=np.int8)
    got = run_through_file(model(q.shape, scale, zero_point), q)
    # The exact product of the float32 scale and the integer, rounded once to float32.
    exact = float(np.float32(scale)) * (q.astype(np.float64) - zero_point)
    np.testing.assert_array_equal(got, exact.astype(np.float32))


def test_float32_rounding_differs_from_a_double_computation():
    # 0.1f * 3 = 0.30000000447 exactly, which float32 rounds to 0.30000001192; a double result would differ.
    got = run_through_file(model((1,), 0.1, 0), np.array([3], np.int8))
    assert got[0] == np.float32(0.30000001192092896)
    assert float(got[0]) != float(np.float32(0.1)) * 3


def test_check_rejects_bad_dtypes_shapes_and_quantization():
    with pytest.raises(FormatError, match="it takes INT8"):
        single_op_model(OpCode.DEQUANTIZE, [act("x", (4,))], act("y", (4,)))
    with pytest.raises(FormatError, match="it produces FLOAT32"):
        single_op_model(OpCode.DEQUANTIZE, [act("x", (4,), 0.1, 0)], act("y", (4,), 0.1, 0))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[5\], expected \[4\]"):
        single_op_model(OpCode.DEQUANTIZE, [act("x", (4,), 0.1, 0)], act("y", (5,)))
    per_channel = Tensor("x", (2, 4), DType.INT8, Quantization([0.1, 0.2], [0, 0], axis=0))
    with pytest.raises(FormatError, match="per-tensor"):
        single_op_model(OpCode.DEQUANTIZE, [per_channel], act("y", (2, 4)))


def test_float16_weights_widen_exactly_into_a_float_op():
    """fp16-compressed weights: DEQUANTIZE widens the constant to float32 (no value changes) for a FULLY_CONNECTED."""
    w = np.array([[1.5, -0.000061035156, 65504.0], [0.1, -2.0, 3.14]], np.float16)
    tensors = [act("x", (1, 3)), const("w16", w), act("w", (2, 3)), act("y", (1, 2))]
    ops = [ir.Operator(OpCode.DEQUANTIZE, [1], [2]),
           ir.Operator(OpCode.FULLY_CONNECTED, [0, 2], [3], ir.FullyConnectedOptions())]
    model = ir.Model(tensors, ops, [0], [3])
    apply_plan(model)
    x = np.array([[1.0, 0.0, 0.0]], np.float32)
    np.testing.assert_array_equal(run_through_file(model, x), w[:, 0:1].T.astype(np.float32))
    widened = trace(from_bytes(to_bytes(model)), x)[2]
    assert widened.dtype == np.float32
    np.testing.assert_array_equal(widened, w.astype(np.float32))
