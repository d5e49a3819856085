"""Range observers: each watches every value one tensor takes during calibration and proposes the real range
[min, max] its int8 quantization should cover.

  MinMaxObserver       the observed minimum and maximum (TFLite's default).
  PercentileObserver   clips at the given percentile of |values| (e.g. 99.99): one outlier no longer sets the scale.
  MseObserver          the clipping threshold that minimizes the expected quantization + clipping squared error over
                       a histogram of the observed values (rounding error measured against the actual grid, not
                       the scale^2/12 approximation, which overstates it when the step is coarse for the data).
The histogram observers keep a symmetric histogram over [-R, R] that doubles R (merging bin pairs) when a larger
value arrives, so one pass over the calibration data suffices. Exact zeros (ReLU outputs) are counted apart: zero
is always represented exactly, so they add no error and should not pull the MSE search.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.quantize.params import INT8_MAX, INT8_MIN

LEVELS = INT8_MAX - INT8_MIN       # 255 steps between the ends of an int8 range
DEFAULT_PERCENTILE = 99.99
DEFAULT_BINS = 4096


class MinMaxObserver:
    """The observed [min, max] of a tensor's values."""

    def __init__(self) -> None:
        self.min = np.inf
        self.max = -np.inf
        self.count = 0

    def observe(self, values: np.ndarray) -> None:
        """values: any shape, float; NaN and infinities are ignored."""
        v = np.asarray(values, np.float64).ravel()
        v = v[np.isfinite(v)]
        if v.size == 0:
            return
        self.min = min(self.min, float(v.min()))
        self.max = max(self.max, float(v.max()))
        self.count += v.size

    def range(self) -> tuple[float, float]:
        """(min, max) seen, (0, 0) before any value."""
        if self.count == 0:
            return 0.0, 0.0
        return self.min, self.max


class HistogramObserver(MinMaxObserver):
    """MinMaxObserver plus a histogram of the nonzero values: `bins` equal bins over [-R, R], R growing by
    doubling; exact zeros counted in `zeros`."""

    def __init__(self, bins: int = DEFAULT_BINS) -> None:
        super().__init__()
        if bins < 8 or bins % 4:
            raise ValueError(f"histogram bins must be a multiple of 4 and >= 8, got {bins}")
        self.bins = bins
        self.counts = np.zeros(bins, np.int64)
        self.radius = 0.0
        self.zeros = 0

    def _grow(self, absmax: float) -> None:
        """Double the radius until absmax fits, merging bin pairs into the middle half each time."""
        if self.radius == 0.0:
            self.radius = absmax
            return
        while self.radius < absmax:
            merged = self.counts.reshape(-1, 2).sum(axis=1)
            self.counts = np.zeros(self.bins, np.int64)
            quarter = self.bins // 4
            self.counts[quarter:quarter + merged.size] = merged
            self.radius *= 2.0

    def observe(self, values: np.ndarray) -> None:
        super().observe(values)
        v = np.asarray(values, np.float64).ravel()
        v = v[np.isfinite(v)]
        nonzero = v[v != 0]
        self.zeros += v.size - nonzero.size
        if nonzero.size == 0:
            return
        self._grow(float(np.abs(nonzero).max()))
        counts, _ = np.histogram(nonzero, bins=self.bins, range=(-self.radius, self.radius))
        self.counts += counts

    def centers(self) -> np.ndarray:
        """[bins] the center of each bin."""
        width = 2.0 * self.radius / self.bins
        return -self.radius + width * (np.arange(self.bins) + 0.5)

    def abs_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(counts [bins/2], upper edges [bins/2]) of |values|, zeros in the first bin."""
        half = self.bins // 2
        folded = self.counts[half:] + self.counts[:half][::-1]
        folded[0] += self.zeros
        edges = self.radius * (np.arange(1, half + 1) / half)
        return folded, edges

    def clipped(self, threshold: float) -> tuple[float, float]:
        """The observed range clipped to [-threshold, threshold]."""
        lo, hi = MinMaxObserver.range(self)
        return max(lo, -threshold), min(hi, threshold)


class PercentileObserver(HistogramObserver):
    """Clip at the `percentile` of |values| (linear inside the histogram bin that reaches it)."""

    def __init__(self, percentile: float = DEFAULT_PERCENTILE, bins: int = DEFAULT_BINS) -> None:
        super().__init__(bins)
        if not 0.0 < percentile <= 100.0:
            raise ValueError(f"percentile must be in (0, 100], got {percentile}")
        self.percentile = percentile

    def threshold(self) -> float:
        counts, edges = self.abs_counts()
        total = counts.sum()
        if total == 0 or self.radius == 0.0:
            return 0.0
        cumulative = np.cumsum(counts)
        target = self.percentile / 100.0 * total
        k = int(np.searchsorted(cumulative, target))
        k = min(k, counts.size - 1)
        below = cumulative[k - 1] if k > 0 else 0
        width = edges[0]
        fraction = (target - below) / counts[k] if counts[k] else 1.0
        return float(edges[k] - width + fraction * width)

    def range(self) -> tuple[float, float]:
        if self.count == 0:
            return 0.0, 0.0
        return self.clipped(self.threshold())


def _sawtooth_integral(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Integral from 0 to x of d(t)^2, d(t) the distance from t to the nearest multiple of step (broadcasting)."""
    k = np.floor(x / step)
    u = x - k * step
    half = np.where(u <= step / 2, u ** 3 / 3, step ** 3 / 12 - (step - u) ** 3 / 3)
    return k * step ** 3 / 12 + half


