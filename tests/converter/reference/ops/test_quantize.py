"""QUANTIZE reference kernel: float -> int8 against TFLite Micro's AffineQuantize (float32 division, rounding half
away from zero), int8 -> int8 against its Requantize on Python ints, with known answers from TFLite Micro."""
import math

import numpy as np
import pytest

from support import act, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import DType, OpCode, Quantization, QuantParams, Tensor
from tensorlet.errors import FormatError


def float_model(shape, scale, zero_point):
    return single_op_model(OpCode.QUANTIZE, [act("x", shape)], act("y", shape, scale, zero_point))


def requant_model(shape, in_q, out_q, quant_params=None):
    return single_op_model(OpCode.QUANTIZE, [act("x", shape, *in_q)], act("y", shape, *out_q), None, quant_params)


def affine_quantize_spec(x: float, scale: float, zero_point: int) -> int:
    """round(float32(x) / float32(scale)) in float32, half away from zero, + zero point, clamped (Python ints)."""
    quotient = float(np.float32(x) / np.float32(scale))
    rounded = int(math.copysign(math.floor(abs(quotient) + 0.5), quotient))
    return min(max(rounded + zero_point, -128), 127)


def test_float_known_answers_half_away_from_zero():
    # scale 0.5: 0.25 / 0.5 = 0.5 -> 1 and -0.5 -> -1 (not to even), 0.75 -> 1.5 -> 2, 1e6 saturates.
    x = np.array([0.25, -0.25, 0.75, -0.75, 1.25, 0.0, 1e6, -1e6], np.float32)
    np.testing.assert_array_equal(run_through_file(float_model(x.shape, 0.5, 0), x), [1, -1, 2, -2, 3, 0, 127, -128])
    np.testing.assert_array_equal(run_through_file(float_model(x.shape, 0.5, -10), x),
                                  [-9, -11, -8, -12, -7, -10, 127, -128])


def test_float_division_is_float32_as_tflite_micro():
    # 0.25f / 0.1f is exactly 2.5 in float32 (-> 3), but 2.49999996 in double (-> 2); 0.75f / 0.1f likewise gives
    # 7.5 -> 8 (double: 7.4999999). TFLite Micro outputs [3, -3, 8, 4] for [0.25, -0.25, 0.75, 0.35].
    x = np.array([0.25, -0.25, 0.75, 0.35], np.float32)
    assert float(x[0]) / float(np.float32(0.1)) < 2.5
    np.testing.assert_array_equal(run_through_file(float_model(x.shape, 0.1, 0), x), [3, -3, 8, 4])


@pytest.mark.parametrize("scale,zero_point", [(0.02, -3), (0.1, 0), (0.0078125, 127), (3.7, -128)])
def test_float_matches_scalar_spec(scale, zero_point):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(200) * 60 * scale).astype(np.float32)
    x[:20] = ((np.arange(20) - 10 + 0.5) * np.float32(scale)).astype(np.float32)   # near the .5 ties
    expected = [affine_quantize_spec(v, scale, zero_point) for v in x]
    np.testing.assert_array_equal(run_through_file(float_model(x.shape, scale, zero_point), x), expected)


def test_float_non_finite_inputs_saturate():
    # C leaves an out-of-range float->int conversion undefined; the reference follows ARM's conversion: +-inf and
    # huge values saturate, NaN converts to 0 (then the zero point is added).
    x = np.array([np.inf, -np.inf, 3e38, np.nan], np.float32)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(run_through_file(float_model(x.shape, 0.1, 7), x), [127, -128, 127, 7])


def test_requantize_known_answers():
    # in 0.5 (zp 1) -> out 0.25 (zp -3): real multiplier 2 = (2^30, 2); q = 11 -> (11 - 1) * 2 - 3 = 17.
    model = requant_model((4,), (0.5, 1), (0.25, -3))
    params = model.operators[0].quant_params
    assert (params.output_multiplier, params.output_shift) == ([1 << 30], [2])
    np.testing.assert_array_equal(run_through_file(model, np.array([11, 1, 70, -128], np.int8)), [17, -3, 127, -128])
    # in 0.1 -> out 0.4: multiplier 0.25 = (2^30, -1); +-2 * 0.25 = +-0.5 rounds away from zero (SRDHM gives +-1,
    # then RoundingDivideByPOT(+-1, 1) -> +-1); TFLite Micro gives [-32, -1, 0, 1, 1, 1, 32].
    q = np.array([-128, -2, -1, 1, 2, 3, 127], np.int8)
    np.testing.assert_array_equal(run_through_file(requant_model(q.shape, (0.1, 0), (0.4, 0)), q),
                                  [-32, -1, 0, 1, 1, 1, 32])


@pytest.mark.parametrize("in_q,out_q", [((0.1, 0), (0.4, 0)), ((0.05, -7), (0.03, 12)), ((1.0, 127), (0.01, -128)),
                                        ((0.02, 5), (0.02, -5))])
def test_requantize_matches_scalar_spec(in_q, out_q):
    q = np.arange(-128, 128, dtype=np.int8)
    model = requant_model(q.shape, in_q, out_q)
    params = model.operators[0].quant_params
    expected = [min(max(mbqm_scalar(int(v) - in_q[1], params.output_multiplier[0], params.output_shift[0])
                        + out_q[1], -128), 127) for v in q]
    np.testing.assert_array_equal(run_through_file(model, q), expected)
    real = float(np.float32(in_q[0])) / float(np.float32(out_q[0]))
    assert abs(params.output_multiplier[0] * 2.0 ** (params.output_shift[0] - 31) - real) <= real * 2 ** -30


def test_requantize_agrees_with_float_within_one_lsb():
    q = np.arange(-128, 128, dtype=np.int8)
    got = run_through_file(requant_model(q.shape, (0.05, -7), (0.03, 12)), q).astype(np.float64)
    real = np.float32(0.05) * (q.astype(np.float64) + 7) / np.float32(0.03) + 12
    inside = (real > -128.5) & (real < 127.5)
    assert np.max(np.abs(got - real)[inside]) <= 0.5 + 1e-6
    assert (got[~inside] == np.clip(np.round(real[~inside]), -128, 127)).all()


def test_check_rejects_bad_dtypes_shapes_and_params():
    with pytest.raises(FormatError, match="it produces INT8"):
        single_op_model(OpCode.QUANTIZE, [act("x", (4,))], act("y", (4,)))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[5\], expected \[4\]"):
        single_op_model(OpCode.QUANTIZE, [act("x", (4,))], act("y", (5,), 0.1, 0))
    per_channel = Tensor("y", (2, 4), DType.INT8, Quantization([0.1, 0.2], [0, 0], axis=0))
    with pytest.raises(FormatError, match="per-tensor"):
        single_op_model(OpCode.QUANTIZE, [act("x", (2, 4))], per_channel)
    int32_input = Tensor("x", (4,), DType.INT32)
    with pytest.raises(FormatError, match="FLOAT32 or INT8"):
        single_op_model(OpCode.QUANTIZE, [int32_input], act("y", (4,), 0.1, 0))
    with pytest.raises(FormatError, match="output_multiplier has 0 entries"):
        requant_model((4,), (0.1, 0), (0.2, 0), QuantParams())
