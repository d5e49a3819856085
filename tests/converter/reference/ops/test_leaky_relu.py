"""LEAKY_RELU reference kernel: float against the definition, int8 (a lut) against known answers and TFLite's
QuantizeLeakyRelu on ints."""
import math

import numpy as np
import pytest

from support import act, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import LeakyReluOptions, OpCode
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(2, 8, 16)


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (7,)])
@pytest.mark.parametrize("alpha", [0.01, 0.2, 1.5, -0.5, 0.0])
def test_float_matches_definition(shape, alpha):
    rng = np.random.default_rng(14)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    model = single_op_model(OpCode.LEAKY_RELU, [act("x", shape)], act("y", shape), LeakyReluOptions(alpha=alpha))
    a = float(np.float32(alpha))          # alpha is stored as a float32
    expected = np.array([v if v > 0 else np.float32(a * float(v)) for v in x.flat], np.float32).reshape(shape)
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def leaky_spec(q: int, s_in, zp_in, s_out, zp_out, alpha) -> int:
    """TFLite's QuantizeLeakyRelu on Python ints, multipliers formed in float32 as LeakyReluPrepare does."""
    f = np.float32
    identity = quantize_multiplier(float(f(s_in) / f(s_out)))
    negative = quantize_multiplier(float(f(f(s_in) * f(alpha)) / f(s_out)))
    d = q - zp_in
    scaled = mbqm_scalar(d, *identity) if d >= 0 else mbqm_scalar(d, *negative)
    return min(max(zp_out + scaled, -128), 127)


CASES = [((0.05, -3, 0.03, -20), 0.01), ((0.1, 10, 0.1, 10), 0.2), ((0.02, 0, 0.05, -128), 0.3),
         ((0.3, 100, 0.01, 0), 0.1), ((0.04, 7, 0.06, 2), 1.7), ((0.04, 7, 0.06, 2), -0.4), ((0.04, 0, 0.04, 0), 0.0)]


@pytest.mark.parametrize("quant,alpha", CASES)
def test_int8_matches_quantize_leaky_relu_on_ints(quant, alpha):
    s_in, zp_in, s_out, zp_out = quant
    model = single_op_model(OpCode.LEAKY_RELU, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out), LeakyReluOptions(alpha=alpha))
    expected = np.vectorize(lambda q: leaky_spec(int(q), s_in, zp_in, s_out, zp_out, alpha))(ALL_INT8)
    np.testing.assert_array_equal(run_through_file(model, ALL_INT8), expected)
    # and the table is the float function to within TFLite's requantization rounding (at most one step)
    real = np.where(ALL_INT8 >= zp_in, 1.0, float(np.float32(alpha))) * s_in * (ALL_INT8.astype(float) - zp_in)
    assert np.abs(run_through_file(model, ALL_INT8) - np.clip(real / s_out + zp_out, -128, 127)).max() <= 1.0


def test_int8_known_answers():
    # s_in 0.5, s_out 0.25, zero points 0, alpha 0.25: identity 2.0 -> (2^30, 2), exact; alpha multiplier
    # 0.5 * 0.25 / 0.25 = 0.5 -> (2^30, 0), i.e. SRDHM(d, 2^30) = d / 2 with negative ties toward zero:
    # -3 -> -1.5 -> -1, -5 -> -2.5 -> -2, -128 -> -64; 3 -> 6, 64 -> 128 saturates at 127.
    x = np.array([3, 64, 0, -3, -5, -128], np.int8)
    model = single_op_model(OpCode.LEAKY_RELU, [act("x", (6,), 0.5, 0)], act("y", (6,), 0.25, 0),
                            LeakyReluOptions(alpha=0.25))
    np.testing.assert_array_equal(run_through_file(model, x), [6, 127, 0, -1, -2, -64])
    # a zero point of 10 on the input: d = q - 10 decides the branch, so q = 5 (d = -5) is on the alpha side
    shifted = single_op_model(OpCode.LEAKY_RELU, [act("x", (6,), 0.5, 10)], act("y", (6,), 0.25, 0),
                              LeakyReluOptions(alpha=0.25))
    np.testing.assert_array_equal(run_through_file(shifted, np.array([12, 10, 5, 7, -118, 127], np.int8)),
                                  [4, 0, -2, -1, -64, 127])


def test_rejects_bad_alpha_and_shapes():
    with pytest.raises(FormatError, match="alpha inf is not finite"):
        single_op_model(OpCode.LEAKY_RELU, [act("x", (3,))], act("y", (3,)), LeakyReluOptions(alpha=math.inf))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[4\], expected \[3\]"):
        single_op_model(OpCode.LEAKY_RELU, [act("x", (3,))], act("y", (4,)), LeakyReluOptions())
    with pytest.raises(FormatError, match="has options none, expected LeakyReluOptions"):
        single_op_model(OpCode.LEAKY_RELU, [act("x", (3,))], act("y", (3,)))


def test_int8_multipliers_are_formed_in_float32():
    # s_in 0.003, s_out 0.001, alpha 0.3: the alpha multiplier formed in float32 arithmetic is 0.89999998, so
    # -5 -> -4.4999999 -> -4 (-15 -> -13, -25 -> -22); formed in double from the same float32 values it would be
    # 0.9000000008 and give -4.500000004 -> -5. TFLite and TFLM both form it in float.
    model = single_op_model(OpCode.LEAKY_RELU, [act("x", (3,), 0.003, 0)], act("y", (3,), 0.001, 0),
                            LeakyReluOptions(alpha=0.3))
    np.testing.assert_array_equal(run_through_file(model, np.array([-5, -15, -25], np.int8)), [-4, -13, -22])
