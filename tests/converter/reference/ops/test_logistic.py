"""LOGISTIC reference kernel: float against scipy's expit, int8 tables against hand-worked answers, TFLite Micro
goldens, a scalar Python-int implementation of TFLite Micro's int8 Logistic, and the float function."""
import math

import numpy as np
import pytest
from scipy.special import expit

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier
from tensorlet.errors import FormatError

OUT = (1 / 256, -128)
ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def int8_model(shape, scale, zero_point, quant_params=None):
    return single_op_model(OpCode.LOGISTIC, [act("x", shape, scale, zero_point)], act("y", shape, *OUT), None,
                           quant_params)


def logistic_spec(q: int, scale: float, zero_point: int) -> int:
    """TFLite Micro's int8 Logistic (Prepare + reference_integer_ops::Logistic) for one input, on Python ints."""
    fraction, shift = math.frexp(float(np.float32(scale)) * 2.0 ** 27)
    multiplier = int(math.floor(fraction * 2 ** 31 + 0.5))
    radius = (15 << 27) >> shift                      # floor(15 * 2^27 / 2^shift)
    d = q - zero_point
    if d <= -radius:
        return -128
    if d >= radius:
        return 127
    q4 = int(multiply_by_quantized_multiplier(d, multiplier, shift))
    q0 = int(gemmlowp.logistic(np.int64(q4), 4))
    return min(max(int(gemmlowp.saturating_rounding_multiply_by_pot(q0, -23)) - 128, -128), 127)


@pytest.mark.parametrize("shape", [(7,), (2, 3, 5)])
def test_float_matches_expit(shape):
    x = (np.random.default_rng(0).standard_normal(shape) * 8).astype(np.float32)
    x.flat[:3] = [-100.0, 0.0, 100.0]
    got = run_through_file(single_op_model(OpCode.LOGISTIC, [act("x", shape)], act("y", shape)), x)
    assert got.dtype == np.float32
    # expit(-100) = 3.7e-44 is a float32 denormal: compare with the float32 rounding of the exact value.
    np.testing.assert_allclose(got, expit(x.astype(np.float64)).astype(np.float32), rtol=1e-6, atol=0)


def test_int8_known_answers_at_unit_scale():
    # scale 1.0: real 2^27 = 0.5 * 2^28 -> multiplier 2^30, shift 28; radius floor(15 * 2^27 / 2^28) = 7.
    # d = 0 -> logistic(0) = 2^30 -> 2^30 / 2^23 = 128 -> 0 (exactly 1/2). d = +-1: 0.7311 * 256 = 187.2 -> 59,
    # 0.2689 * 256 = 68.8 -> -59. d = -6: 0.00247 * 256 = 0.63 -> -127, while d = -7 is at the radius -> -128;
    # d = 6: 255.4 -> 127 (and 7 is at the radius -> 127). TFLite Micro gives the same.
    q = np.array([[-128, -100, -50, -7, -6, -1, 0, 1, 6, 7, 50, 127]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 1.0, 0), q),
                                  [[-128, -128, -128, -128, -127, -59, 0, 59, 127, 127, 127, 127]])


def test_int8_matches_tflite_micro_goldens():
    # TFLite Micro's LOGISTIC (pip tflite-micro 0.dev20261023) on the same inputs, scale 0.05, zero point 3.
    q = np.array([[-128, -100, -50, -7, -6, -1, 0, 1, 6, 7, 50, 127]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 0.05, 3), q),
                                  [[-128, -127, -111, -31, -28, -13, -10, -6, 10, 13, 106, 127]])
    # A huge scale leaves radius 0: the kernel's first test (d <= -0) sends the zero point itself to -128.
    q = np.array([[-1, 0, 1]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model(q.shape, 100.0, 0), q), [[-128, -128, 127]])


@pytest.mark.parametrize("scale,zero_point", [(1.0, 0), (0.05, 3), (0.0039, -128), (0.2, 127), (2.0 ** -28, 0),
                                              (0.5, -20), (100.0, 5)])
def test_int8_table_matches_scalar_spec(scale, zero_point):
    model = int8_model(ALL_INT8.shape, scale, zero_point)
    expected = [logistic_spec(q, scale, zero_point) for q in range(-128, 128)]
    assert model.operators[0].quant_params.lut == expected
    np.testing.assert_array_equal(run_through_file(model, ALL_INT8)[0], expected)


@pytest.mark.parametrize("scale,zero_point", [(0.01, 0), (0.05, 3), (0.1, -30), (0.3, 100)])
def test_int8_agrees_with_float_within_one_lsb(scale, zero_point):
    got = run_through_file(int8_model(ALL_INT8.shape, scale, zero_point), ALL_INT8).astype(np.float64)
    expected = expit(np.float32(scale) * (ALL_INT8.astype(np.float64) - zero_point))
    assert np.max(np.abs((got + 128) / 256 - expected)) <= 1 / 256


def test_int8_runs_any_shape_through_the_table():
    x = np.random.default_rng(5).integers(-128, 128, (2, 3, 4)).astype(np.int8)
    table = np.array([logistic_spec(q, 0.07, -4) for q in range(-128, 128)])
    np.testing.assert_array_equal(run_through_file(int8_model(x.shape, 0.07, -4), x), table[x.astype(int) + 128])


def test_check_rejects_bad_output_quantization_and_table():
    with pytest.raises(FormatError, match="scale 1/256 and zero point -128"):
        single_op_model(OpCode.LOGISTIC, [act("x", (4,), 0.1, 0)], act("y", (4,), 1 / 256, 0))
    with pytest.raises(FormatError, match="scale 1/256 and zero point -128"):
        single_op_model(OpCode.LOGISTIC, [act("x", (4,), 0.1, 0)], act("y", (4,), 1 / 128, -128))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[5\], expected \[4\]"):
        single_op_model(OpCode.LOGISTIC, [act("x", (4,), 0.1, 0)], act("y", (5,), *OUT))
    with pytest.raises(FormatError, match="lut has 255 entries"):
        int8_model((4,), 0.1, 0, QuantParams(lut=[0] * 255))
    with pytest.raises(FormatError, match="below 2"):
        int8_model((4,), 1e-9, 0)                     # frexp shift -2: TFLite's radius shift is undefined
