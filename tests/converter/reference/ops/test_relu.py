"""RELU reference kernel: float against max(x, 0), int8 (a lut) against known answers and TFLite's ReluX on ints."""
import numpy as np
import pytest

from support import act, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.converter.validate import validate
from tensorlet.errors import FormatError

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(2, 128)


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (2, 5), (7,)])
def test_float_matches_definition(shape):
    rng = np.random.default_rng(12)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x.flat[0] = 0.0
    model = single_op_model(OpCode.RELU, [act("x", shape)], act("y", shape))
    np.testing.assert_array_equal(run_through_file(model, x), np.where(x > 0, x, np.float32(0)))


def relu_spec(q: int, s_in, zp_in, s_out, zp_out) -> int:
    """TFLite's int8 ReluX on Python ints: zp_out + MBQM(q - zp_in, s_in / s_out), clamped to [max(-128, zp), 127]."""
    multiplier, shift = quantize_multiplier(float(np.float32(s_in)) / float(np.float32(s_out)))
    return min(max(zp_out + mbqm_scalar(q - zp_in, multiplier, shift), max(-128, zp_out)), 127)


QUANTS = [(0.05, -3, 0.03, -20), (0.1, 10, 0.1, 10), (0.02, 0, 0.05, -128), (0.3, 100, 0.01, 0), (0.01, -128, 0.7, 5)]


@pytest.mark.parametrize("s_in,zp_in,s_out,zp_out", QUANTS)
def test_int8_matches_relu_x_on_ints(s_in, zp_in, s_out, zp_out):
    model = single_op_model(OpCode.RELU, [act("x", ALL_INT8.shape, s_in, zp_in)],
                            act("y", ALL_INT8.shape, s_out, zp_out))
    expected = [[relu_spec(int(q), s_in, zp_in, s_out, zp_out) for q in row] for row in ALL_INT8]
    np.testing.assert_array_equal(run_through_file(model, ALL_INT8), expected)


def test_int8_known_answers():
    # s_in 0.5 (zp 0), s_out 1.0 (zp -10): real 0.5 -> (2^30, 0), out = -10 + SRDHM(q, 2^30) = -10 + q / 2 with
    # positive ties up (3 -> 1.5 -> 2, 1 -> 0.5 -> 1); negatives clamp at the zero point -10.
    x = np.array([3, 1, 0, -5, 127], np.int8)
    model = single_op_model(OpCode.RELU, [act("x", (5,), 0.5, 0)], act("y", (5,), 1.0, -10))
    np.testing.assert_array_equal(run_through_file(model, x), [-8, -9, -10, -10, 54])
    # zero point 100: 127 -> 64 + 100 saturates at 127
    high = single_op_model(OpCode.RELU, [act("x", (5,), 0.5, 0)], act("y", (5,), 1.0, 100))
    np.testing.assert_array_equal(run_through_file(high, x), [102, 101, 100, 100, 127])
    # the same quantization in and out: real 1.0 -> (2^30, 1), exact, so out = max(q, zp)
    same = single_op_model(OpCode.RELU, [act("x", ALL_INT8.shape, 0.07, 9)], act("y", ALL_INT8.shape, 0.07, 9))
    np.testing.assert_array_equal(run_through_file(same, ALL_INT8), np.maximum(ALL_INT8, 9))


def test_rejects_bad_shapes_and_tables():
    with pytest.raises(FormatError, match=r"output 'y' has shape \[3,2\], expected \[2,3\]"):
        single_op_model(OpCode.RELU, [act("x", (2, 3))], act("y", (3, 2)))
    with pytest.raises(FormatError, match="activations must share one dtype"):
        single_op_model(OpCode.RELU, [act("x", (2, 3))], act("y", (2, 3), 0.1, 0))
    with pytest.raises(FormatError, match="quant_params.lut has 255 entries, expected 256"):
        single_op_model(OpCode.RELU, [act("x", (3,), 0.1, 0)], act("y", (3,), 0.1, 0), None, QuantParams(lut=[0] * 255))
    with pytest.raises(FormatError, match="lut holds values outside int8"):
        single_op_model(OpCode.RELU, [act("x", (3,), 0.1, 0)], act("y", (3,), 0.1, 0), None,
                        QuantParams(lut=[200] + [0] * 255))
    model = single_op_model(OpCode.RELU, [act("x", (3,), 0.1, 0)], act("y", (3,), 0.1, 0))
    model.operators[0].quant_params = None
    with pytest.raises(FormatError, match="int8 op has no quant_params"):
        validate(model)


def test_int8_scale_ratio_is_taken_in_double():
    # float32(0.003) / float32(0.002) is 1.49999994 in double but exactly 1.5 in float division. The multiplier
    # follows TFLM's CalculateReluOpData (double), so q = 1, 3, 5 give 1.49999994 * q rounded: 1, 4, 7.
    # (TFLite's ReluPrepare divides in float and would give the ties rounded up: 2, 5, 8.)
    model = single_op_model(OpCode.RELU, [act("x", (3,), 0.003, 0)], act("y", (3,), 0.002, 0))
    np.testing.assert_array_equal(run_through_file(model, np.array([1, 3, 5], np.int8)), [1, 4, 7])
