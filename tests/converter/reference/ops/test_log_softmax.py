"""LOG_SOFTMAX reference kernel: float against scipy, int8 against hand-worked answers, TFLite Micro goldens, a
scalar Python-int implementation of TFLite's int8 LogSoftmax, and the float function."""
import numpy as np
import pytest
from scipy.special import log_softmax as scipy_log_softmax

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams, SoftmaxOptions
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import INT32_MIN, multiply_by_quantized_multiplier
from tensorlet.errors import FormatError, TensorletError

OUT = (16 / 256, 127)


def int8_model(shape, scale, zero_point, beta=1.0, quant_params=None):
    return single_op_model(OpCode.LOG_SOFTMAX, [act("x", shape, scale, zero_point)], act("y", shape, *OUT),
                           SoftmaxOptions(beta=beta), quant_params)


def log_softmax_spec(x: np.ndarray, p: QuantParams) -> np.ndarray:
    """TFLite's reference_ops::LogSoftmax for int8, one element at a time on Python ints."""
    one = lambda f, *a: int(f(np.int64(a[0]), *a[1:]))  # noqa: E731  (gemmlowp's functions on one value)
    mbqm = lambda v, m, s: int(multiply_by_quantized_multiplier(v, m, s))  # noqa: E731
    out = np.empty(x.shape, np.int64)
    for row in np.ndindex(x.shape[:-1]):
        values = [int(v) for v in x[row]]
        top = max(values)
        total = 0
        for v in values:
            if v - top >= p.diff_min:
                scaled = mbqm(v - top, p.input_multiplier[0], p.input_shift[0])
                total += one(gemmlowp.rescale, one(gemmlowp.exp_on_negative_values, scaled, 5), 0, 12)
        log_sum = one(gemmlowp.log_x_for_x_greater_than_or_equal_to_1, total, 12, 5)
        adjusted = max(p.diff_min - 1, mbqm(log_sum + INT32_MIN, p.output_multiplier[0], p.output_shift[0]))
        for c, v in enumerate(values):
            if v - top > adjusted:
                scaled = mbqm(v - top, p.input_multiplier[0], p.input_shift[0])
                unsat = one(gemmlowp.saturating_rounding_multiply_by_pot, scaled - log_sum, -22) + 127
                out[row + (c,)] = min(max(unsat, -128), 127)
            else:
                out[row + (c,)] = -128
    return out.astype(np.int8)


@pytest.mark.parametrize("shape,beta", [((5,), 1.0), ((2, 7), 1.0), ((2, 3, 10), 0.3), ((4, 12), 2.5)])
def test_float_matches_scipy(shape, beta):
    x = (np.random.default_rng(0).standard_normal(shape) * 4).astype(np.float32)
    model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", shape)], act("y", shape), SoftmaxOptions(beta=beta))
    got = run_through_file(model, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, scipy_log_softmax(beta * x.astype(np.float64), axis=-1), rtol=1e-6, atol=1e-6)


def test_int8_all_equal_rows_known_answers():
    # Every diff is 0, so each output is -log(N) in steps of 1/16 from 127: N = 1 -> 127; N = 2: -0.693 * 16 =
    # -11.09 -> 116; N = 3: -1.099 * 16 = -17.58 -> 109; N = 4: -22.18 -> 105; N = 16: -44.36 -> 83.
    for n, expected in ((1, 127), (2, 116), (3, 109), (4, 105), (16, 83)):
        x = np.full((1, n), -9, np.int8)
        assert (run_through_file(int8_model((1, n), 0.1, 0), x) == expected).all(), n


