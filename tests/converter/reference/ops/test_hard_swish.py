"""HARD_SWISH reference kernel: float against the piecewise definition, int8 (a lut) against hand-worked answers
and TFLite's int16 fixed-point reference kernel written on Python ints."""
import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import BinaryOptions, OpCode
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(4, 4, 16)


def hard_swish(v: float) -> float:
    """0 below -3, v above 3, v * (v + 3) / 6 between."""
    return 0.0 if v <= -3 else v if v >= 3 else v * (v + 3) / 6


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (17,)])
def test_float_matches_definition(shape):
    rng = np.random.default_rng(17)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x.flat[:3] = [-3.0, 3.0, 0.0]
    expected = np.array([hard_swish(float(v)) for v in x.flat]).reshape(shape)
    model = single_op_model(OpCode.HARD_SWISH, [act("x", shape)], act("y", shape))
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-6, atol=1e-7)


# --- TFLite's reference int8 HardSwish on Python ints, written from reference/hard_swish.h and gemmlowp ---

def c_div_2_15(n: int) -> int:
    """C's n / 32768 (truncation toward zero)."""
    return n // 32768 if n >= 0 else -((-n) // 32768)


def srdhm16(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul<int16>: (a * b + nudge) / 2^15, nudge 2^14 or 1 - 2^14."""
    if a == b == -32768:
        return 32767
    product = a * b
    return c_div_2_15(product + (1 << 14 if product >= 0 else 1 - (1 << 14)))


def sdhm16(a: int, b: int) -> int:
    """TFLite's SaturatingDoublingHighMul: a * b / 2^15 truncated."""
    return 32767 if a == b == -32768 else c_div_2_15(a * b)


def saturating_left_shift16(v: int, amount: int) -> int:
    return min(max(v * (1 << amount), -32768), 32767)


def to_int16(v: int) -> int:
    return (v + 32768) % 65536 - 32768


def rdbpot16(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT<int16>: mask = int16(2^exponent - 1), threshold = (mask >> 1) + (x < 0)."""
    mask = to_int16((1 << exponent) - 1)
    remainder = to_int16(x & mask)
    threshold = to_int16((mask >> 1) + (1 if x < 0 else 0))
    return to_int16((x >> exponent) + (1 if remainder > threshold else 0))


def q15(multiplier: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    return 32767 if multiplier >= (1 << 31) - 1 - (1 << 15) else (multiplier + (1 << 15)) >> 16


def hard_swish_spec(q: int, s_in, zp_in, s_out, zp_out) -> int:
    f = np.float32
    hires_scale = f(f(1.0 / 128.0) * f(s_in))
    out_m, out_e = quantize_multiplier(float(hires_scale / f(s_out)))
    rel_m, rel_e = quantize_multiplier(float(hires_scale / f(3.0 / 32768.0)))
    out_m, rel_m = q15(out_m), q15(rel_m)
    hires = (q - zp_in) * 128
    preshift_output = srdhm16(hires, out_m)
    reluish = hires
    if rel_e > 0:
        reluish = saturating_left_shift16(reluish, rel_e - 1)
    reluish = srdhm16(reluish, rel_m)
    if rel_e > 0:
        reluish = saturating_left_shift16(reluish, 1)
    if rel_e < 0:
        reluish = rdbpot16(reluish, -rel_e)
    reluish = (reluish + 32768) >> 1
    out = to_int16(rdbpot16(sdhm16(reluish, preshift_output), -out_e) + zp_out)
    return min(max(out, -128), 127)


# reluish exponents: s_in 0.05 -> 4.27 (exponent 3), 0.008 -> 0.68 (0), 0.001 -> 0.085 (-3), 0.3 -> 25.6 (5)
QUANTS = [(0.05, -3, 0.03, -20), (0.008, 10, 0.005, 10), (0.001, 0, 0.0005, -128), (0.3, 100, 0.01, 0),
          (0.04, 7, 0.06, 2), (1 / 32, 0, 1 / 32, 0), (0.1, -128, 0.05, -100)]


@pytest.mark.parametrize("s_in,zp_in,s_out,zp_out", QUANTS)
def test_int8_matches_tflite_kernel_on_ints(s_in, zp_in, s_out, zp_out):
    model = single_op_model(OpCode.HARD_SWISH, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out))
    got = run_through_file(model, ALL_INT8)
    expected = np.vectorize(lambda q: hard_swish_spec(int(q), s_in, zp_in, s_out, zp_out))(ALL_INT8)
    np.testing.assert_array_equal(got, expected)
    # TFLite's fixed point lands within one output step of the real function
    real = np.vectorize(hard_swish)(s_in * (ALL_INT8.astype(float) - zp_in)) / s_out + zp_out
    assert np.abs(got - np.clip(real, -128, 127)).max() <= 1.0


def test_int8_known_answers():
    # s_in = s_out = 1/32, zero points 0. Prepare: hires scale 2^-12; output multiplier 2^-12 / 2^-5 = 2^-7
    # -> (2^30, exponent -6) -> Q15 16384; reluish multiplier 2^-12 / (3 * 2^-15) = 8/3 -> exponent 2, Q15 21845.
    # q = 32 (x = 1): hires 4096; pre_out = (4096 * 16384 + 2^14) / 2^15 = 2048.5 -> 2048 (truncated);
    #   reluish: 4096 << 1 = 8192; (8192 * 21845 + 2^14) / 2^15 = 5461.8 -> 5461; << 1 = 10922 (x / 3 in Q15);
    #   (10922 + 32768) >> 1 = 21845; 21845 * 2048 / 2^15 = 1365.3 -> 1365; RDBPOT(1365, 6) = 21.3 -> 21
    #   (real: 2/3 / (1/32) = 21.3).
    # q = -32 (x = -1): pre_out = (-2^26 + 1 - 2^14) / 2^15 -> -2048; reluish -8192 -> -5461 -> -10922 -> 10923;
    #   10923 * -2048 / 2^15 = -682.7 -> -682; RDBPOT(-682, 6) = -10.66 -> -11 (real -1/3 * 32 = -10.7).
    # q = 127 (x = 3.97): reluish saturates: 32512 -> 21674 -> 43348 -> 32767 -> 32767; pre_out 8128;
    #   32767 * 8128 / 2^15 = 8127.75 -> 8127; RDBPOT(8127, 6) = 126.98 -> 127.
    # q = -128 (x = -4): reluish -32768 -> -21845 -> -43690 -> -32768 -> 0, so the output is 0.
    x = np.array([32, -32, 127, -128, 0], np.int8)
    model = single_op_model(OpCode.HARD_SWISH, [act("x", (5,), 1 / 32, 0)], act("y", (5,), 1 / 32, 0))
    np.testing.assert_array_equal(run_through_file(model, x), [21, -11, 127, 0, 0])


def test_int8_reproduces_tflite_int16_rounding_quirk():
    # s_out = 1000 * s_in: output multiplier 1e-3 / 128 = 7.8e-6 -> exponent -16. gemmlowp's RoundingDivideByPOT
    # on int16 truncates its mask 2^16 - 1 to -1 and returns +1 for x >= 0 and -1 below, so TFLite outputs
    # zp + 1 even for x = 0 (the true value rounds to zp). Reproduced on purpose: the lut is TFLite's kernel.
    model = single_op_model(OpCode.HARD_SWISH, [act("x", ALL_INT8.shape, 0.001, 0)],
                            act("y", ALL_INT8.shape, 1.0, 5))
    got = run_through_file(model, ALL_INT8)
    assert got[ALL_INT8 == 0].item() == 6
    assert set(np.unique(got)) <= {4, 6}


def test_rejects_output_scale_below_tflite_range_and_bad_shapes():
    # output multiplier (1.0 / 128) / 0.005 = 1.56 has exponent 1 > 0, which HardSwishPrepare refuses
    with pytest.raises(FormatError, match="HARD_SWISH output multiplier 1.5625 is >= 1"):
        single_op_model(OpCode.HARD_SWISH, [act("x", (4,), 1.0, 0)], act("y", (4,), 0.005, 0))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[5\], expected \[4\]"):
        single_op_model(OpCode.HARD_SWISH, [act("x", (4,))], act("y", (5,)))
    with pytest.raises(FormatError, match="has options BinaryOptions, expected none"):
        single_op_model(OpCode.HARD_SWISH, [act("x", (4,))], act("y", (4,)), BinaryOptions())
