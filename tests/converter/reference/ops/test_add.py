"""ADD reference kernel: float against an explicit broadcasting loop, int8 against known answers
and the spec on ints."""
import numpy as np
import pytest

from support import act, const, mbqm_scalar, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, BinaryOptions, OpCode, QuantParams
from tensorlet.converter.reference.fixedpoint import quantize_multiplier
from tensorlet.converter.validate import validate
from tensorlet.errors import FormatError

SHAPES = [((1, 4, 4, 3), (3,)), ((2, 1, 5), (4, 1)), ((1,), (2, 3)), ((3, 1), (1,)), ((2, 3), (2, 3))]
ACTIVATIONS = [Activation.NONE, Activation.RELU, Activation.RELU6]


def broadcast_loop(a, b, function):
    """out[i] = function(a[i'], b[i'']) where i' drops i's leading axes and reads index 0 along size-1 axes."""
    shape = tuple(max(x, y) for x, y in zip((1,) * (max(a.ndim, b.ndim) - a.ndim) + a.shape,
                                             (1,) * (max(a.ndim, b.ndim) - b.ndim) + b.shape))
    out = np.empty(shape, dtype=object)

    def pick(array, index):
        index = index[len(index) - array.ndim:]
        return array[tuple(0 if d == 1 else i for i, d in zip(index, array.shape))]

    for index in np.ndindex(shape):
        out[index] = function(pick(a, index), pick(b, index))
    return out


def clamp_float(x, activation):
    return {Activation.RELU: np.maximum(x, 0), Activation.RELU6: np.clip(x, 0, 6)}.get(activation, x)


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("constant", [None, "a", "b"])
def test_float_matches_broadcasting_loop(a_shape, b_shape, activation, constant):
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(a_shape) * 4).astype(np.float32)
    b = (rng.standard_normal(b_shape) * 4).astype(np.float32)
    expected = broadcast_loop(a.astype(np.float64), b.astype(np.float64), lambda x, y: x + y).astype(np.float64)
    expected = clamp_float(expected.astype(np.float32), activation)
    ta = const("a", a) if constant == "a" else act("a", a_shape)
    tb = const("b", b) if constant == "b" else act("b", b_shape)
    model = single_op_model(OpCode.ADD, [ta, tb], act("y", expected.shape), BinaryOptions(activation=activation))
    feeds = [v for v, c in ((a, "a"), (b, "b")) if c != constant]
    np.testing.assert_array_equal(run_through_file(model, *feeds), expected)


def test_int8_known_answers():
    # s1 = 0.5 (zp 2), s2 = 0.25 (zp -1), s_out = 1.0 (zp -3). twice_max = 1.0, so real_1 = 0.5 -> (2^30, 0),
    # real_2 = 0.25 -> (2^30, -1), real_out = 1 / 2^20 -> (2^30, -19): every rescale is exact, only the last rounds.
    a = np.array([10, -6, 127, -128], np.int8)   # a - 2  = 8, -8, 125, -130 -> x1' = 4, -4, 62.5, -65 (times 2^20)
    b = np.array([-7, 5, 127, -128], np.int8)    # b + 1 = -6, 6, 128, -127 -> x2' = -1.5, 1.5, 32, -31.75
    # sums 2.5, -2.5, 94.5, -96.75: RDBPOT rounds ties away from zero -> 3, -3, 95, -97; + zp -3:
    model = single_op_model(OpCode.ADD, [act("a", (4,), 0.5, 2), act("b", (4,), 0.25, -1)], act("y", (4,), 1.0, -3),
                            BinaryOptions())
    params = model.operators[0].quant_params
    assert (params.input_multiplier, params.input_shift) == ([1 << 30, 1 << 30], [0, -1])
    assert (params.output_multiplier, params.output_shift, params.left_shift) == ([1 << 30], [-19], 20)
    np.testing.assert_array_equal(run_through_file(model, a, b), [0, -6, 92, -100])
    # fused RELU6 clamps to [zp, zp + round(6 / 1.0)] = [-3, 3]; a larger zero point saturates at 127
    relu6 = single_op_model(OpCode.ADD, [act("a", (4,), 0.5, 2), act("b", (4,), 0.25, -1)], act("y", (4,), 1.0, -3),
                            BinaryOptions(activation=Activation.RELU6))
    np.testing.assert_array_equal(run_through_file(relu6, a, b), [0, -3, 3, -3])
    high = single_op_model(OpCode.ADD, [act("a", (4,), 0.5, 2), act("b", (4,), 0.25, -1)], act("y", (4,), 1.0, 40),
                           BinaryOptions())
    np.testing.assert_array_equal(run_through_file(high, a, b), [43, 37, 127, -57])


