"""MUL reference kernel: float against an explicit broadcasting loop, int8 against known answers
and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, BinaryOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError

SHAPES = [((1, 4, 4, 3), (3,)), ((2, 1, 5), (4, 1)), ((1,), (2, 3)), ((1, 1, 1, 3), (1, 4, 4, 3)), ((2, 3), (2, 3))]
ACTIVATIONS = [Activation.NONE, Activation.RELU, Activation.RELU6]


def broadcast_loop(a, b, function):
    """out[i] = function(a[i'], b[i'']) where i' drops i's leading axes and reads index 0 along size-1 axes."""
    rank = max(a.ndim, b.ndim)
    shape = tuple(max(x, y) for x, y in zip((1,) * (rank - a.ndim) + a.shape, (1,) * (rank - b.ndim) + b.shape))
    out = np.empty(shape, dtype=object)

    def pick(array, index):
        index = index[len(index) - array.ndim:]
        return array[tuple(0 if d == 1 else i for i, d in zip(index, array.shape))]

    for index in np.ndindex(shape):
        out[index] = function(pick(a, index), pick(b, index))
    return out


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("constant", [None, "a", "b"])
def test_float_matches_broadcasting_loop(a_shape, b_shape, activation, constant):
    rng = np.random.default_rng(9)
    a = (rng.standard_normal(a_shape) * 3).astype(np.float32)
    b = (rng.standard_normal(b_shape) * 3).astype(np.float32)
    expected = broadcast_loop(a.astype(np.float64), b.astype(np.float64), lambda x, y: x * y)
    expected = expected.astype(np.float64).astype(np.float32)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        activation, expected)
    ta = const("a", a) if constant == "a" else act("a", a_shape)
    tb = const("b", b) if constant == "b" else act("b", b_shape)
    model = single_op_model(OpCode.MUL, [ta, tb], act("y", expected.shape), BinaryOptions(activation=activation))
    feeds = [v for v, c in ((a, "a"), (b, "b")) if c != constant]
    np.testing.assert_array_equal(run_through_file(model, *feeds), expected)


def test_int8_known_answers():
    # s1 = 0.5, s2 = 0.25, s_out = 0.25, zero points 0: real = 0.5 -> (2^30, shift 0), so out = SRDHM(p, 2^30):
    # p / 2 with SRDHM's nudge: +1.5 -> 2 but -1.5 -> -1 (the negative nudge 1 - 2^30, then truncation).
    a = np.array([3, 3, -3, 127, 127], np.int8)
    b = np.array([1, -1, -5, 127, -128], np.int8)
    # products 3, -3, 15, 16129, -16256 -> 2, -1, 8 (7.5 up), 8065 -> 127, -8128 -> -128 (saturated)
    half = single_op_model(OpCode.MUL, [act("a", (5,), 0.5, 0), act("b", (5,), 0.25, 0)], act("y", (5,), 0.25, 0),
                           BinaryOptions())
    params = half.operators[0].quant_params
    assert (params.output_multiplier, params.output_shift) == ([1 << 30], [0])
    np.testing.assert_array_equal(run_through_file(half, a, b), [2, -1, 8, 127, -128])
    # s_out = 0.5: real = 0.25 -> (2^30, shift -1): SRDHM then RDBPOT(., 1) -- TFLite's double rounding.
    a = np.array([5, -6, -3, 3], np.int8)
    b = np.array([1, 1, 1, 1], np.int8)
    # 5 * 0.25 = 1.25, but SRDHM(5) = 3 (2.5 up) then RDBPOT(3, 1) = 2 (1.5 away from zero) -> 2, not 1;
    # -6 -> SRDHM -3 -> RDBPOT -2 (-1.5 away); -3 -> SRDHM -1 (-1.5 toward zero) -> RDBPOT -1 (-0.5 away); 3 -> 2 -> 1
    quarter = single_op_model(OpCode.MUL, [act("a", (4,), 0.5, 0), act("b", (4,), 0.25, 0)], act("y", (4,), 0.5, 0),
                              BinaryOptions())
    assert quarter.operators[0].quant_params.output_shift == [-1]
    np.testing.assert_array_equal(run_through_file(quarter, a, b), [2, -2, -1, 1])


def test_int8_zero_points_broadcast_and_relu6():
    # zp1 = -2, zp2 = 3, s = 0.5 * 0.5 / 0.25 = 1.0 -> (2^30, 1): out = p exactly, + zp_out 10.
    # RELU6 clamps to [10, 10 + round(6 / 0.25)] = [10, 34].
    a = np.array([[-2], [0], [5]], np.int8)            # a + 2 = 0, 2, 7
    b = np.array([3, 4, -1, 13], np.int8)              # b - 3 = 0, 1, -4, 10
    expected = [[10, 10, 10, 10], [10, 12, 10, 30], [10, 17, 10, 34]]
    model = single_op_model(OpCode.MUL, [act("a", (3, 1), 0.5, -2), act("b", (4,), 0.5, 3)],
                            act("y", (3, 4), 0.25, 10), BinaryOptions(activation=Activation.RELU6))
    params = model.operators[0].quant_params
    assert (params.output_multiplier, params.output_shift, params.act_min, params.act_max) == ([1 << 30], [1], 10, 34)
    np.testing.assert_array_equal(run_through_file(model, a, b), expected)


def mul_spec(a, b, qa, qb, qy, activation):
    """TFLite's int8 MUL on Python ints: real = s1 * s2 / s_out in double from the float32 scales."""
    (s1, z1), (s2, z2), (so, zo) = ((float(np.float32(s)), z) for s, z in (qa, qb, qy))
    m, shift = quantize_multiplier(s1 * s2 / so)
    lo = max(-128, zo) if activation != Activation.NONE else -128
    six = float(np.float32(6.0) / np.float32(so))
    hi = min(127, zo + int(np.floor(six + 0.5))) if activation == Activation.RELU6 else 127

    def one(x, y):
        return min(max(mbqm_scalar((int(x) - z1) * (int(y) - z2), m, shift) + zo, lo), hi)

    return broadcast_loop(a, b, one).astype(np.int64), (m, shift)


QUANTS = [((0.05, 3), (0.07, -5), (0.1, 2)), ((0.3, -128), (0.011, 127), (0.02, -7)),
          ((0.9, 0), (0.8, 0), (0.004, -100))]   # the last: real = 180 -> shift 8 (a left shift)


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("quants", QUANTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_int8_matches_spec_on_ints(a_shape, b_shape, quants, activation):
    rng = np.random.default_rng(10)
    a = rng.integers(-128, 128, a_shape).astype(np.int8)
    b = rng.integers(-128, 128, b_shape).astype(np.int8)
    if quants[2][0] == 0.004:            # keep products small so the left-shift case is not all saturated
        a, b = (rng.integers(-3, 4, a_shape).astype(np.int8), rng.integers(-3, 4, b_shape).astype(np.int8))
    qa, qb, qy = quants
    expected, params = mul_spec(a, b, qa, qb, qy, activation)
    model = single_op_model(OpCode.MUL, [act("a", a_shape, *qa), act("b", b_shape, *qb)],
                            act("y", expected.shape, *qy), BinaryOptions(activation=activation))
    p = model.operators[0].quant_params
    assert (p.output_multiplier[0], p.output_shift[0]) == params
    np.testing.assert_array_equal(run_through_file(model, a, b), expected)


def test_int8_constant_input():
    rng = np.random.default_rng(11)
    a = rng.integers(-128, 128, (2, 2, 3)).astype(np.int8)
    b = rng.integers(-128, 128, (1, 3)).astype(np.int8)
    expected, _ = mul_spec(a, b, (0.02, 1), (0.01, -9), (0.003, 4), Activation.RELU)
    model = single_op_model(OpCode.MUL, [act("a", a.shape, 0.02, 1), const("b", b, 0.01, -9)],
                            act("y", a.shape, 0.003, 4), BinaryOptions(activation=Activation.RELU))
    np.testing.assert_array_equal(run_through_file(model, a), expected)


def test_rejects_bad_shapes_dtypes_and_params():
    with pytest.raises(FormatError, match=r"inputs 'a' \[2,3\] and 'b' \[2\] do not broadcast"):
        single_op_model(OpCode.MUL, [act("a", (2, 3)), act("b", (2,))], act("y", (2, 3)), BinaryOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[4\], expected \[3,4\]"):
        single_op_model(OpCode.MUL, [act("a", (3, 1)), act("b", (4,))], act("y", (4,)), BinaryOptions())
    with pytest.raises(FormatError, match="this op runs on FLOAT32 or INT8"):
        single_op_model(OpCode.MUL, [const("a", np.ones(3, np.int32)), act("b", (3,))], act("y", (3,)),
                        BinaryOptions())
    ins = [act("a", (3,), 0.5, 0), act("b", (3,), 0.25, 0)]
    with pytest.raises(FormatError, match="output_shift has 2 entries, expected 1"):
        single_op_model(OpCode.MUL, ins, act("y", (3,), 0.25, 0), BinaryOptions(),
                        QuantParams(output_multiplier=[1 << 30], output_shift=[0, 0]))
    with pytest.raises(FormatError, match=r"activation range \[5, 2\]"):
        single_op_model(OpCode.MUL, ins, act("y", (3,), 0.25, 0), BinaryOptions(),
                        QuantParams(output_multiplier=[1 << 30], output_shift=[0], act_min=5, act_max=2))
