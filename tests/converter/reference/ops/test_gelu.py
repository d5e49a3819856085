"""GELU reference kernel: float against scipy's erf and the tanh formula, int8 (a lut) against known answers and
TFLite's float32 LUT population on scalars."""
import math

import numpy as np
import pytest
from scipy.special import erf

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import GeluOptions, OpCode
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def gelu_erf(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return np.array([0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v ** 3)))
                     for v in np.ravel(x)]).reshape(np.shape(x))


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (13,)])
@pytest.mark.parametrize("approximate", [False, True])
def test_float_matches_definition(shape, approximate):
    rng = np.random.default_rng(16)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    expected = (gelu_tanh if approximate else gelu_erf)(x.astype(np.float64))
    model = single_op_model(OpCode.GELU, [act("x", shape)], act("y", shape), GeluOptions(approximate=approximate))
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-6, atol=1e-7)


def test_float_erf_and_tanh_forms_differ():
    x = np.array([-1.26, 1.0], np.float32)
    exact = single_op_model(OpCode.GELU, [act("x", (2,))], act("y", (2,)), GeluOptions())
    tanh = single_op_model(OpCode.GELU, [act("x", (2,))], act("y", (2,)), GeluOptions(approximate=True))
    assert np.all(np.abs(run_through_file(exact, x) - run_through_file(tanh, x)) > 1e-4)


def gelu_lut_spec(q: int, s_in, zp_in, s_out, zp_out, approximate: bool) -> int:
    """TFLite's LUTPopulate with GeluTransform / GeluTransformApproximate on one input, with C float semantics:
    every operation rounded to float32, erfcf / tanhf as float32 roundings of the double functions, roundf."""
    f = np.float32
    x = f(s_in) * f(q - zp_in)
    if approximate:
        inner = f(f(1.12837916709551257390 * 0.70710678118654752440) * f(x + f(f(f(f(0.044715) * x) * x) * x)))
        y = f(f(0.5) * x) * f(f(1.0) + f(math.tanh(float(inner))))
    else:
        y = f(f(0.5) * x) * f(math.erfc(float(f(x * f(-0.70710678118654752440)))))
    v = float(y * (f(1.0) / f(s_out)))
    rounded = math.copysign(math.floor(abs(v) + 0.5), v)
    return int(min(max(rounded + zp_out, -128), 127))


QUANTS = [(0.05, -3, 0.03, -20), (0.1, 10, 0.1, 10), (0.03, -10, 0.005, -100), (0.02, 0, 0.002, -60),
          (0.3, 100, 0.01, 0), (0.04, 7, 0.06, 2)]


@pytest.mark.parametrize("s_in,zp_in,s_out,zp_out", QUANTS)
@pytest.mark.parametrize("approximate", [False, True])
def test_int8_matches_tflite_lut_on_scalars(s_in, zp_in, s_out, zp_out, approximate):
    model = single_op_model(OpCode.GELU, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out), GeluOptions(approximate=approximate))
    got = run_through_file(model, ALL_INT8)
    expected = np.vectorize(lambda q: gelu_lut_spec(int(q), s_in, zp_in, s_out, zp_out, approximate))(ALL_INT8)
    np.testing.assert_array_equal(got, expected)
    x = s_in * (ALL_INT8.astype(float) - zp_in)
    real = (gelu_tanh(x) if approximate else gelu_erf(x)) / s_out + zp_out
    assert np.abs(got - np.clip(real, -128, 127)).max() <= 0.5 + 1e-4


def test_int8_known_answers():
    # s_in 0.5, s_out 0.01, zero points 0: gelu(x) / 0.01 rounded half away from zero, clamped:
    # x = -3 -> -0.00405 -> -0.40 -> 0; -2 -> -0.0455 -> -4.55 -> -5; -1 -> -0.15866 -> -15.87 -> -16;
    # -0.5 -> -0.15427 -> -15.43 -> -15; 0.5 -> 0.34573 -> 34.57 -> 35; 1 -> 0.84134 -> 84.13 -> 84; 1.5 -> 140 -> 127
    x = np.array([-6, -4, -2, -1, 0, 1, 2, 3], np.int8)
    model = single_op_model(OpCode.GELU, [act("x", (8,), 0.5, 0)], act("y", (8,), 0.01, 0), GeluOptions())
    np.testing.assert_array_equal(run_through_file(model, x), [0, -5, -16, -15, 0, 35, 84, 127])
    # the two forms split at x = -1.26 (q = -63 on s_in 0.02) with s_out 0.002, zp -60:
    # erf: -0.130832 / 0.002 = -65.42 -> -65 -> -125; tanh: -0.131057 / 0.002 = -65.53 -> -66 -> -126
    q = np.array([-63], np.int8)
    exact = single_op_model(OpCode.GELU, [act("x", (1,), 0.02, 0)], act("y", (1,), 0.002, -60), GeluOptions())
    tanh = single_op_model(OpCode.GELU, [act("x", (1,), 0.02, 0)], act("y", (1,), 0.002, -60),
                           GeluOptions(approximate=True))
    assert run_through_file(exact, q).item() == -125
    assert run_through_file(tanh, q).item() == -126


def test_rejects_bad_shapes():
    with pytest.raises(FormatError, match=r"output 'y' has shape \[2,2\], expected \[4\]"):
        single_op_model(OpCode.GELU, [act("x", (4,))], act("y", (2, 2)), GeluOptions())
    with pytest.raises(FormatError, match="has options none, expected GeluOptions"):
        single_op_model(OpCode.GELU, [act("x", (4,))], act("y", (4,)))
    with pytest.raises(FormatError, match="needs per-tensor quantization"):
        x = act("x", (4,), 0.1, 0)
        x.quantization.scale, x.quantization.zero_point, x.quantization.axis = [0.1] * 4, [0] * 4, 0
        single_op_model(OpCode.GELU, [x], act("y", (4,), 0.1, 0), GeluOptions())


def test_int8_uses_tflite_erfc_form():
    # s_in 0.045, s_out 3e-7, q = -123: x = -5.535. TFLite's (0.5f * x) * erfcf(x * -M_SQRT1_2) = -8.61e-8
    # -> -0.29 -> 0; TFLM's 0.5f * x * (1.f + erff(...)) cancels to -1.65e-7 -> -0.55 -> -1.
    model = single_op_model(OpCode.GELU, [act("x", (2,), 0.045, 0)], act("y", (2,), 3e-7, 0), GeluOptions())
    np.testing.assert_array_equal(run_through_file(model, np.array([-123, -114], np.int8)), [0, -2])
