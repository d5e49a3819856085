"""ELU reference kernel: float against alpha * (exp(x) - 1), int8 (a lut) against known answers and TFLite's float32
LUT population on scalars."""
import math

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import EluOptions, OpCode
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(16, 16)


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (11,)])
@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.5])
def test_float_matches_definition(shape, alpha):
    rng = np.random.default_rng(15)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    a = float(np.float32(alpha))
    expected = np.array([v if v >= 0 else a * (math.exp(v) - 1.0) for v in x.astype(float).flat]).reshape(shape)
    model = single_op_model(OpCode.ELU, [act("x", shape)], act("y", shape), EluOptions(alpha=alpha))
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-6, atol=1e-7)


def elu_lut_spec(q: int, s_in, zp_in, s_out, zp_out, alpha) -> int:
    """TFLite's LUTPopulate for ELU on one input, with C float semantics: every operation rounded to float32,
    expm1f as the float32 rounding of the double expm1, roundf half away from zero."""
    f = np.float32
    x = f(s_in) * f(q - zp_in)
    y = f(f(alpha) * f(math.expm1(float(x)))) if x < 0 else x
    v = float(y * (f(1.0) / f(s_out)))
    rounded = math.copysign(math.floor(abs(v) + 0.5), v)
    return int(min(max(rounded + zp_out, -128), 127))


CASES = [((0.05, -3, 0.03, -20), 1.0), ((0.1, 10, 0.1, 10), 1.0), ((0.02, 0, 0.05, -128), 1.0),
         ((0.3, 100, 0.01, 0), 1.0), ((0.04, 7, 0.06, 2), 0.3), ((0.08, -20, 0.02, 60), 2.0)]


@pytest.mark.parametrize("quant,alpha", CASES)
def test_int8_matches_tflite_lut_on_scalars(quant, alpha):
    s_in, zp_in, s_out, zp_out = quant
    model = single_op_model(OpCode.ELU, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out), EluOptions(alpha=alpha))
    got = run_through_file(model, ALL_INT8)
    expected = np.vectorize(lambda q: elu_lut_spec(int(q), s_in, zp_in, s_out, zp_out, alpha))(ALL_INT8)
    np.testing.assert_array_equal(got, expected)
    # the table is the real function rounded to the output grid (float32 noise aside)
    x = s_in * (ALL_INT8.astype(float) - zp_in)
    real = np.where(x < 0, float(np.float32(alpha)) * np.expm1(np.minimum(x, 0)), x) / s_out + zp_out
    assert np.abs(got - np.clip(real, -128, 127)).max() <= 0.5 + 1e-4


def test_int8_known_answers():
    # s_in 0.5, s_out 1.0, zero points 0, alpha 1: positives are q / 2 rounded half away from zero (roundf, not
    # rint): 1 -> 0.5 -> 1, 3 -> 1.5 -> 2, 5 -> 2.5 -> 3, 127 -> 63.5 -> 64; negatives: -2 -> expm1(-1) = -0.632 -> -1,
    # -128 -> expm1(-64) = -1.0 -> -1.
    x = np.array([1, 3, 5, 127, 0, -2, -128], np.int8)
    model = single_op_model(OpCode.ELU, [act("x", (7,), 0.5, 0)], act("y", (7,), 1.0, 0), EluOptions())
    np.testing.assert_array_equal(run_through_file(model, x), [1, 2, 3, 64, 0, -1, -1])
    # s_out 0.25, zp -100: -2 -> -0.632 / 0.25 = -2.53 -> -3, -1 -> expm1(-0.5) = -0.393 / 0.25 = -1.57 -> -2,
    # 1 -> 0.5 / 0.25 = 2, 127 -> 254 -> 154 saturates at 127.
    fine = single_op_model(OpCode.ELU, [act("x", (4,), 0.5, 0)], act("y", (4,), 0.25, -100), EluOptions())
    np.testing.assert_array_equal(run_through_file(fine, np.array([-2, -1, 1, 127], np.int8)), [-103, -102, -98, 127])
    # alpha 2: -2 -> 2 * -0.632 / 0.25 = -5.06 -> -5
    double = single_op_model(OpCode.ELU, [act("x", (1,), 0.5, 0)], act("y", (1,), 0.25, 0), EluOptions(alpha=2.0))
    assert run_through_file(double, np.array([-2], np.int8)).item() == -5


def test_rejects_bad_alpha_and_shapes():
    with pytest.raises(FormatError, match="alpha nan is not finite"):
        single_op_model(OpCode.ELU, [act("x", (3,))], act("y", (3,)), EluOptions(alpha=math.nan))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[3,1\], expected \[3\]"):
        single_op_model(OpCode.ELU, [act("x", (3,))], act("y", (3, 1)), EluOptions())
    with pytest.raises(FormatError, match="activations must share one dtype"):
        single_op_model(OpCode.ELU, [act("x", (3,), 0.1, 0)], act("y", (3,)), EluOptions())


def test_int8_uses_expm1_not_exp_minus_one():
    # s_in 3e-7, s_out 2e-7, q = -85: x = -2.55e-5. expm1f(x) = -2.5499676e-05 -> -127.498 -> -127, while
    # TFLM's expf(x) - 1.0f = -2.5510788e-05 (cancellation) -> -127.554 -> -128. TFLite's LUT uses expm1f.
    model = single_op_model(OpCode.ELU, [act("x", (3,), 3e-7, 0)], act("y", (3,), 2e-7, 0), EluOptions())
    np.testing.assert_array_equal(run_through_file(model, np.array([-85, -83, -81], np.int8)), [-127, -124, -121])
