"""TRANSPOSE_CONV reference kernel: float against a direct gather loop and as the adjoint of CONV_2D, int8 against
known answers and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, Conv2DOptions, OpCode, TransposeConvOptions
from tensorlet.errors import FormatError


def transpose_conv_loop(x, w, b, o: TransposeConvOptions, out_hw):
    """Gather form: out[n,oi,oj,co] = b[co] + sum x[n,i,j,ci] * w[co,ky,kx,ci] over i*s_h + ky == oi + pad_top and
    j*s_w + kx == oj + pad_left."""
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    out = np.zeros((n,) + tuple(out_hw) + (co,), dtype=np.result_type(x, w))
    for oi in range(out_hw[0]):
        for oj in range(out_hw[1]):
            for ky in range(kh):
                for kx in range(kw):
                    ti, tj = oi + o.pad_top - ky, oj + o.pad_left - kx
                    if ti % o.stride_h or tj % o.stride_w:
                        continue
                    i, j = ti // o.stride_h, tj // o.stride_w
                    if 0 <= i < h and 0 <= j < wd:
                        out[:, oi, oj, :] += x[:, i, j, :] @ w[:, ky, kx, :].T
    return out + (0 if b is None else b)


def out_hw(x_shape, w_shape, o):
    return ((x_shape[1] - 1) * o.stride_h + w_shape[1] - o.pad_top - o.pad_bottom,
            (x_shape[2] - 1) * o.stride_w + w_shape[2] - o.pad_left - o.pad_right)


CASES = [
    ((1, 3, 3, 1), (1, 3, 3, 1), TransposeConvOptions()),
    ((2, 4, 3, 3), (2, 3, 3, 3), TransposeConvOptions(stride_h=2, stride_w=2, pad_top=1, pad_bottom=1, pad_left=1,
                                                      pad_right=0)),
    ((1, 3, 4, 2), (4, 2, 3, 2), TransposeConvOptions(stride_h=3, stride_w=1, pad_top=2, pad_bottom=0, pad_left=0,
                                                      pad_right=2, activation=Activation.RELU6)),
    # negative pads: the output reaches past the full result, where only the bias lands
    ((1, 2, 2, 2), (3, 2, 2, 2), TransposeConvOptions(stride_h=2, stride_w=3, pad_top=-1, pad_bottom=-2,
                                                      pad_left=1, pad_right=-3, activation=Activation.RELU)),
]


@pytest.mark.parametrize("x_shape,w_shape,options", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_float_matches_direct_loop(x_shape, w_shape, options, with_bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32) if with_bias else None
    expected = transpose_conv_loop(x.astype(np.float64), w.astype(np.float64), b, options,
                                   out_hw(x_shape, w_shape, options))
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        options.activation, expected)
    model = single_op_model(OpCode.TRANSPOSE_CONV,
                            [act("x", x_shape), const("w", w), const("b", b) if with_bias else None],
                            act("y", expected.shape), options)
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("conv_in,stride,pads", [((7, 6), (2, 2), (1, 1, 0, 1)), ((8, 5), (3, 1), (2, 0, 1, 1))])
def test_float_is_the_adjoint_of_conv_2d(conv_in, stride, pads):
    # <conv(u, wc), v> == <u, tconv(v, wt)> with wt[ci,ky,kx,co] = wc[co,ky,kx,ci] and the same top/left pads.
    rng = np.random.default_rng(4)
    wc = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)     # conv: 2 -> 3 channels
    conv_options = Conv2DOptions(stride_h=stride[0], stride_w=stride[1], pad_top=pads[0], pad_bottom=pads[1],
                                 pad_left=pads[2], pad_right=pads[3])
    oh = (conv_in[0] + pads[0] + pads[1] - 3) // stride[0] + 1
    ow = (conv_in[1] + pads[2] + pads[3] - 2) // stride[1] + 1
    u = rng.standard_normal((1,) + conv_in + (2,)).astype(np.float32)
    v = rng.standard_normal((1, oh, ow, 3)).astype(np.float32)
    conv = single_op_model(OpCode.CONV_2D, [act("u", u.shape), const("w", wc)], act("y", v.shape), conv_options)
    t_options = TransposeConvOptions(stride_h=stride[0], stride_w=stride[1], pad_top=pads[0], pad_left=pads[2],
                                     pad_bottom=(oh - 1) * stride[0] + 3 - pads[0] - conv_in[0],
                                     pad_right=(ow - 1) * stride[1] + 2 - pads[2] - conv_in[1])
    tconv = single_op_model(OpCode.TRANSPOSE_CONV, [act("v", v.shape), const("w", wc.transpose(3, 1, 2, 0).copy())],
                            act("y", u.shape), t_options)
    lhs = np.vdot(run_through_file(conv, u).astype(np.float64), v)
    rhs = np.vdot(u.astype(np.float64), run_through_file(tconv, v))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-5)


def test_int8_known_answer_with_crop_and_bias_only_border():
    # in 1x2x1x1 = (5, 1), zp 3 -> (2, -2); filter 3x1 = (1, 2, -1); stride 2: the full result has (2-1)*2+3 = 5 rows:
    # rows 0..2 += 2*(1, 2, -1), rows 2..4 += -2*(1, 2, -1) -> full = (2, 4, -4, -4, 2).
    # pad_top 1, pad_bottom -1: out[i] = full[i+1] -> (4, -4, -4, 2, <past the end: 0>); + bias 10 -> 14, 6, 6, 12, 10
    # multiplier 1.0 * 0.5 / 2.0 = 0.25 -> 3.5, 1.5, 1.5, 3, 2.5 -> 4, 2, 2, 3, 3 (ties away from zero); + zp(-1)
    x = np.array([5, 1], np.int8).reshape(1, 2, 1, 1)
    w = np.array([1, 2, -1], np.int8).reshape(1, 3, 1, 1)
    model = single_op_model(OpCode.TRANSPOSE_CONV,
                            [act("x", (1, 2, 1, 1), 1.0, 3), const("w", w, 0.5), const("b", np.array([10], np.int32))],
                            act("y", (1, 5, 1, 1), 2.0, -1), TransposeConvOptions(stride_h=2, pad_top=1, pad_bottom=-1))
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [3, 1, 1, 2, 2])


def spec_on_ints(x, w, b, options, params, x_zp, y_zp, hw):
    acc = transpose_conv_loop(x.astype(np.int64) - x_zp, w.astype(np.int64),
                              None if b is None else b.astype(np.int64), options, hw)
    expected = np.empty(acc.shape, np.int64)
    for idx in np.ndindex(acc.shape):
        c = idx[-1]
        value = mbqm_scalar(int(acc[idx]), params.output_multiplier[c], params.output_shift[c]) + y_zp
        expected[idx] = min(max(value, params.act_min), params.act_max)
    return expected.astype(np.int8)


@pytest.mark.parametrize("x_shape,w_shape,options", CASES)
def test_int8_per_channel_matches_spec_on_ints(x_shape, w_shape, options):
    rng = np.random.default_rng(2)
    x = rng.integers(-128, 128, x_shape).astype(np.int8)
    w = rng.integers(-127, 128, w_shape).astype(np.int8)
    b = rng.integers(-3000, 3000, w_shape[0]).astype(np.int32)
    w_scales = rng.uniform(0.002, 0.05, w_shape[0])
    x_scale, x_zp, y_scale, y_zp = 0.05, 6, 0.03, -2
    hw = out_hw(x_shape, w_shape, options)
    model = single_op_model(OpCode.TRANSPOSE_CONV,
                            [act("x", x_shape, x_scale, x_zp), const("w", w, w_scales, 0, 0), const("b", b)],
                            act("y", (x_shape[0],) + hw + (w_shape[0],), y_scale, y_zp), options)
    params = model.operators[0].quant_params
    out = run_through_file(model, x)
    np.testing.assert_array_equal(out, spec_on_ints(x, w, b, options, params, x_zp, y_zp, hw))
    assert (out == params.act_max).any() and (out == params.act_min).any()   # saturation exercised


def test_int8_per_tensor_without_bias_matches_spec_on_ints():
    x_shape, w_shape, options = CASES[1]
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, x_shape).astype(np.int8)
    w = rng.integers(-127, 128, w_shape).astype(np.int8)
    hw = out_hw(x_shape, w_shape, options)
    model = single_op_model(OpCode.TRANSPOSE_CONV, [act("x", x_shape, 0.02, -5), const("w", w, 0.01)],
                            act("y", (x_shape[0],) + hw + (w_shape[0],), 0.2, 7), options)
    params = model.operators[0].quant_params
    np.testing.assert_array_equal(run_through_file(model, x), spec_on_ints(x, w, None, options, params, -5, 7, hw))


def test_rejects_bad_shapes_and_params():
    w = np.zeros((2, 3, 3, 4), np.float32)
    with pytest.raises(FormatError, match="filter has 4 input channels, input has 3"):
        single_op_model(OpCode.TRANSPOSE_CONV, [act("x", (1, 5, 5, 3)), const("w", w)], act("y", (1, 7, 7, 2)),
                        TransposeConvOptions())
    # (5-1)*2 + 3 - 1 - 0 = 10 rows
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,11,11,2\], expected \[1,10,11,2\]"):
        single_op_model(OpCode.TRANSPOSE_CONV, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 11, 11, 2)),
                        TransposeConvOptions(stride_h=2, stride_w=2, pad_top=1))
    with pytest.raises(FormatError, match="leave an output of 0x7"):
        single_op_model(OpCode.TRANSPOSE_CONV, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 1, 7, 2)),
                        TransposeConvOptions(pad_top=4, pad_bottom=3))
    with pytest.raises(FormatError, match="stride_w must be >= 1"):
        single_op_model(OpCode.TRANSPOSE_CONV, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 7, 7, 2)),
                        TransposeConvOptions(stride_w=0))
    with pytest.raises(FormatError, match="quantized along axis 3, expected 0"):
        single_op_model(OpCode.TRANSPOSE_CONV, [act("x", (1, 5, 5, 4), 0.1),
                                                const("w", np.zeros((4, 3, 3, 4), np.int8), [0.1] * 4, 0, 3)],
                        act("y", (1, 7, 7, 4), 0.1), TransposeConvOptions())
