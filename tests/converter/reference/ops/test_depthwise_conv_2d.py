"""DEPTHWISE_CONV_2D reference kernel: float against a direct loop, int8 against known answers and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, DepthwiseConv2DOptions, OpCode, QuantParams
from tensorlet.converter.reference.ops.common import conv_output_size
from tensorlet.errors import FormatError


def depthwise_loop(x, w, b, o: DepthwiseConv2DOptions):
    """Direct definition: out[n,i,j,oc] = b[oc] + sum_{ky,kx} xpad[n, i*s+ky*d, j*s+kx*d, oc // M] * w[0,ky,kx,oc]."""
    n, h, wd, _ = x.shape
    _, kh, kw, channels = w.shape
    oh = conv_output_size(h, kh, o.stride_h, o.dilation_h, o.pad_top, o.pad_bottom)
    ow = conv_output_size(wd, kw, o.stride_w, o.dilation_w, o.pad_left, o.pad_right)
    xp = np.pad(x, ((0, 0), (o.pad_top, o.pad_bottom), (o.pad_left, o.pad_right), (0, 0)))
    out = np.zeros((n, oh, ow, channels), dtype=np.result_type(x, w))
    for i in range(oh):
        for j in range(ow):
            for oc in range(channels):
                for ky in range(kh):
                    for kx in range(kw):
                        out[:, i, j, oc] += (xp[:, i * o.stride_h + ky * o.dilation_h,
                                                j * o.stride_w + kx * o.dilation_w, oc // o.depth_multiplier]
                                             * w[0, ky, kx, oc])
    return out + (0 if b is None else b)


CASES = [
    ((1, 5, 5, 1), (1, 3, 3, 1), DepthwiseConv2DOptions()),
    ((2, 7, 6, 3), (1, 3, 2, 6), DepthwiseConv2DOptions(stride_h=2, stride_w=1, pad_top=1, pad_bottom=2,
                                                        pad_right=1, depth_multiplier=2)),
    ((1, 9, 9, 2), (1, 3, 3, 6), DepthwiseConv2DOptions(dilation_h=2, dilation_w=3, pad_top=2, pad_bottom=2,
                                                        pad_left=3, pad_right=3, depth_multiplier=3,
                                                        activation=Activation.RELU6)),
    ((1, 6, 6, 4), (1, 2, 2, 4), DepthwiseConv2DOptions(stride_h=2, stride_w=2, activation=Activation.RELU)),
]


def output_shape(x_shape, w_shape, options):
    return (x_shape[0],) + depthwise_loop(np.zeros(x_shape), np.zeros(w_shape), None, options).shape[1:3] + \
        (w_shape[3],)


@pytest.mark.parametrize("x_shape,w_shape,options", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_float_matches_direct_loop(x_shape, w_shape, options, with_bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[3]).astype(np.float32) if with_bias else None
    expected = depthwise_loop(x.astype(np.float64), w.astype(np.float64), b, options)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        options.activation, expected)
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D,
                            [act("x", x_shape), const("w", w), const("b", b) if with_bias else None],
                            act("y", expected.shape), options)
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-5, atol=1e-5)


def test_int8_known_answer_channel_order():
    # in 1x2x1x2 (Ci=2), filter 2x1 with M=2: out channel oc reads input channel oc // 2, i.e. 0, 0, 1, 1.
    x = np.array([[[[3, -1]], [[5, 9]]]], np.int8)                    # zp 1 -> row0 (2, -2), row1 (4, 8)
    w = np.array([[[[1, 2, 3, -1]], [[2, -1, 1, 1]]]], np.int8)
    b = np.array([6, -3, 2, 0], np.int32)
    # oc0: 2*1 + 4*2 = 10, oc1: 2*2 + 4*-1 = 0, oc2: -2*3 + 8*1 = 2, oc3: -2*-1 + 8*1 = 10; + bias: 16, -3, 4, 10
    # multiplier 0.5 * 0.25 / 0.5 = 0.25: 4, -0.75 -> -1, 1, 2.5 -> 3 (ties away from zero); + zp(-2)
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D,
                            [act("x", (1, 2, 1, 2), 0.5, 1), const("w", w, 0.25), const("b", b)],
                            act("y", (1, 1, 1, 4), 0.5, -2), DepthwiseConv2DOptions(depth_multiplier=2))
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [2, -3, -1, 1])


