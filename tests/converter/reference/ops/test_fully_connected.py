"""FULLY_CONNECTED reference kernel: float against a direct loop, int8 against known answers and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, FullyConnectedOptions, OpCode, QuantParams
from tensorlet.errors import FormatError


def fc_loop(x, w, b):
    """Direct definition on rows: out[r,n] = b[n] + sum_k x_rows[r,k] * w[n,k], x_rows = x read as [-1,K]."""
    units, depth = w.shape
    rows = x.reshape(-1, depth)
    out = np.zeros((rows.shape[0], units), dtype=np.result_type(x, w))
    for r in range(rows.shape[0]):
        for n in range(units):
            for k in range(depth):
                out[r, n] += rows[r, k] * w[n, k]
    return out + (0 if b is None else b)


# (input shape, weights shape, output shape): keep_num_dims outputs, flattened [B,N] outputs, a 4-D input
CASES = [
    ((1, 8), (5, 8), (1, 5), Activation.NONE),
    ((3, 7), (4, 7), (3, 4), Activation.RELU),
    ((2, 3, 6), (4, 6), (2, 3, 4), Activation.RELU6),
    ((2, 3, 6), (4, 6), (6, 4), Activation.NONE),
    ((1, 2, 2, 3), (3, 12), (1, 3), Activation.NONE),
]


@pytest.mark.parametrize("x_shape,w_shape,y_shape,activation", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_float_matches_direct_loop(x_shape, w_shape, y_shape, activation, with_bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32) if with_bias else None
    expected = fc_loop(x.astype(np.float64), w.astype(np.float64), b)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        activation, expected).reshape(y_shape)
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", x_shape), const("w", w), const("b", b) if with_bias
                                                     else None],
                            act("y", y_shape), FullyConnectedOptions(activation=activation))
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-5, atol=1e-5)


def test_int8_known_answer_per_channel():
    # x = (3, -1, 0), zp -1 -> (4, 0, 1); w rows (1, 2, 3) scale 0.25 and (-4, 5, 6) scale 0.5; bias (1, -2)
    # acc0 = 4 + 0 + 3 + 1 = 8, acc1 = -16 + 0 + 6 - 2 = -12
    # multipliers 0.5 * 0.25 / 0.5 = 0.25 and 0.5 * 0.5 / 0.5 = 0.5: 2 and -6; + zp(5) -> 7, -1
    x = np.array([[3, -1, 0]], np.int8)
    w = np.array([[1, 2, 3], [-4, 5, 6]], np.int8)
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", (1, 3), 0.5, -1), const("w", w, [0.25, 0.5], 0, 0),
                                                     const("b", np.array([1, -2], np.int32))],
                            act("y", (1, 2), 0.5, 5), FullyConnectedOptions())
    np.testing.assert_array_equal(run_through_file(model, x), [[7, -1]])


def test_int8_known_answer_ties_and_relu():
    # one weight 1 (scale 0.5), x scale 1 zp 0, y scale 1 zp -10: multiplier 0.5, RELU -> act_min = zp = -10.
    # x = 5 -> 2.5 -> 3 (tie away from zero) - 10 = -7; x = -5 -> -3 - 10 = -13 -> clamped to -10;
    # x = 127 -> 63.5 -> 64 - 10 = 54
    x = np.array([[5], [-5], [127]], np.int8)
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", (3, 1), 1.0, 0), const("w", np.ones((1, 1), np.int8),
                                                                                      0.5)],
                            act("y", (3, 1), 1.0, -10), FullyConnectedOptions(activation=Activation.RELU))
    assert model.operators[0].quant_params.act_min == -10
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [-7, -10, 54])


def spec_on_ints(x, w, b, params, x_zp, y_zp, y_shape):
    acc = fc_loop(x.astype(np.int64) - x_zp, w.astype(np.int64), None if b is None else b.astype(np.int64))
    expected = np.empty(acc.shape, np.int64)
    for (r, n) in np.ndindex(acc.shape):
        value = mbqm_scalar(int(acc[r, n]), params.output_multiplier[n], params.output_shift[n]) + y_zp
        expected[r, n] = min(max(value, params.act_min), params.act_max)
    return expected.astype(np.int8).reshape(y_shape)


@pytest.mark.parametrize("x_shape,w_shape,y_shape,activation", CASES)
def test_int8_per_channel_matches_spec_on_ints(x_shape, w_shape, y_shape, activation):
    rng = np.random.default_rng(2)
    x = rng.integers(-128, 128, x_shape).astype(np.int8)
    w = rng.integers(-127, 128, w_shape).astype(np.int8)
    b = rng.integers(-4000, 4000, w_shape[0]).astype(np.int32)
    w_scales = rng.uniform(0.002, 0.05, w_shape[0])
    x_scale, x_zp, y_scale, y_zp = 0.05, -9, 0.02, 4
    model = single_op_model(OpCode.FULLY_CONNECTED,
                            [act("x", x_shape, x_scale, x_zp), const("w", w, w_scales, 0, 0), const("b", b)],
                            act("y", y_shape, y_scale, y_zp), FullyConnectedOptions(activation=activation))
    params = model.operators[0].quant_params
    np.testing.assert_array_equal(run_through_file(model, x), spec_on_ints(x, w, b, params, x_zp, y_zp, y_shape))


def test_int8_per_tensor_without_bias_matches_spec_on_ints():
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, (8, 16)).astype(np.int8)
    w = rng.integers(-127, 128, (6, 16)).astype(np.int8)
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", (8, 16), 0.03, 11), const("w", w, 0.004)],
                            act("y", (8, 6), 0.02, -3), FullyConnectedOptions())
    params = model.operators[0].quant_params
    assert len(params.output_multiplier) == 6 and len(set(params.output_multiplier)) == 1
    out = run_through_file(model, x)
    np.testing.assert_array_equal(out, spec_on_ints(x, w, None, params, 11, -3, (8, 6)))
    assert (out == 127).any() and (out == -128).any() and ((out > -128) & (out < 127)).mean() > 0.3


def test_rejects_bad_shapes_and_params():
    w = np.zeros((4, 6), np.float32)
    with pytest.raises(FormatError, match=r"output 'y' has shape \[2,3,5\], expected \[..,4\] holding 6x4 values"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 3, 6)), const("w", w)], act("y", (2, 3, 5)),
                        FullyConnectedOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[3,4\], expected \[..,4\] holding 6x4 values"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 3, 6)), const("w", w)], act("y", (3, 4)),
                        FullyConnectedOptions())
    with pytest.raises(FormatError, match=r"shape \[2,7\] does not split into rows of the weights' 6 inputs"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 7)), const("w", w)], act("y", (2, 4)),
                        FullyConnectedOptions())
    with pytest.raises(FormatError, match=r"bias 'b' has shape \[6\], expected \[4\]"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 6)), const("w", w), const("b", np.zeros(6, np.float32))],
                        act("y", (2, 4)), FullyConnectedOptions())
    with pytest.raises(FormatError, match="weights 'w' has rank 3"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 6)), const("w", np.zeros((4, 6, 1), np.float32))],
                        act("y", (2, 4)), FullyConnectedOptions())
    with pytest.raises(FormatError, match="quant_params.output_shift has 1 entries, expected 4"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 6), 0.1), const("w", np.zeros((4, 6), np.int8), 0.1)],
                        act("y", (2, 4), 0.1), FullyConnectedOptions(),
                        QuantParams(output_multiplier=[1 << 30] * 4, output_shift=[0]))
    with pytest.raises(FormatError, match="must be symmetric"):
        single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 6), 0.1),
                                                 const("w", np.zeros((4, 6), np.int8), 0.1, 3)],
                        act("y", (2, 4), 0.1), FullyConnectedOptions())
