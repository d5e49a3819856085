"""SOFTMAX reference kernel: float against scipy, int8 against hand-worked answers, TFLite Micro goldens, a scalar
Python-int implementation of TFLite's quantized Softmax, and the float function."""
import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, QuantParams, SoftmaxOptions
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import multiply_by_quantized_multiplier
from tensorlet.converter.reference.ops import softmax
from tensorlet.errors import FormatError, TensorletError

OUT = (1 / 256, -128)


def int8_model(shape, scale, zero_point, beta=1.0, quant_params=None):
    return single_op_model(OpCode.SOFTMAX, [act("x", shape, scale, zero_point)], act("y", shape, *OUT),
                           SoftmaxOptions(beta=beta), quant_params)


def softmax_spec(x: np.ndarray, params: QuantParams) -> np.ndarray:
    """TFLite's reference quantized Softmax (int8 -> int8), one element at a time on Python ints."""
    one = lambda f, *a: int(f(np.int64(a[0]), *a[1:]))  # noqa: E731  (gemmlowp's functions on one value)
    out = np.empty(x.shape, np.int64)
    for row in np.ndindex(x.shape[:-1]):
        values = [int(v) for v in x[row]]
        top = max(values)
        scaled = {}
        total = 0
        for c, v in enumerate(values):
            if v - top >= params.diff_min:
                scaled[c] = int(multiply_by_quantized_multiplier(v - top, params.input_multiplier[0],
                                                                 params.input_shift[0]))
                exp = one(gemmlowp.exp_on_negative_values, scaled[c], 5)
                total += one(gemmlowp.rescale, exp, 0, 12)
        recip, bits = gemmlowp.get_reciprocal(np.int64(total), 12)
        for c in range(len(values)):
            if c not in scaled:
                out[row + (c,)] = -128
                continue
            exp = one(gemmlowp.exp_on_negative_values, scaled[c], 5)
            product = int(gemmlowp.mul(recip, exp))
            unsat = int(gemmlowp.saturating_rounding_multiply_by_pot(product, -(int(bits) + 31 - 8)))
            out[row + (c,)] = min(max(unsat - 128, -128), 127)
    return out.astype(np.int8)


@pytest.mark.parametrize("shape,beta", [((5,), 1.0), ((2, 7), 1.0), ((2, 3, 10), 0.3), ((4, 12), 2.5)])
def test_float_matches_scipy(shape, beta):
    x = (np.random.default_rng(0).standard_normal(shape) * 4).astype(np.float32)
    model = single_op_model(OpCode.SOFTMAX, [act("x", shape)], act("y", shape), SoftmaxOptions(beta=beta))
    got = run_through_file(model, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, scipy_softmax(beta * x.astype(np.float64), axis=-1), rtol=1e-6, atol=1e-9)


def test_int8_all_equal_rows_known_answers():
    # Every diff is 0 -> exp = One() = 2^31 - 1 -> 2^19 (1.0) in Q12.19 each, so the sum is N * 2^19.
    # N = 1: GetReciprocal(2^19) = (2^31 - 1, 0 bits) -> RDBPOT(SRDHM(2^31-1, 2^31-1) = 2^31 - 2, 23) = 256 -> 128,
    #        clamped to 127.
    # N = 3: 3 * 2^19 has 11 leading zeros -> 1 bit over unit, 1/1.5 = 1431655765 -> RDBPOT(~2^31 * 2/3, 24) = 85
    #        -> 85 - 128 = -43 (85/256 = 0.332).
    # N = 4: 2^21 -> 2 bits over unit, reciprocal saturates to 2^31 - 1 -> RDBPOT(2^31 - 2, 25) = 64 -> -64.
    for n, expected in ((1, 127), (2, 0), (3, -43), (4, -64), (16, -112)):
        x = np.full((1, n), 37, np.int8)
        assert (run_through_file(int8_model((1, n), 0.1, 0), x) == expected).all(), n


