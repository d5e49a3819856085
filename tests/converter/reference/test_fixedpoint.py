"""TFLite integer primitives: known answers from the spec, then the vectorized forms against scalar ones."""
import numpy as np
from hypothesis import given, strategies as st

from support import mbqm_scalar, rdbpot_scalar, srdhm_scalar
from tensorlet.converter.reference.fixedpoint import (INT32_MAX, INT32_MIN, multiply_by_quantized_multiplier,
                                                      quantize_multiplier, rounding_divide_by_pot,
                                                      saturating_rounding_doubling_high_mul, wrap_int32)

int32s = st.integers(INT32_MIN, INT32_MAX)


def test_srdhm_known_answers():
    half = 1 << 30  # 0.5 in Q31
    assert saturating_rounding_doubling_high_mul(100, half) == 50
    assert saturating_rounding_doubling_high_mul(3, half) == 2      # 1.5 -> 2: positive ties round up
    assert saturating_rounding_doubling_high_mul(-3, half) == -1    # -1.5 -> -1: the negative nudge 1 - 2^30
    assert saturating_rounding_doubling_high_mul(1, half) == 1      # 0.5 -> 1
    assert saturating_rounding_doubling_high_mul(-1, half) == 0     # -0.5 -> 0, then truncation toward zero
    assert saturating_rounding_doubling_high_mul(-5, half) == -2    # -2.5 -> -2
    assert saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX  # the one saturation
    assert saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX) == INT32_MAX - 1


def test_rdbpot_known_answers():
    assert rounding_divide_by_pot(5, 1) == 3     # 2.5 -> 3
    assert rounding_divide_by_pot(-5, 1) == -3   # -2.5 -> -3
    assert rounding_divide_by_pot(7, 2) == 2     # 1.75 -> 2
    assert rounding_divide_by_pot(-7, 2) == -2
    assert rounding_divide_by_pot(6, 2) == 2     # 1.5 -> 2
    assert rounding_divide_by_pot(-6, 2) == -2   # -1.5 -> -2
    assert rounding_divide_by_pot(-2, 2) == -1   # -0.5 -> -1
    assert rounding_divide_by_pot(2, 2) == 1     # 0.5 -> 1
    assert rounding_divide_by_pot(123, 0) == 123
    assert rounding_divide_by_pot(INT32_MIN, 31) == -1
    assert rounding_divide_by_pot(INT32_MAX, 31) == 1


def test_multiply_by_quantized_multiplier_known_answers():
    m, s = quantize_multiplier(0.5)
    assert (m, s) == (1 << 30, 0)
    assert multiply_by_quantized_multiplier(1001, m, s) == 501          # 500.5 -> 501
    m, s = quantize_multiplier(0.25)
    assert (m, s) == (1 << 30, -1)
    assert multiply_by_quantized_multiplier(-10, m, s) == -3           # -2.5 -> -3 (double rounding)
    m, s = quantize_multiplier(3.0)
    assert (m, s) == (3 << 29, 2)
    assert multiply_by_quantized_multiplier(7, m, s) == 21              # left shift path
    # double rounding: 2 * 0.1875 = 0.375 would round to 0 once; SRDHM gives 2 * 0.75 = 1.5 -> 2, then 2/4 -> 1
    m, s = quantize_multiplier(0.1875)
    assert multiply_by_quantized_multiplier(2, m, s) == 1
    # the left shift wraps in int32 as C does
    assert multiply_by_quantized_multiplier(1 << 30, 1 << 30, 2) == wrap_int32((1 << 32)) // 2


def test_quantize_multiplier_edges():
    assert quantize_multiplier(0.0) == (0, 0)
    assert quantize_multiplier(1.0) == (1 << 30, 1)
    assert quantize_multiplier(2.0 ** -40) == (0, 0)           # shift < -31 flushes to zero
    m, s = quantize_multiplier(0.9999999999)                    # rounds up to 2^31: halved, shift + 1
    assert (m, s) == (1 << 30, 1)
    m, s = quantize_multiplier(0.0123)
    assert abs(m * 2.0 ** (s - 31) - 0.0123) < 1e-11


@given(int32s, int32s)
def test_srdhm_matches_scalar(a, b):
    assert saturating_rounding_doubling_high_mul(a, b) == srdhm_scalar(a, b)


@given(int32s, st.integers(0, 31))
def test_rdbpot_matches_scalar(x, e):
    assert rounding_divide_by_pot(x, e) == rdbpot_scalar(x, e)


@given(st.lists(int32s, min_size=1, max_size=8), st.integers(0, INT32_MAX), st.integers(-31, 8))
def test_mbqm_vectorized_matches_scalar(xs, m, s):
    got = multiply_by_quantized_multiplier(np.array(xs), m, s)
    assert list(got) == [mbqm_scalar(x, m, s) for x in xs]