def add_sub_spec(a, b, qa, qb, qy, activation, sign):
    """The TFLite int8 ADD/SUB on Python ints: params from the float32 scales in double, then per element."""
    (s1, z1), (s2, z2), (so, zo) = ((float(np.float32(s)), z) for s, z in (qa, qb, qy))
    twice_max = 2 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << 20) * so))
    lo = max(-128, zo) if activation != Activation.NONE else -128
    six = np.float32(6.0) / np.float32(so)
    hi = min(127, zo + int(np.sign(six) * np.floor(abs(six) + 0.5))) if activation == Activation.RELU6 else 127

    def one(x, y):
        x1 = mbqm_scalar((int(x) - z1) << 20, m1, sh1)
        x2 = mbqm_scalar((int(y) - z2) << 20, m2, sh2)
        return min(max(mbqm_scalar(x1 + sign * x2, mo, sho) + zo, lo), hi)

    return broadcast_loop(a, b, one).astype(np.int64), (m1, sh1, m2, sh2, mo, sho)


QUANTS = [((0.05, 3), (0.07, -5), (0.1, 2)), ((0.3, -128), (0.011, 127), (0.02, -7)),
          ((0.0123, 0), (0.0123, 0), (0.0246, -100))]


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("quants", QUANTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_int8_matches_spec_on_ints(a_shape, b_shape, quants, activation):
    rng = np.random.default_rng(4)
    a = rng.integers(-128, 128, a_shape).astype(np.int8)
    b = rng.integers(-128, 128, b_shape).astype(np.int8)
    qa, qb, qy = quants
    expected, params = add_sub_spec(a, b, qa, qb, qy, activation, +1)
    model = single_op_model(OpCode.ADD, [act("a", a_shape, *qa), act("b", b_shape, *qb)],
                            act("y", expected.shape, *qy), BinaryOptions(activation=activation))
    p = model.operators[0].quant_params
    assert (p.input_multiplier[0], p.input_shift[0], p.input_multiplier[1], p.input_shift[1],
            p.output_multiplier[0], p.output_shift[0]) == params
    np.testing.assert_array_equal(run_through_file(model, a, b), expected)


def test_int8_constant_input():
    rng = np.random.default_rng(5)
    a = rng.integers(-128, 128, (2, 3, 4)).astype(np.int8)
    b = rng.integers(-128, 128, (4,)).astype(np.int8)
    expected, _ = add_sub_spec(a, b, (0.02, 1), (0.5, -9), (0.3, 4), Activation.NONE, +1)
    model = single_op_model(OpCode.ADD, [act("a", a.shape, 0.02, 1), const("b", b, 0.5, -9)],
                            act("y", a.shape, 0.3, 4), BinaryOptions())
    np.testing.assert_array_equal(run_through_file(model, a), expected)


def int8_params(**changes):
    base = dict(input_multiplier=[1 << 30, 1 << 30], input_shift=[0, -1], output_multiplier=[1 << 30],
                output_shift=[-19], left_shift=20)
    base.update(changes)
    return QuantParams(**base)


def test_rejects_bad_shapes_dtypes_and_params():
    with pytest.raises(FormatError, match=r"inputs 'a' \[2,3\] and 'b' \[4\] do not broadcast"):
        single_op_model(OpCode.ADD, [act("a", (2, 3)), act("b", (4,))], act("y", (2, 3)), BinaryOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[2,3\], expected \[2,4,3\]"):
        single_op_model(OpCode.ADD, [act("a", (2, 1, 3)), act("b", (4, 1))], act("y", (2, 3)), BinaryOptions())
    with pytest.raises(FormatError, match="activations must share one dtype"):
        single_op_model(OpCode.ADD, [act("a", (3,)), act("b", (3,), 0.1, 0)], act("y", (3,)), BinaryOptions())
    ins = [act("a", (3,), 0.5, 2), act("b", (3,), 0.25, -1)]
    with pytest.raises(FormatError, match="left_shift is 15"):
        single_op_model(OpCode.ADD, ins, act("y", (3,), 1.0, 0), BinaryOptions(), int8_params(left_shift=15))
    with pytest.raises(FormatError, match="input_multiplier has 1 entries, expected 2"):
        single_op_model(OpCode.ADD, ins, act("y", (3,), 1.0, 0), BinaryOptions(),
                        int8_params(input_multiplier=[1 << 30]))
    with pytest.raises(FormatError, match=r"shifts \[0, 1, -19\] must be <= 0"):
        single_op_model(OpCode.ADD, ins, act("y", (3,), 1.0, 0), BinaryOptions(), int8_params(input_shift=[0, 1]))
    model = single_op_model(OpCode.ADD, ins, act("y", (3,), 1.0, 0), BinaryOptions())
    model.operators[0].quant_params = None
    with pytest.raises(FormatError, match="int8 op has no quant_params"):
        validate(model)
    # real_out = 2 * 0.5 / (2^20 * 2^-21) = 2 >= 1: TFLite's QuantizeMultiplierSmallerThanOneExp refuses it
    with pytest.raises(FormatError, match="output multiplier 2.0 is not in"):
        single_op_model(OpCode.ADD, ins, act("y", (3,), 2.0 ** -21, 0), BinaryOptions())
