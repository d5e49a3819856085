"""TANH reference kernel: float against numpy's tanh, int8 tables against hand-worked answers, TFLite Micro
goldens, a scalar Python-int implementation of TFLite Micro's int8 Tanh, and the float function."""
import math

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier
from tensorlet.errors import FormatError

OUT = (1 / 128, 0)
ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def int8_model(shape, scale, zero_point, quant_params=None):
    return single_op_model(OpCode.TANH, [act("x", shape, scale, zero_point)], act("y", shape, *OUT), None,
                           quant_params)


def tanh_spec(q: int, scale: float, zero_point: int) -> int:
    """TFLite Micro's int8 Tanh (Prepare + reference_integer_ops::Tanh) for one input, on Python ints."""
    fraction, shift = math.frexp(float(np.float32(scale)) * 2.0 ** 27)
    multiplier = int(math.floor(fraction * 2 ** 31 + 0.5))
    radius = (15 << 27) >> shift
    d = q - zero_point
    if d <= -radius:
        return -128
    if d >= radius:
        return 127
    q4 = int(multiply_by_quantized_multiplier(d, multiplier, shift))
    q0 = int(gemmlowp.tanh(np.int64(q4), 4))
    return min(max(int(gemmlowp.saturating_rounding_multiply_by_pot(q0, -24)), -128), 127)


@pytest.mark.parametrize("shape", [(7,), (2, 3, 5)])
def test_float_matches_numpy_tanh(shape):
    x = (np.random.default_rng(0).standard_normal(shape) * 3).astype(np.float32)
    x.flat[:3] = [-100.0, 0.0, 1e-30]
    got = run_through_file(single_op_model(OpCode.TANH, [act("x", shape)], act("y", shape)), x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.tanh(x.astype(np.float64)).astype(np.float32), rtol=1e-6, atol=0)


def test_int8_known_answers_at_unit_scale():
    # scale 1.0: multiplier 2^30, shift 28, radius 7 (as LOGISTIC). d = 0 -> tanh(0) = 0 -> 0 (no output offset).
    # d = +-1: tanh(1) * 128 = 97.5 -> RoundingDivideByPOT of 0.76159 * 2^31 by 24 = 97 (97.48). d = +-6:
    # +-127.99 rounds to +-128: 128 clamps to 127, -128 stays; d = +-7 is at the radius -> -128 / 127.
    q = np.array([[-128, -100, -50, -7, -6, -1, 0, 1, 6, 7, 50, 127]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 1.0, 0), q),
                                  [[-128, -128, -128, -128, -128, -97, 0, 97, 127, 127, 127, 127]])


def test_int8_matches_tflite_micro_goldens():
    # TFLite Micro's TANH (pip tflite-micro 0.dev20261023) on the same inputs, scale 0.05, zero point 3.
    q = np.array([[-128, -100, -50, -7, -6, -1, 0, 1, 6, 7, 50, 127]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 0.05, 3), q),
                                  [[-128, -128, -127, -59, -54, -25, -19, -13, 19, 25, 126, 127]])
    # Radius 0 at a huge scale: the zero point itself goes to -128, as in TFLite Micro.
    q = np.array([[-1, 0, 1]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 100.0, 0), q), [[-128, -128, 127]])


@pytest.mark.parametrize("scale,zero_point", [(1.0, 0), (0.05, 3), (0.0039, -128), (0.2, 127), (2.0 ** -28, 0),
                                              (0.5, -20), (100.0, 5)])
def test_int8_table_matches_scalar_spec(scale, zero_point):
    model = int8_model(ALL_INT8.shape, scale, zero_point)
    expected = [tanh_spec(q, scale, zero_point) for q in range(-128, 128)]
    assert model.operators[0].quant_params.lut == expected
    np.testing.assert_array_equal(run_through_file(model, ALL_INT8)[0], expected)


@pytest.mark.parametrize("scale,zero_point", [(0.01, 0), (0.05, 3), (0.1, -30), (0.3, 100)])
def test_int8_agrees_with_float_within_one_lsb(scale, zero_point):
    got = run_through_file(int8_model(ALL_INT8.shape, scale, zero_point), ALL_INT8).astype(np.float64)
    expected = np.tanh(np.float32(scale) * (ALL_INT8.astype(np.float64) - zero_point))
    # 1.0 is not representable (127/128 is the top): that clamp is the one place the error reaches 1 LSB.
    assert np.max(np.abs(got / 128 - expected)) <= 1 / 128


def test_int8_is_odd_around_the_zero_point():
    got = run_through_file(int8_model(ALL_INT8.shape, 0.03, 0), ALL_INT8)[0].astype(int)
    d = np.arange(-127, 128)
    # tanh(-x) = -tanh(x) bit for bit, except that the negative side saturates at -128 where the positive one
    # clamps at 127.
    symmetric = np.maximum(got, -127)
    np.testing.assert_array_equal(symmetric[d + 128], -symmetric[-d + 128])
    assert got[0] == -128 and got[255] == 127


def test_check_rejects_bad_output_quantization_and_table():
    with pytest.raises(FormatError, match="scale 1/128 and zero point 0"):
        single_op_model(OpCode.TANH, [act("x", (4,), 0.1, 0)], act("y", (4,), 1 / 256, 0))
    with pytest.raises(FormatError, match="scale 1/128 and zero point 0"):
        single_op_model(OpCode.TANH, [act("x", (4,), 0.1, 0)], act("y", (4,), 1 / 128, 1))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[5\], expected \[4\]"):
        single_op_model(OpCode.TANH, [act("x", (4,), 0.1, 0)], act("y", (5,), *OUT))
    with pytest.raises(FormatError, match="lut holds values outside int8"):
        int8_model((4,), 0.1, 0, QuantParams(lut=[200] * 256))
    with pytest.raises(FormatError, match="below 2"):
        int8_model((4,), 1e-9, 0)