def test_int8_matches_tflite_micro_goldens():
    # Outputs of TFLite Micro's LOG_SOFTMAX (pip tflite-micro 0.dev20261023, reference kernels) on the same inputs.
    x = np.array([[10, 20, 30, 40, 50]], np.int8)                 # 1..5 at scale 0.1: -4.45 .. -0.45
    np.testing.assert_array_equal(run_through_file(int8_model((1, 5), 0.1, 0), x), [[56, 72, 88, 104, 120]])
    x = np.array([[91, 40, 49, 83, 32, 64, 73, -24, -52, -12, -15, 79],
                  [86, -60, 19, 71, -39, 67, -41, 14, 70, -12, -6, -16],
                  [55, -20, 98, 11, 16, 20, 33, 28, 21, 99, 69, 66]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model((3, 12), 0.17, -20), x),
                                  [[121, -18, 7, 99, -39, 48, 72, -128, -128, -128, -128, 88],
                                   [124, -128, -58, 84, -128, 73, -128, -72, 81, -128, -126, -128],
                                   [-3, -128, 114, -122, -109, -98, -62, -76, -95, 117, 36, 27]])


def test_prepare_known_parameters_and_shift_convention():
    # scale 1.0: 2^26 = 0.5 * 2^27 -> (2^30, 27); reverse divisor 2^(31 - 27) / 2^30 = 2^-26 = 0.5 * 2^-25 ->
    # (2^30, -25): stored as output_shift -25, a right shift of 25 (TFLite's reverse_scaling_right_shift = 25).
    p = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    assert (p.input_multiplier, p.input_shift, p.diff_min) == ([1 << 30], [27], -15)
    assert (p.output_multiplier, p.output_shift) == ([1 << 30], [-25])
    # scale 0.1f: 2^8 / 1717986944 = 1 / 6710886.5 = 0.625 * 2^-22 (just below): 2^53 / 6710886.5 = 1342177260.
    p = int8_model((1, 4), 0.1, 0).operators[0].quant_params
    assert (p.input_multiplier, p.input_shift, p.diff_min) == ([1717986944], [23], -248)
    assert (p.output_multiplier, p.output_shift) == ([1342177260], [-22])
    # The stored pair takes a Q5.26 value back to input units: -32 + 0 in Q5.26 at scale 1.0 is 32 input steps.
    assert multiply_by_quantized_multiplier(INT32_MIN, p.output_multiplier[0], p.output_shift[0]) == -320


def test_int8_skipped_diffs_and_adjusted_threshold():
    # diff_min forced to -1 (a valid, tighter bound): diffs below it output -128 and leave the sum, so the kept
    # entries equal the log-softmax of the row without them.
    p = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    tight = QuantParams(input_multiplier=p.input_multiplier, input_shift=p.input_shift,
                        output_multiplier=p.output_multiplier, output_shift=p.output_shift, diff_min=-1)
    x = np.array([[10, 9, 8, -100]], np.int8)
    got = run_through_file(int8_model((1, 4), 1.0, 0, quant_params=tight), x)
    pair = run_through_file(int8_model((1, 2), 1.0, 0), x[:, :2])
    assert list(got[0, 2:]) == [-128, -128]
    np.testing.assert_array_equal(got[:, :2], pair)
    # At scale 1.0 diff_min is -15: the -16 diff is skipped (-128); -15 is kept: -15 - log(1 + e^-1 + ...) =
    # -15.31, * 16 = -245 -> 127 - 245 = -118 (TFLite Micro gives the same [122, -128, -118, 106]).
    x = np.array([[20, 4, 5, 19]], np.int8)
    assert list(run_through_file(int8_model((1, 4), 1.0, 0), x)[0]) == [122, -128, -118, 106]


def test_int8_adjusted_threshold_keeps_the_subtraction_inside_int32():
    # scale 0.99: multiplier 0.99 * 2^31, shift 26, diff_min -31 (31 * 0.99 = 30.7 in real units). With 16 equal
    # maxima log_sum = log 16 = 2.77, so a diff of -30 (real -29.7) minus log_sum is -32.5, below Q5.26's -32: the
    # int32 subtraction would wrap to a large positive value (output 127). The adjusted threshold, -32 + 2.77 taken
    # back to input units (about -29.5), drops those diffs to -128 first. TFLite Micro: [83] * 16 + [-128] * 4
    # (83 = 127 - 16 log 16, rounded).
    x = np.array([[0] * 16 + [-29, -30, -31, -32]], np.int8)
    model = int8_model(x.shape, 0.99, 0)
    assert model.operators[0].quant_params.diff_min == -31
    np.testing.assert_array_equal(run_through_file(model, x), [[83] * 16 + [-128] * 4])