def test_int8_matches_tflite_micro_goldens():
    # Outputs of TFLite Micro's SOFTMAX (pip tflite-micro 0.dev20261023, reference kernels) on the same inputs.
    # TFLM's own softmax_test input 1..5 with scale 0.1 (its float golden 0.0117, 0.0317, 0.0861, 0.2341, 0.6364).
    x = np.array([[10, 20, 30, 40, 50]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model((1, 5), 0.1, 0), x), [[-125, -120, -106, -68, 35]])
    # 12 classes as the MLPerf Tiny KWS model ends, scale 0.17, zero point -20, beta 1 and 0.5.
    x = np.array([[91, 40, 49, 83, 32, 64, 73, -24, -52, -12, -15, 79],
                  [86, -60, 19, 71, -39, 67, -41, 14, 70, -12, -6, -16],
                  [55, -20, 98, 11, 16, 20, 33, 28, 21, 99, 69, 66]], np.int8)
    np.testing.assert_array_equal(run_through_file(int8_model((3, 12), 0.17, -20), x),
                                  [[49, -128, -128, -83, -128, -126, -120, -128, -128, -128, -128, -105],
                                   [88, -128, -128, -111, -128, -119, -128, -128, -114, -128, -128, -128],
                                   [-128, -128, -12, -128, -128, -128, -128, -128, -128, 10, -127, -127]])
    np.testing.assert_array_equal(run_through_file(int8_model((3, 12), 0.17, -20, beta=0.5), x),
                                  [[-13, -126, -125, -70, -127, -116, -103, -128, -128, -128, -128, -87],
                                   [19, -128, -128, -87, -128, -99, -128, -128, -90, -128, -128, -128],
                                   [-125, -128, -16, -128, -128, -128, -128, -128, -128, -6, -118, -121]])


def test_prepare_known_parameters():
    # 0.1f * 2^26 = 6710886.5 = 0.80000001 * 2^23: multiplier 6710886.5 * 2^8, left shift 23;
    # diff_min = -floor(31 * 2^26 / 2^23) = -248 (beyond any int8 diff: nothing is ever skipped).
    params = int8_model((1, 4), 0.1, 0).operators[0].quant_params
    assert (params.input_multiplier, params.input_shift, params.diff_min) == ([1717986944], [23], -248)
    # scale 1.0: 2^26 = 0.5 * 2^27 -> (2^30, 27), diff_min = -floor(31 * 2^26 / 2^27) = -15.
    params = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    assert (params.input_multiplier, params.input_shift, params.diff_min) == ([1 << 30], [27], -15)
    # beta 2 with scale 0.5 is the same real multiplier as scale 1.0.
    params = int8_model((1, 4), 0.5, 0, beta=2.0).operators[0].quant_params
    assert (params.input_multiplier, params.input_shift, params.diff_min) == ([1 << 30], [27], -15)


def test_int8_diffs_below_diff_min_are_skipped():
    # scale 1.0 gives diff_min -15: the -16 diff outputs -128 and adds nothing to the sum, so the rest equals the
    # softmax of the row without it. With diff_min forced to -1 (a valid, tighter bound), only diffs 0 and -1
    # survive and they must equal the two-element softmax exactly.
    params = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    tight = QuantParams(input_multiplier=params.input_multiplier, input_shift=params.input_shift, diff_min=-1)
    x = np.array([[10, 9, 8, -100]], np.int8)
    got = run_through_file(int8_model((1, 4), 1.0, 0, quant_params=tight), x)
    pair = run_through_file(int8_model((1, 2), 1.0, 0), x[:, :2])
    assert list(got[0, 2:]) == [-128, -128]
    np.testing.assert_array_equal(got[:, :2], pair)
    assert pair[0, 0] > run_through_file(int8_model((1, 4), 1.0, 0), x)[0, 0]   # x=8 no longer in the sum
    x = np.array([[20, 4, 5]], np.int8)                                          # diffs 0, -16 (skipped), -15
    assert list(run_through_file(int8_model((1, 3), 1.0, 0), x)[0]) == [127, -128, -128]


