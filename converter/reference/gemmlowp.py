"""gemmlowp's fixed-point math (fixedpoint/fixedpoint.h) and TFLite's additions to it, vectorized.

A gemmlowp FixedPoint<int32, k> is a raw int32 with k integer bits (sign excluded) and 31 - k fractional bits:
real = raw / 2^(31 - k). Here a fixed-point value is its raw value in an int64 numpy array holding int32 values;
the integer bits k are passed alongside by the caller, as C++ carries them in the type. Every result is an int32
value again; where C++ would overflow (gemmlowp's plain Add/Sub/Neg/ShiftLeft) the value wraps as two's-complement
int32 arithmetic does on the targets, so the arithmetic here is bit-exact with gemmlowp's scalar code.

Also here: the pieces of TFLite's kernels/internal/common.h that its int8 softmax and log-softmax build on
(CountLeadingZeros, SaturatingRoundingMultiplyByPOTParam, GetReciprocal, log_x_for_x_greater_than_or_equal_to_1)
and the prepare-time parameters of quantization_util.cc (PreprocessSoftmaxScaling, CalculateInputRadius,
PreprocessLogSoftmaxScalingExp) in TFLite's default double-rounding build.
"""
from __future__ import annotations

import numpy as np

from tensorlet.converter.reference.fixedpoint import (INT32_MAX, INT32_MIN, quantize_multiplier,
                                                       round_half_away, rounding_divide_by_pot,
                                                       saturating_rounding_doubling_high_mul, wrap_int32)

# Raw int32 constants of gemmlowp and TFLite (their GEMMLOWP_CHECKED_FIXEDPOINT_CONSTANTs), with their real values.
EXP_MINUS_ONE_EIGHTH = 1895147668      # Q0.31 exp(-1/8)
ONE_THIRD = 715827883                   # Q0.31 1/3
EXP_BARREL = (                          # (e, Q0.31 exp(-2^e)) for exp_on_negative_values' barrel shifter
    (-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308), (2, 39332535), (3, 720401), (4, 242))
FORTY_EIGHT_OVER_17 = 1515870810        # Q2.29 48/17, Newton-Raphson division's initial guess
MINUS_32_OVER_17 = -1010580540          # Q2.29 -32/17
LOG_2 = 1488522236                      # Q0.31 log(2)
SQRT_SQRT_HALF = 1805811301             # Q0.31 0.5^(1/4)
SQRT_HALF = 1518500250                  # Q0.31 sqrt(0.5)
ONE_QUARTER = 536870912                 # Q0.31 1/4
LOG_ALPHA_N = 117049297                 # Q0.31 11/240 * 2^(1/4)
LOG_ALPHA_D = 127690142                 # Q0.31 1/20 * 2^(1/4)
LOG_ALPHA_I = 1057819769                # Q0.31 2 / 2^(1/4) - 2^(1/4)
LOG_ALPHA_F = 638450708                 # Q0.31 1/4 * 2^(1/4)


def _i64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


# ---- raw values and constants ----

def fractional_bits(integer_bits: int) -> int:
    """Fractional bits of FixedPoint<int32, integer_bits>."""
    if not 0 <= integer_bits <= 31:
        raise ValueError(f"FixedPoint<int32> has 0..31 integer bits, got {integer_bits}")
    return 31 - integer_bits


def one(integer_bits: int) -> int:
    """Raw value of FixedPoint<int32, k>::One(): 1.0, or the largest value (1 - 2^-31) when k == 0."""
    return INT32_MAX if integer_bits == 0 else 1 << fractional_bits(integer_bits)


def constant_pot(exponent: int, integer_bits: int) -> int:
    """Raw value of FixedPoint<int32, k>::ConstantPOT<exponent>(): 2^exponent, exactly representable."""
    offset = fractional_bits(integer_bits) + exponent
    if not 0 <= offset < 31:
        raise ValueError(f"2^{exponent} is not representable with {integer_bits} integer bits")
    return 1 << offset


