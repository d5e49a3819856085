"""Known answers of the TFLite quantization arithmetic: activation nudging, per-channel weights, int32 biases."""
import numpy as np
import pytest

from tensorlet.converter.quantize.params import (MIN_SCALE, activation_params, bias_scales, quantize_bias,
                                                 quantize_weights, scales_for_bias, widened)


def test_activation_range_minus_one_to_three():
    scale, zero_point = activation_params(-1.0, 3.0)
    assert scale == pytest.approx(4 / 255, rel=1e-7)
    assert zero_point == -64                       # -128 + 1 / (4/255) = -64.25, rounded


def test_range_starting_at_zero_puts_zero_point_at_minus_128():
    for hi in (0.5, 6.0, 1234.5):
        scale, zero_point = activation_params(0.0, hi)
        assert zero_point == -128 and scale == pytest.approx(hi / 255, rel=1e-6)


def test_range_always_includes_zero():
    assert activation_params(2.0, 6.0) == activation_params(0.0, 6.0)
    scale, zero_point = activation_params(-5.0, -1.0)
    assert zero_point == 127 and scale == pytest.approx(5 / 255, rel=1e-6)


def test_zero_is_exactly_representable():
    """0.0 is the integer zero point, and nudging it there moves the covered range by at most half a step."""
    rng = np.random.default_rng(0)
    for a, b in rng.uniform(-10, 10, (50, 2)):
        lo, hi = min(a, b, 0.0), max(a, b, 0.0)
        scale, zero_point = activation_params(lo, hi)
        assert -128 <= zero_point <= 127 and scale == pytest.approx((hi - lo) / 255, rel=1e-6)
        covered_lo, covered_hi = (-128 - zero_point) * scale, (127 - zero_point) * scale
        assert covered_lo <= lo + scale / 2 + 1e-6 and covered_hi >= hi - scale / 2 - 1e-6, (lo, hi)


def test_degenerate_and_tiny_ranges():
    assert activation_params(0.0, 0.0) == pytest.approx((1 / 255, -128))
    scale, _ = activation_params(0.0, 1e-12)
    assert scale >= MIN_SCALE
    assert widened((1e-3, 5), 0.01)[0] >= 0.01


def test_weights_per_channel_max_maps_to_127_zero_point_0():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32) * np.array([0.1, 1.0, 10.0, 0.001], np.float32)[:, None,
                                                                                                           None, None]
    q, scales = quantize_weights(w, axis=0)
    assert q.dtype == np.int8
    per_channel = np.abs(q.reshape(4, -1)).max(axis=1)
    np.testing.assert_array_equal(per_channel, 127)
    np.testing.assert_allclose(scales, np.abs(w.reshape(4, -1)).max(axis=1) / 127, rtol=1e-6)
    np.testing.assert_allclose(q * np.asarray(scales)[:, None, None, None], w, atol=max(scales) / 2 + 1e-9)


def test_depthwise_weights_along_axis_3():
    w = np.zeros((1, 2, 2, 3), np.float32)
    w[..., 0], w[..., 1], w[..., 2] = 0.5, -2.0, 0.0
    w[0, 0, 0, 0] = -1.0
    q, scales = quantize_weights(w, axis=3)
    assert scales[:2] == pytest.approx([1 / 127, 2 / 127])
    assert q[0, 0, 0, 0] == -127 and q[0, 1, 1, 1] == -127 and q[0, 1, 1, 0] == 64   # 0.5 * 127 = 63.5 -> 64
    assert scales[2] > 0 and np.all(q[..., 2] == 0)                                      # an all-zero channel


def test_weights_stay_in_symmetric_range():
    q, _ = quantize_weights(np.array([[-3.0, 3.0, 1.0]], np.float32), axis=0)
    np.testing.assert_array_equal(q, [[-127, 127, 42]])


def test_bias_scale_is_input_scale_times_weight_scale():
    w_scales = [0.01, 0.002]
    q, scales = quantize_bias(np.array([0.5, -0.25], np.float32), 0.05, w_scales)
    assert scales == pytest.approx([0.05 * 0.01, 0.05 * 0.002], rel=1e-6)
    np.testing.assert_array_equal(q, [1000, -2500])
    assert q.dtype == np.int32
    assert bias_scales(0.05, w_scales) == scales


def test_weight_scale_raised_when_bias_would_overflow_int32():
    w_scales = [1e-9, 0.01]
    raised = scales_for_bias(np.array([4.0, 4.0]), 0.05, w_scales)
    assert raised[0] > w_scales[0] and raised[1] == w_scales[1]
    q, _ = quantize_bias(np.array([4.0, 4.0]), 0.05, raised)
    assert abs(int(q[0])) <= 2 ** 30
