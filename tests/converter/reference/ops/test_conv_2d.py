"""CONV_2D reference kernel: float against a direct loop, int8 against known answers and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, Conv2DOptions, OpCode
from tensorlet.converter.reference.ops.common import conv_output_size
from tensorlet.errors import FormatError


def conv_loop(x, w, b, o: Conv2DOptions):
    """Direct definition: out[n,i,j,c] = b[c] + sum_{ky,kx,ci} xpad[n, i*s+ky*d, j*s+kx*d, ci] * w[c,ky,kx,ci]."""
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    oh = conv_output_size(h, kh, o.stride_h, o.dilation_h, o.pad_top, o.pad_bottom)
    ow = conv_output_size(wd, kw, o.stride_w, o.dilation_w, o.pad_left, o.pad_right)
    xp = np.pad(x, ((0, 0), (o.pad_top, o.pad_bottom), (o.pad_left, o.pad_right), (0, 0)))
    out = np.zeros((n, oh, ow, co))
    for i in range(oh):
        for j in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    pixel = xp[:, i * o.stride_h + ky * o.dilation_h, j * o.stride_w + kx * o.dilation_w, :]
                    out[:, i, j, :] += pixel @ w[:, ky, kx, :].T
    return out + (0 if b is None else b)


CASES = [
    ((1, 5, 5, 1), (1, 3, 3, 1), Conv2DOptions()),
    ((2, 9, 7, 3), (4, 3, 2, 3), Conv2DOptions(stride_h=2, stride_w=1, pad_top=1, pad_bottom=2, pad_left=0,
                                               pad_right=1)),
    ((1, 10, 10, 2), (3, 3, 3, 2), Conv2DOptions(dilation_h=2, dilation_w=3, pad_top=2, pad_bottom=2, pad_left=3,
                                                 pad_right=3, activation=Activation.RELU6)),
    ((1, 8, 8, 5), (6, 1, 1, 5), Conv2DOptions(stride_h=3, stride_w=3, activation=Activation.RELU)),
]


@pytest.mark.parametrize("x_shape,w_shape,options", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_float_matches_direct_loop(x_shape, w_shape, options, with_bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32) if with_bias else None
    expected = conv_loop(x.astype(np.float64), w.astype(np.float64), b, options)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        options.activation, expected)
    model = single_op_model(OpCode.CONV_2D, [act("x", x_shape), const("w", w), const("b", b) if with_bias else None],
                            act("y", expected.shape), options)
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-5, atol=1e-5)


def test_int8_known_answer():
    # 1x2x2x1 input, one 2x2 filter, per-tensor: acc = sum((x - zp) * w) + bias, then requantize.
    x = np.array([[[[10], [20]], [[-30], [40]]]], np.int8)            # zp 2 -> 8, 18, -32, 38
    w = np.array([[[[1], [-2]], [[3], [4]]]], np.int8)
    b = np.array([100], np.int32)
    # acc = 8 - 36 - 96 + 152 + 100 = 128; real multiplier 0.5*0.25/1.0 = 0.125: 128 * 0.125 = 16; + zp(-5) = 11
    model = single_op_model(OpCode.CONV_2D, [act("x", (1, 2, 2, 1), 0.5, 2), const("w", w, 0.25),
                                             const("b", b)], act("y", (1, 1, 1, 1), 1.0, -5), Conv2DOptions())
    assert run_through_file(model, x).item() == 11


def test_int8_rounding_and_clamp_known_answers():
    # multiplier 0.1875 (2 * 0.375 -> 0.375 would round to 0 once; TFLite's double rounding gives 1)
    x = np.array([[[[2]], [[127]]]], np.int8)
    w = np.array([[[[1]]]], np.int8)
    model = single_op_model(OpCode.CONV_2D, [act("x", (1, 2, 1, 1), 0.75, 0), const("w", w, 0.25)],
                            act("y", (1, 2, 1, 1), 1.0, 120), Conv2DOptions())
    out = run_through_file(model, x).ravel()
    assert out[0] == 120 + 1
    assert out[1] == 127   # 120 + round(127 * 0.1875) = 144 saturates at 127


@pytest.mark.parametrize("x_shape,w_shape,options", CASES)
def test_int8_per_channel_matches_spec_on_ints(x_shape, w_shape, options):
    rng = np.random.default_rng(2)
    x = rng.integers(-128, 128, x_shape).astype(np.int8)
    w = rng.integers(-127, 128, w_shape).astype(np.int8)
    b = rng.integers(-5000, 5000, w_shape[0]).astype(np.int32)
    w_scales = rng.uniform(0.001, 0.02, w_shape[0])
    x_scale, x_zp, y_scale, y_zp = 0.05, -7, 0.09, 3
    model = single_op_model(OpCode.CONV_2D, [act("x", x_shape, x_scale, x_zp), const("w", w, w_scales, 0, 0),
                                             const("b", b)],
                            act("y", (x_shape[0],) + conv_loop(x, w, None, options).shape[1:3] + (w_shape[0],),
                                y_scale, y_zp), options)
    params = model.operators[0].quant_params
    acc = conv_loop(x.astype(np.int64) - x_zp, w.astype(np.int64), b.astype(np.int64), options).astype(np.int64)
    expected = np.empty(acc.shape, np.int64)
    for idx in np.ndindex(acc.shape):
        c = idx[-1]
        value = mbqm_scalar(int(acc[idx]), params.output_multiplier[c], params.output_shift[c]) + y_zp
        expected[idx] = min(max(value, params.act_min), params.act_max)
    np.testing.assert_array_equal(run_through_file(model, x), expected.astype(np.int8))
    if options.activation == Activation.RELU6:
        assert params.act_min == y_zp and params.act_max == y_zp + round(6 / np.float32(y_scale))


def test_rejects_channel_mismatch_and_wrong_output_shape():
    w = np.zeros((2, 3, 3, 4), np.float32)
    with pytest.raises(FormatError, match="input channels"):
        single_op_model(OpCode.CONV_2D, [act("x", (1, 5, 5, 3)), const("w", w)], act("y", (1, 3, 3, 2)),
                        Conv2DOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,3,3,3\], expected \[1,3,3,2\]"):
        single_op_model(OpCode.CONV_2D, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 3, 3, 3)),
                        Conv2DOptions())
    with pytest.raises(FormatError, match="stride_h must be >= 1"):
        single_op_model(OpCode.CONV_2D, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 3, 3, 2)),
                        Conv2DOptions(stride_h=0))
