"""THE parity check of a runtime against the numpy reference interpreter: int8 (and every integer dtype) outputs
identical, float outputs within 1e-5 relative to the output's largest magnitude. Adding an op means adding cases.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run

FLOAT_RTOL = 1e-5

Backend = Callable[[bytes, list], list]


def compare(expected: list[np.ndarray], got: list[np.ndarray], rtol: float = FLOAT_RTOL, what: str = "") -> None:
    """Raise AssertionError unless every output matches: same dtype and shape; integers equal; floats within
    rtol * max|expected| (NaN where the reference has NaN)."""
    assert len(got) == len(expected), f"{what}: {len(got)} outputs, expected {len(expected)}"
    for k, (e, g) in enumerate(zip(expected, got)):
        g = np.asarray(g)
        label = f"{what} output {k}"
        assert g.dtype == e.dtype, f"{label}: dtype {g.dtype}, reference {e.dtype}"
        assert g.shape == e.shape, f"{label}: shape {g.shape}, reference {e.shape}"
        if np.issubdtype(e.dtype, np.integer):
            if not np.array_equal(g, e):
                bad = np.flatnonzero(g.reshape(-1) != e.reshape(-1))
                diff = np.abs(g.astype(np.int64) - e.astype(np.int64)).max()
                raise AssertionError(f"{label}: {bad.size} of {e.size} int values differ (max |diff| {diff}), "
                                     f"first at flat index {bad[0]}: {g.reshape(-1)[bad[0]]} vs {e.reshape(-1)[bad[0]]}")
            continue
        nan = np.isnan(e)
        assert np.array_equal(np.isnan(g), nan), f"{label}: NaN positions differ"
        finite = e[~nan].astype(np.float64)
        scale = np.abs(finite).max() if finite.size else 0.0
        err = np.abs(g[~nan].astype(np.float64) - finite).max() if finite.size else 0.0
        assert err <= rtol * scale or err == 0.0, \
            f"{label}: max |diff| {err:.3g} exceeds {rtol:g} x max |reference| {scale:.3g}"


def assert_parity(model_bytes: bytes, inputs, run_backend: Backend, rtol: float = FLOAT_RTOL, what: str = "") -> None:
    """Run `model_bytes` on `inputs` (arrays in model-input order) through `run_backend` and through the reference
    interpreter; AssertionError naming the first mismatch."""
    inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    expected = run(from_bytes(model_bytes), inputs)
    compare(expected, run_backend(model_bytes, inputs), rtol, what)