@pytest.mark.parametrize("scale,zero_point,beta", [(0.1, 0, 1.0), (0.0625, -7, 1.0), (0.5, 20, 0.7),
                                                   (1.0, 3, 1.0), (0.013, -128, 2.0), (40.0, 0, 1.0)])
def test_int8_matches_scalar_spec(scale, zero_point, beta):
    rng = np.random.default_rng(int(scale * 1000))
    x = np.concatenate([rng.integers(-128, 128, (6, 12)), np.full((1, 12), -128), np.full((1, 12), 127),
                        np.where(rng.random((2, 12)) < 0.3, 127, -128)]).astype(np.int8)
    model = int8_model(x.shape, scale, zero_point, beta)
    np.testing.assert_array_equal(run_through_file(model, x), log_softmax_spec(x, model.operators[0].quant_params))


@pytest.mark.parametrize("scale", [0.03, 0.1, 0.25])
def test_int8_agrees_with_float_within_one_lsb(scale):
    x = np.random.default_rng(3).integers(-128, 128, (64, 10)).astype(np.int8)
    got = run_through_file(int8_model(x.shape, scale, 5), x).astype(np.float64)
    expected = scipy_log_softmax(np.float32(scale) * (x.astype(np.float64) - 5), axis=-1)
    # 127 + 16 log p reaches -128 at log p = -15.9, but TFLite skips diffs beyond diff_min, a real diff between
    # -15.5 and -31 (31 * multiplier / 2^31): those output -128 too. Above -15 every output is computed.
    computed = expected >= -15
    assert computed.sum() > 100
    assert np.max(np.abs((got - 127) / 16 - expected)[computed]) <= 1 / 16
    assert (got[expected < -257 / 16] == -128).all()


def test_int8_sum_overflowing_the_q12_accumulator_is_rejected():
    # 4096 exps of 1.0 in Q12.19 sum to 2^31, one past int32: TFLite's running sum would wrap.
    with pytest.raises(TensorletError, match="overflows"):
        run_through_file(int8_model((1, 4096), 0.1, 0), np.zeros((1, 4096), np.int8))
    # 4095 fit: each output is -log(4095) = -8.32 -> 127 - 133 = -6.
    assert (run_through_file(int8_model((1, 4095), 0.1, 0), np.zeros((1, 4095), np.int8)) == -6).all()


def test_check_rejects_bad_output_quantization_and_params():
    with pytest.raises(FormatError, match="scale 0.0625 and zero point 127"):
        single_op_model(OpCode.LOG_SOFTMAX, [act("x", (1, 4), 0.1, 0)], act("y", (1, 4), 1 / 256, -128),
                        SoftmaxOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,5\], expected \[1,4\]"):
        single_op_model(OpCode.LOG_SOFTMAX, [act("x", (1, 4), 0.1, 0)], act("y", (1, 5), *OUT), SoftmaxOptions())
    with pytest.raises(FormatError, match="too small"):
        int8_model((1, 4), 1e-9, 0)
    p = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    with pytest.raises(FormatError, match="output_multiplier has 0 entries"):
        int8_model((1, 4), 1.0, 0, quant_params=QuantParams(input_multiplier=p.input_multiplier,
                                                           input_shift=p.input_shift, diff_min=p.diff_min))
    left = QuantParams(input_multiplier=p.input_multiplier, input_shift=p.input_shift, diff_min=p.diff_min,
                       output_multiplier=p.output_multiplier, output_shift=[25])
    with pytest.raises(FormatError, match="stored <= 0"):
        int8_model((1, 4), 1.0, 0, quant_params=left)