@pytest.mark.parametrize("scale,zero_point,beta", [(0.1, 0, 1.0), (0.0625, -7, 1.0), (0.5, 20, 0.7),
                                                   (1.0, 3, 1.0), (0.013, -128, 2.0), (40.0, 0, 1.0)])
def test_int8_matches_scalar_spec(scale, zero_point, beta):
    rng = np.random.default_rng(int(scale * 1000))
    x = np.concatenate([rng.integers(-128, 128, (6, 12)), np.full((1, 12), -128), np.full((1, 12), 127),
                        np.where(rng.random((2, 12)) < 0.3, 127, -128)]).astype(np.int8)
    model = int8_model(x.shape, scale, zero_point, beta)
    np.testing.assert_array_equal(run_through_file(model, x), softmax_spec(x, model.operators[0].quant_params))


@pytest.mark.parametrize("scale", [0.03, 0.1, 0.25])
def test_int8_agrees_with_float_within_one_lsb(scale):
    x = np.random.default_rng(3).integers(-128, 128, (64, 10)).astype(np.int8)
    got = run_through_file(int8_model(x.shape, scale, 5), x)
    expected = scipy_softmax(np.float32(scale) * (x.astype(np.float64) - 5), axis=-1)
    assert np.max(np.abs((got.astype(np.float64) + 128) / 256 - expected)) <= 1 / 256


def test_int8_sum_reaching_512_is_rejected_as_tflite_does():
    # TFLite Micro aborts (TFLITE_CHECK) on 600 equal classes: the sum of exps is 600, so the output shift is
    # 10 + 23 > 31. With 511 the shift is 8 + 23 = 31 and TFLM outputs -127 everywhere (1/511 * 256 = 0.501 -> 1).
    with pytest.raises(TensorletError, match="512"):
        run_through_file(int8_model((1, 600), 0.1, 0), np.zeros((1, 600), np.int8))
    assert (run_through_file(int8_model((1, 511), 0.1, 0), np.zeros((1, 511), np.int8)) == -127).all()


def test_check_rejects_bad_output_quantization_and_params():
    with pytest.raises(FormatError, match="scale 0.00390625 and zero point -128"):
        single_op_model(OpCode.SOFTMAX, [act("x", (1, 4), 0.1, 0)], act("y", (1, 4), 1 / 255, -128),
                        SoftmaxOptions())
    with pytest.raises(FormatError, match="zero point -128"):
        single_op_model(OpCode.SOFTMAX, [act("x", (1, 4), 0.1, 0)], act("y", (1, 4), 1 / 256, 0), SoftmaxOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,5\], expected \[1,4\]"):
        single_op_model(OpCode.SOFTMAX, [act("x", (1, 4), 0.1, 0)], act("y", (1, 5), *OUT), SoftmaxOptions())
    with pytest.raises(FormatError, match="beta"):
        single_op_model(OpCode.SOFTMAX, [act("x", (1, 4))], act("y", (1, 4)), SoftmaxOptions(beta=0.0))
    with pytest.raises(FormatError, match="too small"):
        int8_model((1, 4), 1e-9, 0)
    params = int8_model((1, 4), 1.0, 0).operators[0].quant_params
    hostile = QuantParams(input_multiplier=params.input_multiplier, input_shift=params.input_shift, diff_min=-16)
    with pytest.raises(FormatError, match="diff_min -16 is outside"):
        int8_model((1, 4), 1.0, 0, quant_params=hostile)   # -16 << 27 would overflow int32
    with pytest.raises(FormatError, match="input_multiplier has 0 entries"):
        int8_model((1, 4), 1.0, 0, quant_params=QuantParams(diff_min=-15))
    negative_shift = QuantParams(input_multiplier=[1 << 30], input_shift=[-1], diff_min=-15)
    with pytest.raises(FormatError, match="left shift"):
        int8_model((1, 4), 1.0, 0, quant_params=negative_shift)


def test_macs_count_elements():
    model = int8_model((2, 12), 0.1, 0)
    op = model.operators[0]
    assert softmax.macs(op, [model.tensors[0]], [model.tensors[1]]) == 24
