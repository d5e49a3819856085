"""RELU6 reference kernel: float against min(max(x, 0), 6), int8 (a lut) against known answers and TFLite's ReluX."""
import numpy as np
import pytest

from support import act, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(4, 64)


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (9,)])
def test_float_matches_definition(shape):
    rng = np.random.default_rng(13)
    x = (rng.standard_normal(shape) * 5).astype(np.float32)
    x.flat[0], x.flat[1] = 6.0, 0.0
    model = single_op_model(OpCode.RELU6, [act("x", shape)], act("y", shape))
    expected = np.array([min(max(float(v), 0.0), 6.0) for v in x.flat], np.float32).reshape(shape)
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def round_half_away(v: float) -> int:
    return int(np.sign(v) * np.floor(abs(v) + 0.5))


def relu6_spec(q: int, s_in, zp_in, s_out, zp_out) -> int:
    """TFLite's int8 ReluX(0, 6) on Python ints: clamp to [max(-128, zp), min(127, zp + roundf(6.0f / s_out))]."""
    multiplier, shift = quantize_multiplier(float(np.float32(s_in)) / float(np.float32(s_out)))
    high = min(127, zp_out + round_half_away(float(np.float32(6.0) / np.float32(s_out))))
    return min(max(zp_out + mbqm_scalar(q - zp_in, multiplier, shift), max(-128, zp_out)), high)


QUANTS = [(0.05, -3, 0.03, -128), (0.1, 10, 0.1, 10), (0.02, 0, 6 / 255, -128), (0.3, 100, 0.01, 0),
          (0.01, -128, 0.7, 5), (0.08, 0, 0.048, 0)]   # the last: 6 / 0.048 = 125 exactly before float rounding


@pytest.mark.parametrize("s_in,zp_in,s_out,zp_out", QUANTS)
def test_int8_matches_relu_x_on_ints(s_in, zp_in, s_out, zp_out):
    model = single_op_model(OpCode.RELU6, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out))
    expected = [[relu6_spec(int(q), s_in, zp_in, s_out, zp_out) for q in row] for row in ALL_INT8]
    np.testing.assert_array_equal(run_through_file(model, ALL_INT8), expected)


def test_int8_known_answers():
    # s_in 0.5 (zp 0), s_out 0.25 (zp -100): real 2.0 -> (2^30, 2), out = -100 + 2q exactly;
    # the clamp is [-100, -100 + round(6 / 0.25) = -76]: q = 5 -> -90, q = 12 -> -76, q = 13 -> -74 -> -76.
    x = np.array([-3, 0, 5, 12, 13, 127], np.int8)
    model = single_op_model(OpCode.RELU6, [act("x", (6,), 0.5, 0)], act("y", (6,), 0.25, -100))
    np.testing.assert_array_equal(run_through_file(model, x), [-100, -100, -90, -76, -76, -76])
    # s_out 0.5, zp 0: the upper clamp 6 / 0.5 = 12 with real 1.0: out = min(max(q, 0), 12)
    unit = single_op_model(OpCode.RELU6, [act("x", ALL_INT8.shape, 0.5, 0)], act("y", ALL_INT8.shape, 0.5, 0))
    np.testing.assert_array_equal(run_through_file(unit, ALL_INT8), np.clip(ALL_INT8, 0, 12))
    # s_out 0.1, zp 90: roundf(6 / 0.1) = 60, so the upper clamp min(127, 150) = 127
    wide = single_op_model(OpCode.RELU6, [act("x", (6,), 0.1, 0)], act("y", (6,), 0.1, 90))
    np.testing.assert_array_equal(run_through_file(wide, x), [90, 90, 95, 102, 103, 127])


def test_rejects_bad_shapes_and_tables():
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,6\], expected \[6\]"):
        single_op_model(OpCode.RELU6, [act("x", (6,))], act("y", (1, 6)))
    with pytest.raises(FormatError, match="quant_params.lut has 0 entries, expected 256"):
        single_op_model(OpCode.RELU6, [act("x", (3,), 0.1, 0)], act("y", (3,), 0.1, 0), None, QuantParams())
