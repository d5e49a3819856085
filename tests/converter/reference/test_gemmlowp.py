"""gemmlowp fixed-point math: hand-worked raw values, float error bounds, and the vectorized forms against scalar
Python-int transcriptions of gemmlowp's and TFLite's definitions (written here, one element at a time)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from support import rdbpot_scalar, srdhm_scalar
from tensorlet.converter.reference import gemmlowp as g
from tensorlet.converter.reference.fixedpoint import INT32_MAX, INT32_MIN

int32s = st.integers(INT32_MIN, INT32_MAX)
RNG = np.random.default_rng(12345)


# ---- scalar transcriptions (Python ints; C's int32 wrap made explicit) ----

def wrap(v: int) -> int:
    return (v + (1 << 31)) % (1 << 32) - (1 << 31)


def s_srmbpot(x: int, exponent: int) -> int:
    if exponent == 0:
        return x
    if exponent < 0:
        return rdbpot_scalar(x, -exponent)
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return x * (1 << exponent)


def s_half_sum(a: int, b: int) -> int:
    total = a + b
    total += 1 if total >= 0 else -1
    return int(math.copysign(abs(total) // 2, total))


def s_exp_quarter(a: int) -> int:
    x = wrap(a + (1 << 28))
    x2 = srdhm_scalar(x, x)
    x3 = srdhm_scalar(x2, x)
    x4 = srdhm_scalar(x2, x2)
    poly = s_srmbpot(wrap(srdhm_scalar(wrap(s_srmbpot(x4, -2) + x3), 715827883) + x2), -1)
    return wrap(1895147668 + srdhm_scalar(1895147668, wrap(x + poly)))


def s_exp_negative(a: int, k: int) -> int:
    frac = 31 - k
    quarter = 1 << (frac - 2)
    a_mod = wrap((a & (quarter - 1)) - quarter)
    result = s_exp_quarter(s_srmbpot(a_mod, k))
    remainder = wrap(a_mod - a)
    for e, m in ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308), (2, 39332535), (3, 720401),
                 (4, 242)):
        if k > e and remainder & (1 << (frac + e)):
            result = srdhm_scalar(result, m)
    if k > 5 and a < -(1 << (36 - k)):
        result = 0
    return INT32_MAX if a == 0 else result


def s_newton(half_den: int) -> int:
    x = wrap(1515870810 + srdhm_scalar(half_den, -1010580540))
    for _ in range(3):
        x = wrap(x + s_srmbpot(srdhm_scalar(x, wrap((1 << 29) - srdhm_scalar(half_den, x))), 2))
    return x


def s_one_over_one_plus_x(a: int) -> int:
    return s_srmbpot(s_newton(s_half_sum(a, INT32_MAX)), 1)


def s_one_minus_x_over_one_plus_x(a: int) -> int:
    return s_srmbpot(wrap(s_newton(s_half_sum(a, INT32_MAX)) - (1 << 29)), 2)


def s_tanh(a: int, k: int) -> int:
    n = a if a < 0 else wrap(-a)
    t = s_one_minus_x_over_one_plus_x(s_exp_negative(n, k + 1))
    return 0 if a == 0 else (wrap(-t) if a < 0 else t)


def s_logistic(a: int, k: int) -> int:
    abs_a = a if a > 0 else wrap(-a)
    positive = s_one_over_one_plus_x(s_exp_negative(wrap(-abs_a), k))
    return 1 << 30 if a == 0 else (positive if a > 0 else wrap(INT32_MAX - positive))


def s_clz(x: int) -> int:
    return 32 - (x & 0xFFFFFFFF).bit_length()


def s_log(x: int, in_bits: int, out_bits: int) -> int:
    acc = out_bits + 1
    sat = lambda v: max(INT32_MIN, min(INT32_MAX, v))  # noqa: E731
    quarter = s_srmbpot(536870912, -acc)
    h1 = s_clz(x)
    r_a = s_srmbpot(srdhm_scalar(s_srmbpot(x, h1 - 1), 1518500250), 1)
    za_adj = sat(s_srmbpot(in_bits - h1, 31 - acc) + quarter)
    zb_h = s_clz(srdhm_scalar(x, 1518500250)) - 1
    r_b = s_srmbpot(x, zb_h)
    zb_adj = sat(s_srmbpot(in_bits - zb_h, 31 - acc) - quarter)
    r, z = min(r_a, r_b), max(za_adj, zb_adj)
    p = s_half_sum(r, 1805811301)
    q = wrap(2 * wrap(r - 1805811301))
    sq = srdhm_scalar(q, q)
    num = wrap(srdhm_scalar(q, r) + srdhm_scalar(srdhm_scalar(q, sq), 117049297))
    den = wrap(srdhm_scalar(p, wrap(1057819769 + q + srdhm_scalar(127690142, sq))) + srdhm_scalar(638450708, q))
    total = wrap(srdhm_scalar(z, 1488522236) + srdhm_scalar(s_srmbpot(num, -acc), s_one_over_one_plus_x(den)))
    return s_srmbpot(total, acc - out_bits)


def elementwise(fn, values, *args) -> list[int]:
    return [fn(int(v), *args) for v in values]


def edge_and_random(low: int, high: int, count: int = 400) -> np.ndarray:
    edges = [low, low + 1, high - 1, high, (low + high) // 2]
    return np.unique(np.concatenate([edges, RNG.integers(low, high, count, endpoint=True)])).astype(np.int64)


# ---- hand-worked raw values ----

def test_primitive_known_answers():
    assert g.rounding_half_sum(3, 4) == 4                    # 3.5 rounds away from zero
    assert g.rounding_half_sum(-3, -4) == -4
    assert g.rounding_half_sum(1, -2) == -1                  # -0.5 -> -1
    assert g.rounding_half_sum(INT32_MAX, INT32_MAX) == INT32_MAX
    assert g.saturating_rounding_multiply_by_pot(3, 2) == 12
    assert g.saturating_rounding_multiply_by_pot(1 << 29, 2) == INT32_MAX     # 2^31 does not fit: saturates
    assert g.saturating_rounding_multiply_by_pot(-(1 << 29), 2) == INT32_MIN  # -2^31 fits, but gemmlowp's
    assert g.saturating_rounding_multiply_by_pot((1 << 29) - 1, 2) == (1 << 31) - 4   # threshold is symmetric
    assert g.saturating_rounding_multiply_by_pot(5, -1) == 3                  # 2.5 -> 3 (RoundingDivideByPOT)
    assert g.saturating_rounding_multiply_by_pot(-5, -1) == -3
    assert list(g.count_leading_zeros([0, 1, -1, 1 << 30, INT32_MAX, INT32_MIN, 1 << 19])) == [32, 31, 0, 1, 1, 0, 12]
    assert g.rescale(1 << 26, 5, 0) == INT32_MAX               # 1.0 in Q5.26 is not representable in Q0.31
    assert g.rescale(1 << 25, 5, 0) == 1 << 30                 # 0.5 in both
    assert g.rescale(INT32_MAX, 0, 12) == 1 << 19              # (2^31 - 1) / 2^12 rounds up to 1.0 in Q12.19
    assert g.add(INT32_MAX, 1) == INT32_MIN                    # plain int32 add wraps
    assert g.neg(INT32_MIN) == INT32_MIN


def test_function_known_answers():
    # exp(0) is One() of Q0.31 whatever the input format.
    assert g.exp_on_negative_values(0, 5) == INT32_MAX
    # -1.0 in Q5.26 is -2^26: a mod 1/4 = 0, so the interval part sees -1/4 and the remainder 3/4 sets the 1/4 and
    # 1/2 bits: exp(-1) = poly(-1/4) * exp(-1/4) * exp(-1/2). The polynomial's error (~1e-7) leaves it within
    # 2^-23 (256 LSB) of the exp(-1) constant, 790015084.
    exp_minus_one = int(g.exp_on_negative_values(-(1 << 26), 5))
    assert 0 < exp_minus_one - 790015084 < 256
    assert exp_minus_one == s_exp_negative(-(1 << 26), 5)
    # Below -32 with 6 integer bits the result is clamped to exactly 0.
    assert g.exp_on_negative_values(-(33 << 25), 6) == 0
    assert g.logistic(0, 4) == 1 << 30                        # exactly 1/2
    assert g.tanh(0, 4) == 0
    # 1/(1 + 0): half denominator 2^30 (1/2); first guess 48/17 - 32/17 * 1/2 = 32/17, i.e. 1515870810 - 505290270
    # = 1010580540 in Q2.29; Newton converges to 2.0 (2^30 in Q2.29), which as Q1.30 is 1.0 and saturates in Q0.31.
    assert g.one_over_one_plus_x_for_x_in_0_1(0) == INT32_MAX
    # 1/(1 + (1 - 2^-31)) is 1/2 + 2^-33: Newton's three steps end 4 LSB below 2^30.
    assert g.one_over_one_plus_x_for_x_in_0_1(INT32_MAX) == (1 << 30) - 4
    # (1 - 0)/(1 + 0) = 1: Newton's 2.0 - 1.0 = 1.0 in Q2.29 saturates in Q0.31.
    assert g.one_minus_x_over_one_plus_x_for_x_in_0_1(0) == INT32_MAX
    # GetReciprocal of 1.0 in Q12.19: 12 leading zeros, normalized 1.0 -> x' - 1 = 0 -> 1/1 saturates, 0 bits over.
    scale, bits = g.get_reciprocal(1 << 19, 12)
    assert (scale, bits) == (INT32_MAX, 0)
    # 1.5 in Q12.19 (3 << 18): still 12 leading zeros, 0 bits over; x' - 1 = 0.5 -> 1/1.5 = 2/3.
    scale, bits = g.get_reciprocal(3 << 18, 12)
    assert bits == 0 and abs(int(scale) - round(2 / 3 * 2 ** 31)) < 8
    # 3.0 (3 << 19): 11 leading zeros -> 1 bit over unit, normalized to 1.5: 1/3 = (2/3) * 2^-1.
    assert g.get_reciprocal(3 << 19, 12) == (scale, 1)
    # log(1) = 0 and log(2) = 0.6931... (46516320 in Q5.26), to a few LSB.
    assert abs(int(g.log_x_for_x_greater_than_or_equal_to_1(1 << 19, 12, 5))) < 8
    assert abs(int(g.log_x_for_x_greater_than_or_equal_to_1(1 << 20, 12, 5)) - round(math.log(2) * 2 ** 26)) < 8


def test_prepare_parameters_known_answers():
    # 0.1f * 2^26 = 13421773 * 2^-27 * 2^26 = 6710886.5 = 0.80000001 * 2^23 -> multiplier 6710886.5 * 2^8.
    assert g.preprocess_softmax_scaling(1.0, float(np.float32(0.1)), 5) == (1717986944, 23)
    # scale 1.0: 2^26 = 0.5 * 2^27; radius floor(31 * 2^26 / 2^27) = 15.
    assert g.preprocess_softmax_scaling(1.0, 1.0, 5) == (1 << 30, 27)
    assert g.calculate_input_radius(5, 27) == 15
    assert g.calculate_input_radius(5, 23) == 248
    assert g.calculate_input_radius(4, 28) == 7               # logistic/tanh with input scale 1.0
    # The real multiplier is capped at 2^31 - 1: shift 31, radius 0 (only the row max survives).
    assert g.preprocess_softmax_scaling(1.0, 1000.0, 5) == (INT32_MAX, 31)
    assert g.calculate_input_radius(5, 31) == 0
    with pytest.raises(ValueError):
        g.preprocess_softmax_scaling(1.0, 2.0 ** -27, 5)       # real multiplier 0.5: TFLite aborts
    # Reverse scaling: 2^(31 - 27) / 2^30 = 2^-26 -> (2^30, -25).
    assert g.preprocess_log_softmax_scaling_exp(1.0, 1.0, 5) == (1 << 30, 27, 1 << 30, -25)


# ---- error bounds against float definitions ----

def test_exp_interval_and_negative_values_error_bounds():
    a = edge_and_random(-(1 << 29), -1)
    got = g.to_double(g.exp_on_interval_between_negative_one_quarter_and_0_excl(a), 0)
    assert np.max(np.abs(got - np.exp(g.to_double(a, 0)))) < 3e-7
    for k in (0, 1, 4, 5, 6, 12):
        a = -edge_and_random(0, INT32_MAX)
        got = g.to_double(g.exp_on_negative_values(a, k), 0)
        assert np.max(np.abs(got - np.exp(g.to_double(a, k)))) < 3e-7, k


def test_tanh_logistic_reciprocal_error_bounds():
    x = edge_and_random(INT32_MIN, INT32_MAX)
    for k in (0, 2, 4, 5):
        real = g.to_double(x, k)
        assert np.max(np.abs(g.to_double(g.tanh(x, k), 0) - np.tanh(real))) < 2e-7, k
        assert np.max(np.abs(g.to_double(g.logistic(x, k), 0) - 1 / (1 + np.exp(-real)))) < 1e-7, k
    a = edge_and_random(0, INT32_MAX)
    real = g.to_double(a, 0)
    assert np.max(np.abs(g.to_double(g.one_over_one_plus_x_for_x_in_0_1(a), 0) - 1 / (1 + real))) < 1e-8
    assert np.max(np.abs(g.to_double(g.one_minus_x_over_one_plus_x_for_x_in_0_1(a), 0) - (1 - real) / (1 + real))) \
        < 1e-8


def test_log_and_reciprocal_error_bounds():
    x = edge_and_random(1 << 19, INT32_MAX)                  # [1, 4096) in Q12.19
    log = g.log_x_for_x_greater_than_or_equal_to_1(x, 12, 5)
    assert np.max(np.abs(g.to_double(log, 5) - np.log(g.to_double(x, 12)))) < 1e-7
    scale, bits = g.get_reciprocal(x, 12)
    assert np.max(np.abs(g.to_double(scale, 0) * 2.0 ** -bits.astype(float) * g.to_double(x, 12) - 1)) < 1e-8
    with pytest.raises(ValueError):
        g.log_x_for_x_greater_than_or_equal_to_1(x, 12, 3)    # log(4096) = 8.3 needs 4 integer bits


# ---- vectorized == scalar transcription ----

@settings(max_examples=60, deadline=None)
@given(st.lists(int32s, min_size=1, max_size=16), st.integers(-31, 31))
def test_srmbpot_matches_scalar(xs, exponent):
    assert list(g.saturating_rounding_multiply_by_pot(np.array(xs), exponent)) == elementwise(s_srmbpot, xs, exponent)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(int32s, int32s), min_size=1, max_size=16))
def test_half_sum_and_clz_match_scalar(pairs):
    a, b = np.array(pairs).T
    assert list(g.rounding_half_sum(a, b)) == [s_half_sum(int(x), int(y)) for x, y in pairs]
    assert list(g.count_leading_zeros(a)) == elementwise(s_clz, a)


@pytest.mark.parametrize("k", [0, 1, 3, 4, 5, 6, 12])
def test_exp_on_negative_values_matches_scalar(k):
    a = -edge_and_random(0, INT32_MAX, 300)
    a = np.concatenate([a, [INT32_MIN]])
    assert list(g.exp_on_negative_values(a, k)) == elementwise(s_exp_negative, a, k)


def test_reciprocals_match_scalar():
    a = edge_and_random(0, INT32_MAX, 300)
    assert list(g.one_over_one_plus_x_for_x_in_0_1(a)) == elementwise(s_one_over_one_plus_x, a)
    assert list(g.one_minus_x_over_one_plus_x_for_x_in_0_1(a)) == elementwise(s_one_minus_x_over_one_plus_x, a)


@pytest.mark.parametrize("k", [0, 4, 5])
def test_tanh_and_logistic_match_scalar(k):
    x = np.concatenate([edge_and_random(INT32_MIN, INT32_MAX, 300), [0, 1, -1]])
    assert list(g.tanh(x, k)) == elementwise(s_tanh, x, k)
    assert list(g.logistic(x, k)) == elementwise(s_logistic, x, k)


def test_log_and_get_reciprocal_match_scalar():
    x = edge_and_random(1 << 19, INT32_MAX, 300)
    assert list(g.log_x_for_x_greater_than_or_equal_to_1(x, 12, 5)) == elementwise(s_log, x, 12, 5)
    scale, bits = g.get_reciprocal(x, 12)
    for value, s, b in zip(x, scale, bits):
        headroom = s_clz(int(value))
        assert b == 12 - headroom
        assert s == s_one_over_one_plus_x(wrap(((int(value) << headroom) & 0xFFFFFFFF) - (1 << 31)))


def test_from_double_to_double_round_trip():
    assert g.from_double(0.5, 0) == 1 << 30
    assert g.from_double(1.0, 0) == INT32_MAX                 # saturates
    assert g.from_double(-1.0, 0) == INT32_MIN
    assert g.from_double(-2.5 * 2.0 ** -26, 5) == -3           # C round: half away from zero
    assert g.to_double(1 << 26, 5) == 1.0
    assert g.one(0) == INT32_MAX and g.one(5) == 1 << 26
    assert g.constant_pot(-2, 5) == 1 << 24
    with pytest.raises(ValueError):
        g.constant_pot(0, 0)                                    # 1.0 is not representable in Q0.31
