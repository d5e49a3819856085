"""SUB reference kernel: float against an explicit broadcasting loop, int8 against known answers
and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, BinaryOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.errors import FormatError

SHAPES = [((1, 4, 4, 3), (3,)), ((2, 1, 5), (4, 1)), ((1,), (2, 3)), ((4,), (3, 1)), ((2, 3), (2, 3))]
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
    rng = np.random.default_rng(6)
    a = (rng.standard_normal(a_shape) * 4).astype(np.float32)
    b = (rng.standard_normal(b_shape) * 4).astype(np.float32)
    expected = broadcast_loop(a.astype(np.float64), b.astype(np.float64), lambda x, y: x - y)
    expected = expected.astype(np.float64).astype(np.float32)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        activation, expected)
    ta = const("a", a) if constant == "a" else act("a", a_shape)
    tb = const("b", b) if constant == "b" else act("b", b_shape)
    model = single_op_model(OpCode.SUB, [ta, tb], act("y", expected.shape), BinaryOptions(activation=activation))
    feeds = [v for v, c in ((a, "a"), (b, "b")) if c != constant]
    np.testing.assert_array_equal(run_through_file(model, *feeds), expected)


def test_float_is_not_commutative():
    model = single_op_model(OpCode.SUB, [act("a", (2,)), const("b", np.array([1.0, 10.0], np.float32))],
                            act("y", (2,)), BinaryOptions())
    np.testing.assert_array_equal(run_through_file(model, np.array([5.0, 2.0], np.float32)), [4.0, -8.0])


def test_int8_known_answers():
    # s1 = 0.5 (zp 2), s2 = 0.25 (zp -1), s_out = 1.0 (zp -3): the ADD parameters, (2^30, 0), (2^30, -1) and
    # (2^30, -19), all rescales exact; the second rescaled input is subtracted, then RDBPOT rounds ties away from 0.
    a = np.array([10, -6, 0, 127, -128], np.int8)   # a - 2 = 8, -8, -2, 125, -130 -> 4, -4, -1, 62.5, -65
    b = np.array([-7, -3, 1, -128, 127], np.int8)   # b + 1 = -6, -2, 2, -127, 128 -> -1.5, -0.5, 0.5, -31.75, 32
    # differences 5.5, -3.5, -1.5, 94.25, -97 -> 6, -4, -2, 94, -97; + zp -3:
    model = single_op_model(OpCode.SUB, [act("a", (5,), 0.5, 2), act("b", (5,), 0.25, -1)], act("y", (5,), 1.0, -3),
                            BinaryOptions())
    params = model.operators[0].quant_params
    assert (params.input_multiplier, params.input_shift) == ([1 << 30, 1 << 30], [0, -1])
    assert (params.output_multiplier, params.output_shift, params.left_shift) == ([1 << 30], [-19], 20)
    np.testing.assert_array_equal(run_through_file(model, a, b), [3, -7, -5, 91, -100])
    # fused RELU clamps below at the zero point -3; a zero point of 60 saturates 94 + 60 at 127
    relu = single_op_model(OpCode.SUB, [act("a", (5,), 0.5, 2), act("b", (5,), 0.25, -1)], act("y", (5,), 1.0, -3),
                           BinaryOptions(activation=Activation.RELU))
    np.testing.assert_array_equal(run_through_file(relu, a, b), [3, -3, -3, 91, -3])
    high = single_op_model(OpCode.SUB, [act("a", (5,), 0.5, 2), act("b", (5,), 0.25, -1)], act("y", (5,), 1.0, 60),
                           BinaryOptions())
    np.testing.assert_array_equal(run_through_file(high, a, b), [66, 56, 58, 127, -37])


def sub_spec(a, b, qa, qb, qy, activation):
    """TFLite's int8 SUB on Python ints: ADD's params (double arithmetic on the float32 scales), x1' - x2'."""
    (s1, z1), (s2, z2), (so, zo) = ((float(np.float32(s)), z) for s, z in (qa, qb, qy))
    twice_max = 2 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << 20) * so))
    lo = max(-128, zo) if activation != Activation.NONE else -128
    six = float(np.float32(6.0) / np.float32(so))
    hi = min(127, zo + int(np.floor(six + 0.5))) if activation == Activation.RELU6 else 127

    def one(x, y):
        x1 = mbqm_scalar((int(x) - z1) << 20, m1, sh1)
        x2 = mbqm_scalar((int(y) - z2) << 20, m2, sh2)
        return min(max(mbqm_scalar(x1 - x2, mo, sho) + zo, lo), hi)

    return broadcast_loop(a, b, one).astype(np.int64)


QUANTS = [((0.05, 3), (0.07, -5), (0.1, 2)), ((0.3, -128), (0.011, 127), (0.02, -7)),
          ((0.0123, 0), (0.0123, 0), (0.0246, 100))]


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("quants", QUANTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_int8_matches_spec_on_ints(a_shape, b_shape, quants, activation):
    rng = np.random.default_rng(7)
    a = rng.integers(-128, 128, a_shape).astype(np.int8)
    b = rng.integers(-128, 128, b_shape).astype(np.int8)
    qa, qb, qy = quants
    expected = sub_spec(a, b, qa, qb, qy, activation)
    model = single_op_model(OpCode.SUB, [act("a", a_shape, *qa), act("b", b_shape, *qb)],
                            act("y", expected.shape, *qy), BinaryOptions(activation=activation))
    np.testing.assert_array_equal(run_through_file(model, a, b), expected)


def test_int8_constant_first_input():
    rng = np.random.default_rng(8)
    a = rng.integers(-128, 128, (3, 1)).astype(np.int8)
    b = rng.integers(-128, 128, (2, 3, 5)).astype(np.int8)
    expected = sub_spec(a, b, (0.2, -4), (0.03, 7), (0.25, 0), Activation.NONE)
    model = single_op_model(OpCode.SUB, [const("a", a, 0.2, -4), act("b", b.shape, 0.03, 7)],
                            act("y", b.shape, 0.25, 0), BinaryOptions())
    np.testing.assert_array_equal(run_through_file(model, b), expected)


def test_rejects_bad_shapes_and_params():
    with pytest.raises(FormatError, match=r"inputs 'a' \[3\] and 'b' \[2\] do not broadcast"):
        single_op_model(OpCode.SUB, [act("a", (3,)), act("b", (2,))], act("y", (3,)), BinaryOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[3,1\], expected \[3,3\]"):
        single_op_model(OpCode.SUB, [act("a", (3, 1)), act("b", (3,))], act("y", (3, 1)), BinaryOptions())
    ins = [act("a", (3,), 0.5, 2), act("b", (3,), 0.25, -1)]
    params = QuantParams(input_multiplier=[1 << 30, 1 << 30], input_shift=[0, -1], output_multiplier=[1 << 30],
                         output_shift=[3], left_shift=20)
    with pytest.raises(FormatError, match=r"shifts \[0, -1, 3\] must be <= 0"):
        single_op_model(OpCode.SUB, ins, act("y", (3,), 1.0, 0), BinaryOptions(), params)
    params.output_shift, params.output_multiplier = [-19], []
    with pytest.raises(FormatError, match="output_multiplier has 0 entries, expected 1"):
        single_op_model(OpCode.SUB, ins, act("y", (3,), 1.0, 0), BinaryOptions(), params)
    with pytest.raises(FormatError, match="output multiplier .* is not in"):
        single_op_model(OpCode.SUB, ins, act("y", (3,), 1e-7, 0), BinaryOptions())
