"""Range observers on synthetic distributions: min/max, percentile clipping, MSE-optimal clipping."""
import numpy as np
import pytest

from tensorlet.converter.quantize.observers import (HistogramObserver, MinMaxObserver, MseObserver,
                                                    PercentileObserver, make_observer)
from tensorlet.converter.quantize.params import activation_params, dequantize_array, quantize_array


def quantization_mse(x: np.ndarray, value_range) -> float:
    scale, zero_point = activation_params(*value_range)
    return float(np.mean((dequantize_array(quantize_array(x, scale, zero_point), scale, zero_point) - x) ** 2))


def feed(observer, x: np.ndarray, chunks: int = 8):
    for part in np.array_split(x, chunks):
        observer.observe(part)
    return observer


def test_minmax_over_several_batches():
    o = feed(MinMaxObserver(), np.array([0.5, -2.0, 3.0, np.nan, 1.0]), chunks=3)
    assert o.range() == (-2.0, 3.0)
    assert MinMaxObserver().range() == (0.0, 0.0)


def test_histogram_grows_without_losing_counts():
    rng = np.random.default_rng(0)
    o = HistogramObserver(bins=64)
    o.observe(rng.uniform(-1, 1, 1000))
    o.observe(rng.uniform(-100, 100, 1000))              # radius doubles 7 times, bins merge
    o.observe(np.zeros(10))
    assert o.counts.sum() + o.zeros == 2010 and o.zeros == 10
    assert o.radius >= 100
    counts, edges = o.abs_counts()
    assert counts.sum() == 2010 and edges[-1] == pytest.approx(o.radius)


def test_percentile_clips_an_outlier():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(200_000)
    x[123] = 1000.0
    minmax = feed(MinMaxObserver(), x).range()
    clipped = feed(PercentileObserver(99.99), x).range()
    assert minmax[1] == 1000.0
    assert 3.0 < clipped[1] < 5.0 and -5.0 < clipped[0] < -3.0        # |N(0,1)| 99.99th percentile ~ 3.9
    assert clipped[0] >= minmax[0]
    assert quantization_mse(x[x < 100], clipped) < quantization_mse(x[x < 100], minmax) / 100


def test_percentile_is_configurable():
    x = np.random.default_rng(2).uniform(0, 10, 100_000)
    assert feed(PercentileObserver(50.0), x).range()[1] == pytest.approx(5.0, abs=0.1)
    assert feed(PercentileObserver(100.0), x).range()[1] == pytest.approx(10.0, abs=0.01)
    with pytest.raises(ValueError):
        PercentileObserver(0.0)


def test_mse_clips_a_heavy_tailed_distribution_and_beats_minmax():
    x = np.random.default_rng(3).standard_t(3, 200_000)   # heavy tails: max |x| ~ 60, 99.99% within 23
    minmax = feed(MinMaxObserver(), x).range()
    mse = feed(MseObserver(), x).range()
    assert max(abs(mse[0]), abs(mse[1])) < 0.9 * max(abs(minmax[0]), abs(minmax[1]))
    assert quantization_mse(x, mse) < 0.9 * quantization_mse(x, minmax)
    assert quantization_mse(x, mse) < quantization_mse(x, feed(PercentileObserver(99.99), x).range())


def test_mse_keeps_the_full_range_of_a_uniform_distribution():
    x = np.random.default_rng(4).uniform(-1, 1, 100_000)
    lo, hi = feed(MseObserver(), x).range()
    assert lo < -0.95 and hi > 0.95


def test_mse_ignores_exact_zeros_of_a_relu_output():
    x = np.maximum(np.random.default_rng(5).standard_normal(100_000), 0.0)
    lo, hi = feed(MseObserver(), x).range()
    assert lo == 0.0 and hi > 3.0
    assert quantization_mse(x, (lo, hi)) <= quantization_mse(x, (0.0, x.max())) * 1.01


def test_make_observer_rejects_unknown_methods():
    assert isinstance(make_observer("mse"), MseObserver)
    with pytest.raises(ValueError, match="unknown calibration method"):
        make_observer("kl")