def to_double(raw, integer_bits: int) -> np.ndarray:
    """raw (any shape) -> float64 real values."""
    return _i64(raw) / float(1 << fractional_bits(integer_bits))


def from_double(x, integer_bits: int) -> np.ndarray:
    """float values (any shape) -> raw int32 values, C round (half away from zero) and saturation (FromDouble)."""
    scaled = np.asarray(x, dtype=np.float64) * float(1 << fractional_bits(integer_bits))
    rounded = round_half_away(scaled)
    return np.clip(rounded, INT32_MIN, INT32_MAX).astype(np.int64)


# ---- integer primitives (gemmlowp Part 1, plus TFLite's saturating add/sub) ----

def add(a, b) -> np.ndarray:
    """a + b with int32 wrap-around (gemmlowp Add and FixedPoint operator+)."""
    return wrap_int32(_i64(a) + _i64(b))


def sub(a, b) -> np.ndarray:
    """a - b with int32 wrap-around (gemmlowp Sub and FixedPoint operator-)."""
    return wrap_int32(_i64(a) - _i64(b))


def neg(a) -> np.ndarray:
    """-a with int32 wrap-around (-INT32_MIN stays INT32_MIN)."""
    return wrap_int32(-_i64(a))


def saturating_add(a, b) -> np.ndarray:
    """a + b clamped to int32 (TFLite's SaturatingAddNonGemmlowp)."""
    return np.clip(_i64(a) + _i64(b), INT32_MIN, INT32_MAX)


def saturating_sub(a, b) -> np.ndarray:
    """a - b clamped to int32 (TFLite's SaturatingSub)."""
    return np.clip(_i64(a) - _i64(b), INT32_MIN, INT32_MAX)


def mul(a, b) -> np.ndarray:
    """FixedPoint product: SaturatingRoundingDoublingHighMul of the raws; the integer bits of a and b add up."""
    return saturating_rounding_doubling_high_mul(a, b)


def rounding_half_sum(a, b) -> np.ndarray:
    """(a + b) / 2 rounded to nearest, ties away from zero (gemmlowp RoundingHalfSum, int32)."""
    total = _i64(a) + _i64(b)
    nudged = total + np.where(total >= 0, 1, -1)
    return np.where(nudged >= 0, nudged // 2, -((-nudged) // 2))  # C division truncates toward zero


def saturating_rounding_multiply_by_pot(x, exponent) -> np.ndarray:
    """x * 2^exponent: a saturating left shift for exponent > 0, RoundingDivideByPOT for exponent < 0.

    gemmlowp's SaturatingRoundingMultiplyByPOT<exponent> and, for exponents >= 0 given per element, TFLite's
    SaturatingRoundingMultiplyByPOTParam; exponent in [-31, 31], scalar or broadcasting with x.
    """
    x = _i64(x)
    exponent = _i64(exponent)
    left = np.maximum(exponent, 0)
    threshold = (np.int64(1) << (31 - left)) - 1   # |x| above it overflows int32 when shifted; left == 0: never
    shifted = wrap_int32(x << left)
    shifted = np.where(x > threshold, INT32_MAX, np.where(x < -threshold, INT32_MIN, shifted))
    return rounding_divide_by_pot(shifted, np.maximum(-exponent, 0))


def rescale(x, src_integer_bits: int, dst_integer_bits: int) -> np.ndarray:
    """gemmlowp Rescale<dst>: FixedPoint<int32, src> raw -> FixedPoint<int32, dst> raw of the same real value."""
    return saturating_rounding_multiply_by_pot(x, src_integer_bits - dst_integer_bits)


def count_leading_zeros(x) -> np.ndarray:
    """Leading zero bits of the int32 values as uint32 (TFLite CountLeadingZeros<uint32_t>); 32 for 0."""
    unsigned = (_i64(x) & 0xFFFFFFFF).astype(np.float64)   # exact: < 2^53
    _, bit_length = np.frexp(unsigned)                      # unsigned = m * 2^bit_length, m in [0.5, 1); 0 -> 0
    return 32 - bit_length.astype(np.int64)


# ---- exp, tanh, logistic (gemmlowp Part 4) ----

def exp_on_interval_between_negative_one_quarter_and_0_excl(a) -> np.ndarray:
    """Q0.31 a in [-1/4, 0) -> Q0.31 exp(a): 4th-order Taylor expansion around -1/8."""
    x = add(a, constant_pot(-3, 0))                      # x = a + 1/8
    x2 = mul(x, x)
    x3 = mul(x2, x)
    x4 = mul(x2, x2)
    x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2)
    x4_over_24_plus_x3_over_6_plus_x2_over_2 = saturating_rounding_multiply_by_pot(
        add(mul(add(x4_over_4, x3), ONE_THIRD), x2), -1)
    return add(EXP_MINUS_ONE_EIGHTH, mul(EXP_MINUS_ONE_EIGHTH, add(x, x4_over_24_plus_x3_over_6_plus_x2_over_2)))