def test_int8_padding_is_the_zero_point_and_clamps():
    # 1x1 input, 3x3 filter of ones, pad 1 all round: only the centre tap sees the input, the pads add real 0.
    x = np.array([[[[100]]]], np.int8)                                # zp -20 -> 120
    w = np.ones((1, 3, 3, 1), np.int8)
    # acc = 120; multiplier 1.0 * 0.5 / 0.25 = 2: 240 + zp(10) = 250 saturates at 127
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 1, 1, 1), 1.0, -20), const("w", w, 0.5)],
                            act("y", (1, 1, 1, 1), 0.25, 10),
                            DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1))
    assert run_through_file(model, x).item() == 127
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 1, 1, 1), 1.0, -20), const("w", -w, 0.5)],
                            act("y", (1, 1, 1, 1), 0.25, 10),
                            DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1))
    assert run_through_file(model, x).item() == -128                 # -240 + 10 saturates at -128


def spec_on_ints(x, w, b, options, params, x_zp, y_zp):
    acc = depthwise_loop(x.astype(np.int64) - x_zp, w.astype(np.int64), None if b is None else b.astype(np.int64),
                         options)
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
    b = rng.integers(-3000, 3000, w_shape[3]).astype(np.int32)
    w_scales = rng.uniform(0.002, 0.05, w_shape[3])
    x_scale, x_zp, y_scale, y_zp = 0.05, -7, 0.04, 3
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D,
                            [act("x", x_shape, x_scale, x_zp), const("w", w, w_scales, 0, 3), const("b", b)],
                            act("y", output_shape(x_shape, w_shape, options), y_scale, y_zp), options)
    params = model.operators[0].quant_params
    assert len(set(params.output_multiplier)) == w_shape[3] or w_shape[3] == 1
    expected = spec_on_ints(x, w, b, options, params, x_zp, y_zp)
    out = run_through_file(model, x)
    np.testing.assert_array_equal(out, expected)
    assert (out == params.act_max).any() and (out == params.act_min).any()   # saturation exercised


def test_int8_per_tensor_without_bias_matches_spec_on_ints():
    x_shape, w_shape, options = CASES[1]
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, x_shape).astype(np.int8)
    w = rng.integers(-127, 128, w_shape).astype(np.int8)
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", x_shape, 0.02, 5), const("w", w, 0.01)],
                            act("y", output_shape(x_shape, w_shape, options), 0.1, -4), options)
    params = model.operators[0].quant_params
    assert len(set(params.output_multiplier)) == 1 and len(params.output_multiplier) == w_shape[3]
    np.testing.assert_array_equal(run_through_file(model, x), spec_on_ints(x, w, None, options, params, 5, -4))


def test_rejects_bad_shapes_and_params():
    w = np.zeros((1, 3, 3, 4), np.float32)
    with pytest.raises(FormatError, match=r"filter has 4 channels, expected input channels 3 \* depth_multiplier 1"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 5, 3)), const("w", w)], act("y", (1, 3, 3, 4)),
                        DepthwiseConv2DOptions())
    with pytest.raises(FormatError, match=r"a depthwise filter is \[1,KH,KW,Ci\*M\]"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 5, 4)), const("w", np.zeros((2, 3, 3, 4),
                                                                                            np.float32))],
                        act("y", (1, 3, 3, 4)), DepthwiseConv2DOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,3,3,4\], expected \[1,3,3,8\]"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 5, 4)), const("w", np.zeros((1, 3, 3, 8),
                                                                                            np.float32))],
                        act("y", (1, 3, 3, 4)), DepthwiseConv2DOptions(depth_multiplier=2))
    with pytest.raises(FormatError, match="depth_multiplier must be >= 1"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 3, 3, 4)),
                        DepthwiseConv2DOptions(depth_multiplier=0))
    with pytest.raises(FormatError, match="pad_left must be >= 0"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 5, 4)), const("w", w)], act("y", (1, 3, 3, 4)),
                        DepthwiseConv2DOptions(pad_left=-1))


def test_rejects_bad_int8_weights_and_quant_params():
    w8 = np.zeros((1, 3, 4, 4), np.int8)
    with pytest.raises(FormatError, match="quantized along axis 2, expected 3"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 6, 4), 0.1), const("w", w8, [0.1] * 4, 0, 2)],
                        act("y", (1, 3, 3, 4), 0.1), DepthwiseConv2DOptions())
    with pytest.raises(FormatError, match="quant_params.output_multiplier has 1 entries, expected 4"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 6, 4), 0.1), const("w", w8, 0.1)],
                        act("y", (1, 3, 3, 4), 0.1), DepthwiseConv2DOptions(),
                        QuantParams(output_multiplier=[1 << 30], output_shift=[0]))
    with pytest.raises(FormatError, match="bias 'b' of an int8 op is FLOAT32, expected INT32"):
        single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 6, 4), 0.1), const("w", w8, 0.1),
                                                   const("b", np.zeros(4, np.float32))],
                        act("y", (1, 3, 3, 4), 0.1), DepthwiseConv2DOptions())