def expected_error(centers: np.ndarray, width: float, counts: np.ndarray, lo: np.ndarray,
                   hi: np.ndarray) -> np.ndarray:
    """Summed squared error of quantizing a histogram (bin centers, width, counts [B]; values uniform inside each
    bin) to each candidate range (lo, hi [K], widened to include 0): values outside are clipped to the nearer end,
    values inside round to the nearest multiple of scale = (hi - lo) / 255 (the grid holds 0 exactly). -> [K]."""
    lo, hi = np.minimum(lo, 0.0)[:, None], np.maximum(hi, 0.0)[:, None]
    scale = np.maximum((hi - lo) / LEVELS, np.finfo(np.float64).tiny)
    x = centers[None, :]
    rounding = (_sawtooth_integral(x + width / 2, scale) - _sawtooth_integral(x - width / 2, scale)) / width
    clipping = np.where(x < lo, (x - lo) ** 2, (x - hi) ** 2) + width ** 2 / 12
    error = np.where((x < lo) | (x > hi), clipping, rounding)
    return error @ counts.astype(np.float64)


class MseObserver(HistogramObserver):
    """The clipping threshold T (range = observed range clipped to [-T, T]) minimizing expected_error, searched over
    `candidates` thresholds spaced geometrically from absmax / 4096 to absmax."""

    def __init__(self, bins: int = DEFAULT_BINS, candidates: int = 512) -> None:
        super().__init__(bins)
        self.candidates = candidates

    def threshold(self) -> float:
        lo, hi = MinMaxObserver.range(self)
        absmax = max(abs(lo), abs(hi))
        if absmax == 0.0 or self.counts.sum() == 0:
            return absmax
        thresholds = absmax * np.geomspace(1.0 / 4096, 1.0, self.candidates)
        used = self.counts > 0
        width = 2.0 * self.radius / self.bins
        errors = expected_error(self.centers()[used], width, self.counts[used], np.maximum(lo, -thresholds),
                                np.minimum(hi, thresholds))
        return float(thresholds[int(np.argmin(errors))])

    def range(self) -> tuple[float, float]:
        if self.count == 0:
            return 0.0, 0.0
        return self.clipped(self.threshold())


METHODS = ("minmax", "percentile", "mse")


def make_observer(method: str, percentile: float = DEFAULT_PERCENTILE, bins: int = DEFAULT_BINS):
    """A fresh observer for `method` ("minmax", "percentile" or "mse")."""
    if method == "minmax":
        return MinMaxObserver()
    if method == "percentile":
        return PercentileObserver(percentile, bins)
    if method == "mse":
        return MseObserver(bins)
    raise ValueError(f"unknown calibration method {method!r}; expected one of {', '.join(METHODS)}")