def exp_on_negative_values(a, integer_bits: int) -> np.ndarray:
    """FixedPoint<int32, k> a <= 0 -> Q0.31 exp(a); exp(0) is One() (INT32_MAX), below -32 it is 0 (k > 5)."""
    k, frac = integer_bits, fractional_bits(integer_bits)
    a = _i64(a)
    one_quarter = constant_pot(-2, k)
    a_mod_quarter_minus_one_quarter = sub(a & (one_quarter - 1), one_quarter)   # in [-1/4, 0)
    result = exp_on_interval_between_negative_one_quarter_and_0_excl(rescale(a_mod_quarter_minus_one_quarter, k, 0))
    remainder = sub(a_mod_quarter_minus_one_quarter, a)                        # -a rounded up to quarters, >= 0
    for exponent, multiplier in EXP_BARREL:                                    # exp(-r) = prod of exp(-2^e) per bit
        if k > exponent:
            bit_set = (remainder & (1 << (frac + exponent))) != 0
            result = np.where(bit_set, mul(result, multiplier), result)
    if k > 5:
        result = np.where(a < -(1 << (36 - k)), 0, result)                     # a < -32: exp underflows to 0
    return np.where(a == 0, one(0), result)


def _newton_reciprocal_q2(half_denominator) -> np.ndarray:
    """Q0.31 d in [1/2, 1) -> Q2.29 approximately 1/d: initial guess 48/17 - 32/17 d, then three Newton steps."""
    x = add(FORTY_EIGHT_OVER_17, mul(half_denominator, MINUS_32_OVER_17))
    for _ in range(3):
        one_minus_half_denominator_times_x = sub(one(2), mul(half_denominator, x))
        x = add(x, rescale(mul(x, one_minus_half_denominator_times_x), 4, 2))
    return x


def one_minus_x_over_one_plus_x_for_x_in_0_1(a) -> np.ndarray:
    """Q0.31 a in [0, 1) -> Q0.31 (1 - a) / (1 + a)."""
    x = _newton_reciprocal_q2(rounding_half_sum(a, one(0)))        # 1 / ((1 + a) / 2) = 2 / (1 + a)
    return rescale(sub(x, one(2)), 2, 0)


def one_over_one_plus_x_for_x_in_0_1(a) -> np.ndarray:
    """Q0.31 a in [0, 1) -> Q0.31 1 / (1 + a) (saturating to INT32_MAX at a == 0)."""
    x = _newton_reciprocal_q2(rounding_half_sum(a, one(0)))        # Q2.29 2 / (1 + a); same raw in Q1.30 halves it
    return rescale(x, 1, 0)


