"""AVERAGE_POOL_2D reference kernel: float against a TFLite-style clipped-window loop, int8 against known answers
and the spec on Python ints (TFLite Micro's rounding division)."""
import dataclasses

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, OpCode, Pool2DOptions, QuantParams
from tensorlet.converter.reference.ops.common import int8_activation_range
from tensorlet.errors import FormatError


def out_hw(x_shape, o):
    return ((x_shape[1] + o.pad_top + o.pad_bottom - o.filter_h) // o.stride_h + 1,
            (x_shape[2] + o.pad_left + o.pad_right - o.filter_w) // o.stride_w + 1)


def window_loop(x, o, reduce):
    """For each output (n,i,j,c): reduce(values, pad_count) over the window clipped to the input, TFLite style:
    the window starts at (i*s_h - pad_top, j*s_w - pad_left); pad_count = window positions outside the input."""
    n, h, w, c = x.shape
    oh, ow = out_hw(x.shape, o)
    out = np.zeros((n, oh, ow, c), dtype=object)
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * o.stride_h - o.pad_top, j * o.stride_w - o.pad_left
            rows = range(max(0, y0), min(h, y0 + o.filter_h))
            cols = range(max(0, x0), min(w, x0 + o.filter_w))
            pad_count = o.filter_h * o.filter_w - len(rows) * len(cols)
            for b in range(n):
                for ch in range(c):
                    values = [x[b, r, q, ch] for r in rows for q in cols]
                    out[b, i, j, ch] = reduce(values, pad_count)
    return out


def c_div(a: int, b: int) -> int:
    """C integer division (truncates toward zero), b > 0."""
    q = abs(a) // b
    return q if a >= 0 else -q


def tflm_average(values, pad_count, zp, include_pad):
    """TFLite Micro's int8 average: acc > 0 ? (acc + n/2) / n : (acc - n/2) / n on Python ints."""
    acc = sum(int(v) for v in values) + (zp * pad_count if include_pad else 0)
    count = len(values) + (pad_count if include_pad else 0)
    return c_div(acc + count // 2, count) if acc > 0 else c_div(acc - count // 2, count)


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
@pytest.mark.parametrize("include_pad", [False, True])
def test_float_matches_clipped_window_loop(x_shape, options, include_pad):
    options = dataclasses.replace(options, count_include_pad=include_pad)
    x = (np.random.default_rng(1).standard_normal(x_shape) * 4).astype(np.float32)
    area = options.filter_h * options.filter_w
    expected = window_loop(x.astype(np.float64), options,
                           lambda v, pads: sum(v) / (area if include_pad else len(v))).astype(np.float64)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        options.activation, expected)
    model = single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", x_shape)], act("y", expected.shape), options)
    np.testing.assert_allclose(run_through_file(model, x), expected, rtol=1e-5, atol=1e-6)


def test_int8_known_answers_round_half_away_from_zero():
    # 1x2 windows over pairs: 3/2 = 1.5 -> 2, -3/2 -> -2, -1/2 -> -1, 1/2 -> 1, 7/2 -> 4, -255/2 -> -128,
    # 5/2 -> 3 (sums of raw int8 values; scale and zero point are shared, so they cancel)
    pairs = [(1, 2), (-1, -2), (0, -1), (0, 1), (3, 4), (-128, -127), (2, 3)]
    x = np.array(pairs, np.int8).reshape(1, len(pairs), 2, 1)
    model = single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", x.shape, 0.1, 7)],
                            act("y", (1, len(pairs), 1, 1), 0.1, 7), Pool2DOptions(filter_w=2, stride_w=2))
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [2, -2, -1, 1, 4, -128, 3])


@pytest.mark.parametrize("include_pad,expected", [
    # windows of 3 over (pad, 10, 11, -5, pad): valid only -> 21/2 = 10.5 -> 11, 16/3 = 5.33 -> (16+1)/3 = 5,
    # 6/2 = 3; with the pads as zero point 2 over 3 -> (23+1)/3 = 8, 5, (8+1)/3 = 3
    (False, [11, 5, 3]),
    (True, [8, 5, 3]),
])
def test_int8_known_answers_with_padding(include_pad, expected):
    x = np.array([10, 11, -5], np.int8).reshape(1, 1, 3, 1)
    model = single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", x.shape, 0.5, 2)], act("y", (1, 1, 3, 1), 0.5, 2),
                            Pool2DOptions(filter_w=3, pad_left=1, pad_right=1, count_include_pad=include_pad))
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), expected)


def test_int8_relu_clamps_at_the_zero_point():
    # zp 3: RELU's act_min is 3, so averages below the zero point (negative reals) come out as 3
    x = np.array([[-20, -10], [5, 9]], np.int8).reshape(1, 2, 2, 1)
    model = single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", x.shape, 0.5, 3)], act("y", (1, 2, 1, 1), 0.5, 3),
                            Pool2DOptions(filter_w=2, activation=Activation.RELU))
    assert model.operators[0].quant_params.act_min == 3
    np.testing.assert_array_equal(run_through_file(model, x).ravel(), [3, 7])


@pytest.mark.parametrize("x_shape,options", CASES)
@pytest.mark.parametrize("include_pad", [False, True])
def test_int8_matches_spec_on_ints(x_shape, options, include_pad):
    options = dataclasses.replace(options, count_include_pad=include_pad)
    x = np.random.default_rng(2).integers(-128, 128, x_shape).astype(np.int8)
    scale, zp = 0.05, -6
    model = single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", x_shape, scale, zp)],
                            act("y", (x_shape[0],) + out_hw(x_shape, options) + (x_shape[3],), scale, zp), options)
    act_min, act_max = int8_activation_range(options.activation, model.tensors[-1])
    params = model.operators[0].quant_params
    assert (params.act_min, params.act_max) == (act_min, act_max)
    expected = window_loop(x, options, lambda v, pads: min(max(tflm_average(v, pads, zp, include_pad), act_min),
                                                              act_max))
    np.testing.assert_array_equal(run_through_file(model, x), expected.astype(np.int8))


def test_rejects_bad_shapes_and_params():
    with pytest.raises(FormatError, match="pad_bottom 2 must be < filter_h 2"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 4, 3, 1)),
                        Pool2DOptions(filter_h=2, filter_w=2, pad_bottom=2))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,2,2,1\], expected \[1,2,2,3\]"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4, 3))], act("y", (1, 2, 2, 1)),
                        Pool2DOptions(filter_h=2, filter_w=2, stride_h=2, stride_w=2))
    with pytest.raises(FormatError, match="the 5x1 filter does not fit the padded input"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 3, 4, 1))], act("y", (1, 1, 4, 1)),
                        Pool2DOptions(filter_h=5))
    with pytest.raises(FormatError, match="stride_w must be >= 1"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4, 1))], act("y", (1, 4, 4, 1)),
                        Pool2DOptions(stride_w=0))
    with pytest.raises(FormatError, match="input 'x' has rank 3"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4))], act("y", (1, 4, 4)), Pool2DOptions())
    with pytest.raises(FormatError, match=r"must share scale and zero point, got \(0.5, 1\) and \(0.5, 2\)"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4, 1), 0.5, 1)], act("y", (1, 4, 4, 1), 0.5, 2),
                        Pool2DOptions())
    with pytest.raises(FormatError, match=r"activation range \[10, 5\] is not inside"):
        single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 4, 4, 1), 0.5, 1)], act("y", (1, 4, 4, 1), 0.5, 1),
                        Pool2DOptions(), QuantParams(act_min=10, act_max=5))
