"""MAX_POOL_2D reference kernel: float against a TFLite-style clipped-window loop, int8 against known answers and
the spec on Python ints."""
import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, OpCode, Pool2DOptions, QuantParams
from tensorlet.converter.reference.ops.common import int8_activation_range
from tensorlet.errors import FormatError


def out_hw(x_shape, o):
    return ((x_shape[1] + o.pad_top + o.pad_bottom - o.filter_h) // o.stride_h + 1,
            (x_shape[2] + o.pad_left + o.pad_right - o.filter_w) // o.stride_w + 1)


def max_loop(x, o):
    """out[n,i,j,c] = max of x over the window clipped to the input (TFLite): rows from i*s_h - pad_top,
    columns from j*s_w - pad_left, filter_h x filter_w."""
    n, h, w, c = x.shape
    oh, ow = out_hw(x.shape, o)
    out = np.zeros((n, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * o.stride_h - o.pad_top, j * o.stride_w - o.pad_left
            window = x[:, max(0, y0):min(h, y0 + o.filter_h), max(0, x0):min(w, x0 + o.filter_w), :]
            out[:, i, j, :] = window.max(axis=(1, 2))
    return out


CASES = [
    ((1, 4, 4, 1), Pool2DOptions(filter_h=2, filter_w=2, stride_h=2, stride_w=2)),
    ((2, 7, 6, 3), Pool2DOptions(filter_h=3, filter_w=3, stride_h=2, stride_w=2, pad_top=1, pad_bottom=1,
                                 pad_left=1, pad_right=2)),
    ((1, 5, 6, 2), Pool2DOptions(filter_h=3, filter_w=2, stride_h=1, stride_w=3, pad_top=2, pad_bottom=0,
                                 pad_left=0, pad_right=1, activation=Activation.RELU)),
    ((1, 6, 5, 4), Pool2DOptions(filter_h=4, filter_w=3, stride_h=1, stride_w=1, pad_top=1, pad_bottom=2,
                                 pad_left=1, pad_right=1, activation=Activation.RELU6)),
]


@pytest.mark.parametrize("x_shape,options", CASES)
def test_float_matches_clipped_window_loop(x_shape, options):
    x = (np.random.default_rng(1).standard_normal(x_shape) * 4).astype(np.float32)
    expected = max_loop(x, options)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        options.activation, expected)
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x_shape)], act("y", expected.shape), options)
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def test_float_padding_never_wins():
    # all inputs negative: a window that overlaps the padding still yields an input value, never 0
    x = -np.arange(1, 7, dtype=np.float32).reshape(1, 2, 3, 1)    # rows (-1,-2,-3), (-4,-5,-6)
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x.shape)], act("y", (1, 2, 2, 1)),
                            Pool2DOptions(filter_h=2, filter_w=2, stride_w=2, pad_top=1, pad_left=1))
    # windows (rows -1..0 / 0..1) x (columns -1..0 / 1..2)
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [-1, -2, -1, -2])


def test_int8_known_answers():
    # zp 0, so a pad read as 0 (or as the zero point) would win over these negative values
    x = np.array([[-100, -90, -128], [-7, 20, 5]], np.int8).reshape(1, 2, 3, 1)
    # 2x2 windows, stride 1, pad_left 1: columns (pad,0), (0,1), (1,2) over both rows -> -7, 20, 20
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x.shape, 0.1, 0)], act("y", (1, 1, 3, 1), 0.1, 0),
                            Pool2DOptions(filter_h=2, filter_w=2, pad_left=1))
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [-7, 20, 20])
    # 1x1 windows with RELU6 at scale 0.1, zp 0: act range [0, 60] clamps -100 to 0 and 20 stays 20
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x.shape, 0.1, 0)], act("y", x.shape, 0.1, 0),
                            Pool2DOptions(activation=Activation.RELU6))
    assert (model.operators[0].quant_params.act_min, model.operators[0].quant_params.act_max) == (0, 60)
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [0, 0, 0, 0, 20, 5])
    # an all -128 row under padding: the result is -128, the lowest int8
    x = np.full((1, 1, 2, 1), -128, np.int8)
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x.shape, 0.1, 0)], act("y", (1, 1, 1, 1), 0.1, 0),
                            Pool2DOptions(filter_w=3, pad_left=1))
    assert run_through_file(model, x).item() == -128


@pytest.mark.parametrize("x_shape,options", CASES)
def test_int8_matches_spec_on_ints(x_shape, options):
    x = np.random.default_rng(2).integers(-128, 128, x_shape).astype(np.int8)
    scale, zp = 0.04, 9
    model = single_op_model(OpCode.MAX_POOL_2D, [act("x", x_shape, scale, zp)],
                            act("y", (x_shape[0],) + out_hw(x_shape, options) + (x_shape[3],), scale, zp), options)
    act_min, act_max = int8_activation_range(options.activation, model.tensors[-1])
    expected = np.clip(max_loop(x.astype(np.int64), options), act_min, act_max).astype(np.int8)
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def test_rejects_bad_shapes_and_params():
    with pytest.raises(FormatError, match="pad_left 3 must be < filter_w 3"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 2, 5, 1)),
                        Pool2DOptions(filter_h=3, filter_w=3, pad_left=3))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,3,3,1\], expected \[1,2,2,1\]"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 3, 3, 1)),
                        Pool2DOptions(filter_h=2, filter_w=2, stride_h=2, stride_w=2))
    with pytest.raises(FormatError, match="filter_h must be >= 1"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 4, 4, 1)),
                        Pool2DOptions(filter_h=0))
    with pytest.raises(FormatError, match="count_include_pad applies to AVERAGE_POOL_2D only"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 4, 4, 1)),
                        Pool2DOptions(count_include_pad=True))
    with pytest.raises(FormatError, match="must share scale and zero point"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1), 0.5, 1)], act("y", (1, 4, 4, 1), 0.25, 1),
                        Pool2DOptions())
    with pytest.raises(FormatError, match="tensor 'y' is FLOAT32, expected INT8"):
        single_op_model(OpCode.MAX_POOL_2D, [act("x", (1, 4, 4, 1), 0.5, 1)], act("y", (1, 4, 4, 1)),
                        Pool2DOptions(), QuantParams())