def tanh(a, integer_bits: int) -> np.ndarray:
    """FixedPoint<int32, k> a -> Q0.31 tanh(a), as (1 - exp(-2|a|)) / (1 + exp(-2|a|)) with a's sign."""
    a = _i64(a)
    negative = a < 0
    minus_abs = np.where(negative, a, neg(a))
    # exp(2 * minus_abs): the same raw read with one more integer bit is the exact doubling (ExactMulByPot<1>).
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(minus_abs, integer_bits + 1))
    return np.where(a == 0, 0, np.where(negative, neg(t), t))


def logistic(a, integer_bits: int) -> np.ndarray:
    """FixedPoint<int32, k> a -> Q0.31 1 / (1 + exp(-a)); 1 - logistic(|a|) for a < 0, exactly 1/2 at 0."""
    a = _i64(a)
    positive = a > 0
    abs_a = np.where(positive, a, neg(a))
    if_positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(neg(abs_a), integer_bits))
    if_negative = sub(one(0), if_positive)
    return np.where(a == 0, 1 << 30, np.where(positive, if_positive, if_negative))


# ---- TFLite's fixed-point helpers for softmax and log-softmax (kernels/internal/common.h) ----

def get_reciprocal(x, x_integer_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """FixedPoint<int32, x_integer_digits> x > 0 -> (Q0.31 s, n) with 1/x = s * 2^-n (TFLite GetReciprocal).

    x is normalized to [1, 2) by its leading zeros; s = 1 / (1 + (x' - 1)), n = num_bits_over_unit.
    """
    x = _i64(x)
    headroom_plus_one = count_leading_zeros(x)
    num_bits_over_unit = x_integer_digits - headroom_plus_one
    normalized = ((x & 0xFFFFFFFF) << headroom_plus_one) & 0xFFFFFFFF          # uint32 shift: top bit now set
    shifted_sum_minus_one = wrap_int32(normalized - (1 << 31))
    return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one), num_bits_over_unit


def min_log_x_output_bits(input_integer_bits: int) -> int:
    """Integer bits log_x_for_x_greater_than_or_equal_to_1 needs to hold log of the largest input."""
    for bits_above, output_bits in ((90, 7), (44, 6), (21, 5), (10, 4), (4, 3), (1, 2)):
        if input_integer_bits > bits_above:
            return output_bits
    return 1


def log_x_for_x_greater_than_or_equal_to_1(x, input_integer_bits: int, output_integer_bits: int) -> np.ndarray:
    """FixedPoint<int32, in> x >= 1 -> FixedPoint<int32, out> log(x) (TFLite's ..._impl, Pade-like on [2^-1/4, 2^1/4)).

    x = 2^z * r with r in [sqrt(1/2), sqrt(2)), found twice (from x's and from x*sqrt(1/2)'s leading zeros) keeping
    the smaller r; log(x) = z log 2 + log(r), with log(r) a rational function of q = 2 (r - 2^-1/4).
    """
    if output_integer_bits < min_log_x_output_bits(input_integer_bits):
        raise ValueError(f"log of Q{input_integer_bits} values needs at least "
                         f"{min_log_x_output_bits(input_integer_bits)} output integer bits")
    accum_bits = output_integer_bits + 1                  # headroom: z * log 2 may saturate
    shifted_quarter = rescale(ONE_QUARTER, 0, accum_bits)

    z_a = _i64(x)                                         # the raw read as Q0.31; the shift is found by hand
    z_a_headroom_plus_1 = count_leading_zeros(z_a)
    r_a_tmp = saturating_rounding_multiply_by_pot(z_a, z_a_headroom_plus_1 - 1)
    r_a_raw = saturating_rounding_multiply_by_pot(mul(r_a_tmp, SQRT_HALF), 1)
    z_a_pow_2_adj = saturating_add(
        saturating_rounding_multiply_by_pot(input_integer_bits - z_a_headroom_plus_1, 31 - accum_bits),
        shifted_quarter)

    z_b = mul(z_a, SQRT_HALF)
    z_b_headroom = count_leading_zeros(z_b) - 1
    r_b_raw = saturating_rounding_multiply_by_pot(z_a, z_b_headroom)
    z_b_pow_2_adj = saturating_sub(
        saturating_rounding_multiply_by_pot(input_integer_bits - z_b_headroom, 31 - accum_bits),
        shifted_quarter)

    r = np.minimum(r_a_raw, r_b_raw)
    z_pow_2_adj = np.maximum(z_a_pow_2_adj, z_b_pow_2_adj)

    p = rounding_half_sum(r, SQRT_SQRT_HALF)
    q = sub(r, SQRT_SQRT_HALF)
    q = add(q, q)
    common_sq = mul(q, q)
    num = add(mul(q, r), mul(mul(q, common_sq), LOG_ALPHA_N))
    denom_minus_one_0 = add(mul(p, add(add(LOG_ALPHA_I, q), mul(LOG_ALPHA_D, common_sq))), mul(LOG_ALPHA_F, q))
    recip_denom = one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0)

    num_scaled = rescale(num, 0, accum_bits)
    return rescale(add(mul(z_pow_2_adj, LOG_2), mul(num_scaled, recip_denom)), accum_bits, output_integer_bits)


