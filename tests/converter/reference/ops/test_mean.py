"""MEAN reference kernel: float against a direct loop, int8 against known answers and TFLite's
reference_integer_ops::Mean on Python ints."""
import numpy as np
import pytest

from support import act, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import MeanOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError


def mean_loop(x):
    """out[n,c] = sum_{h,w} x[n,h,w,c] / (H*W), accumulated one element at a time."""
    n, h, w, c = x.shape
    out = np.zeros((n, c))
    for i in range(h):
        for j in range(w):
            out += x[:, i, j, :]
    return out / (h * w)


def c_div(a: int, b: int) -> int:
    """C integer division (truncates toward zero), b > 0."""
    q = abs(a) // b
    return q if a >= 0 else -q


def tflite_mean_scalar(values, multiplier, shift, x_zp, y_zp):
    """TFLite's int8 Mean of one (n, c) on Python ints: sum (x - x_zp), MBQM, rounding division by the count."""
    count = len(values)
    acc = mbqm_scalar(sum(int(v) - x_zp for v in values), multiplier, shift)
    acc = c_div(acc + count // 2, count) if acc > 0 else c_div(acc - count // 2, count)
    return min(max(acc + y_zp, -128), 127)


@pytest.mark.parametrize("x_shape", [(1, 3, 3, 2), (2, 5, 4, 3), (1, 1, 7, 1)])
@pytest.mark.parametrize("keep_dims", [True, False])
def test_float_matches_direct_loop(x_shape, keep_dims):
    x = np.random.default_rng(1).standard_normal(x_shape).astype(np.float32)
    expected = mean_loop(x.astype(np.float64))
    if keep_dims:
        expected = expected.reshape(x_shape[0], 1, 1, x_shape[3])
    model = single_op_model(OpCode.MEAN, [act("x", x_shape)], act("y", expected.shape),
                            MeanOptions(axes=(1, 2), keep_dims=keep_dims))
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("values,expected", [
    # x zp 1, scale 0.5; y zp -3, scale 0.25: multiplier 2.0 = (2^30, shift 2).
    # acc = 9 + 19 + 29 + 40 = 97 -> MBQM 194 -> (194 + 2) / 4 = 49 (48.5, away from zero) -> -3 -> 46
    ((10, 20, 30, 41), 46),
    # acc = -95 - 1 - 1 + 0 = -97 -> -194 -> (-194 - 2) / 4 = -49 -> -52
    ((-94, 0, 0, 1), -52),
    # acc = 126*4 = 504 -> 1008 -> 252 -> 249, saturates at 127
    ((127, 127, 127, 127), 127),
    # acc = -129*4 = -516 -> -1032 -> -258 -> -261, saturates at -128
    ((-128, -128, -128, -128), -128),
    # acc = 1 -> 2 -> (2 + 2) / 4 = 1 (0.5 rounds up) -> -2; acc = -1 -> -2 -> -4 / 4 = -1 -> -4
    ((2, 1, 1, 1), -2),
    ((0, 1, 1, 1), -4),
])
def test_int8_known_answers(values, expected):
    x = np.array(values, np.int8).reshape(1, 2, 2, 1)
    model = single_op_model(OpCode.MEAN, [act("x", x.shape, 0.5, 1)], act("y", (1, 1), 0.25, -3),
                            MeanOptions(axes=(1, 2), keep_dims=False))
    params = model.operators[0].quant_params
    assert (params.output_multiplier, params.output_shift) == ([1 << 30], [2])
    assert run_through_file(model, x).item() == expected


def test_int8_double_rounding_known_answer():
    # in/out scale ratio 0.75 = (3 * 2^29, shift 0); one nonzero input, count 9. Rounding happens twice:
    # acc 6: MBQM 4.5 -> 5, (5 + 4) / 9 = 1;  acc 5: MBQM 3.75 -> 4, (4 + 4) / 9 = 0 (the real mean 0.417 -> 0)
    # acc -6: MBQM -4.5 -> -4 (gemmlowp's nudge 1 - 2^30 sends a negative tie toward zero), (-4 - 4) / 9 = 0,
    #         although the real mean -0.5 would round to -1;  acc -7: MBQM -5.25 -> -5, (-5 - 4) / 9 = -1
    for total, expected in ((6, 1), (5, 0), (-6, 0), (-7, -1)):
        x = np.zeros((1, 3, 3, 1), np.int8)
        x[0, 0, 0, 0] = total
        model = single_op_model(OpCode.MEAN, [act("x", x.shape, 0.75, 0)], act("y", (1, 1, 1, 1), 1.0, 0),
                                MeanOptions(axes=(1, 2)))
        assert model.operators[0].quant_params.output_multiplier == [3 << 29]
        assert run_through_file(model, x).item() == expected, total


@pytest.mark.parametrize("x_shape,x_q,y_q", [
    ((2, 3, 4, 5), (0.05, -7), (0.02, 4)),      # ratio 2.5: a positive shift
    ((1, 6, 6, 3), (0.02, 10), (0.03, -20)),    # ratio 0.667
    ((3, 2, 2, 4), (0.1, 0), (0.1, 0)),         # ratio 1: only the division rounds (ties at count 4)
])
def test_int8_matches_spec_on_ints(x_shape, x_q, y_q):
    x = np.random.default_rng(2).integers(-128, 128, x_shape).astype(np.int8)
    model = single_op_model(OpCode.MEAN, [act("x", x_shape, *x_q)], act("y", (x_shape[0], 1, 1, x_shape[3]), *y_q),
                            MeanOptions(axes=(1, 2)))
    params = model.operators[0].quant_params
    m, s = quantize_multiplier(float(np.float32(x_q[0])) / float(np.float32(y_q[0])))
    assert (params.output_multiplier, params.output_shift) == ([m], [s])
    expected = np.empty((x_shape[0], 1, 1, x_shape[3]), np.int8)
    for n in range(x_shape[0]):
        for c in range(x_shape[3]):
            expected[n, 0, 0, c] = tflite_mean_scalar(x[n, :, :, c].ravel(), m, s, x_q[1], y_q[1])
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def test_rejects_bad_axes_shapes_and_params():
    with pytest.raises(FormatError, match=r"axes must be \[1,2\] \(height and width\), got \[1\]"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2))], act("y", (1, 1, 4, 2)), MeanOptions(axes=(1,)))
    with pytest.raises(FormatError, match=r"got \[2,3\]$"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2))], act("y", (1, 4, 1, 1)), MeanOptions(axes=(2, 3)))
    with pytest.raises(FormatError, match="input 'x' has rank 3"):
        single_op_model(OpCode.MEAN, [act("x", (4, 4, 2))], act("y", (1, 2)), MeanOptions(axes=(1, 2)))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,2\], expected \[1,1,1,2\]"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2))], act("y", (1, 2)), MeanOptions(axes=(1, 2)))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,1,1,2\], expected \[1,2\]"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2))], act("y", (1, 1, 1, 2)),
                        MeanOptions(axes=(1, 2), keep_dims=False))
    with pytest.raises(FormatError, match="quant_params.output_multiplier has 0 entries, expected 1"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2), 0.1)], act("y", (1, 2), 0.1),
                        MeanOptions(axes=(1, 2), keep_dims=False), QuantParams())
    with pytest.raises(FormatError, match=r"MEAN has no fused activation: .* got \[0, 127\]"):
        single_op_model(OpCode.MEAN, [act("x", (1, 4, 4, 2), 0.1)], act("y", (1, 2), 0.1),
                        MeanOptions(axes=(1, 2), keep_dims=False),
                        QuantParams(output_multiplier=[1 << 30], output_shift=[1], act_min=0))