# ---- prepare-time parameters (TFLite kernels/internal/quantization_util.cc, double rounding) ----

def preprocess_softmax_scaling(beta: float, input_scale: float, input_integer_bits: int) -> tuple[int, int]:
    """(Q31 multiplier, left shift >= 0) for beta * input_scale * 2^(31 - input_integer_bits), capped at 2^31 - 1.

    TFLite's PreprocessSoftmaxScaling; the scaled real must exceed 1 (QuantizeMultiplierGreaterThanOne), which
    softmax_real_multiplier lets a caller check first.
    """
    real = softmax_real_multiplier(beta, input_scale, input_integer_bits)
    if not real > 1.0:
        raise ValueError(f"beta * input scale * 2^{31 - input_integer_bits} = {real} must be > 1")
    multiplier, shift = quantize_multiplier(real)
    return multiplier, shift


def softmax_real_multiplier(beta: float, input_scale: float, input_integer_bits: int) -> float:
    """The double PreprocessSoftmaxScaling quantizes: min(beta * input_scale * 2^(31 - bits), 2^31 - 1)."""
    return min(float(beta) * float(input_scale) * float(1 << (31 - input_integer_bits)), float((1 << 31) - 1))


def calculate_input_radius(input_integer_bits: int, input_left_shift: int, total_signed_bits: int = 31) -> int:
    """Largest |input| whose rescaling by 2^input_left_shift stays inside the Q(integer_bits) range
    (TFLite CalculateInputRadius: floor((2^bits - 1) * 2^(total - bits) / 2^shift)), capped at INT32_MAX."""
    numerator = ((1 << input_integer_bits) - 1) << (total_signed_bits - input_integer_bits)
    if input_left_shift >= 0:
        return numerator >> input_left_shift
    return min(numerator << -input_left_shift, INT32_MAX)


def preprocess_log_softmax_scaling_exp(beta: float, input_scale: float,
                                       input_integer_bits: int) -> tuple[int, int, int, int]:
    """(multiplier, left_shift, reverse_scaling_divisor, reverse_scaling_left_shift <= 0) as TFLite's
    PreprocessLogSoftmaxScalingExp: the reverse pair quantizes 2^(31 - left_shift) / multiplier, in (0, 1)."""
    multiplier, left_shift = preprocess_softmax_scaling(beta, input_scale, input_integer_bits)
    real_reverse = float(1 << (31 - left_shift)) / float(multiplier)
    if not 0.0 < real_reverse < 1.0:
        raise ValueError(f"log-softmax reverse scaling {real_reverse} must lie in (0, 1)")
    divisor, reverse_shift = quantize_multiplier(real_reverse)
    return multiplier, left_shift, divisor, reverse_shift
