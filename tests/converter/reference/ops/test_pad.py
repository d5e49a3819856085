"""PAD reference kernel: float against an explicit copy loop, int8 constant quantization and known answers, checks."""
import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, PadOptions, QuantParams
from tensorlet.errors import FormatError


def pad_loop(x, paddings, fill):
    """Direct definition: out = fill everywhere, then out[i + before] = x[i] for every input index i."""
    before = paddings[0::2]
    out_shape = [d + b + a for d, b, a in zip(x.shape, before, paddings[1::2])]
    out = np.full(out_shape, fill, x.dtype)
    for idx in np.ndindex(*x.shape):
        out[tuple(i + b for i, b in zip(idx, before))] = x[idx]
    return out


CASES = [
    ((5,), (2, 3), 0.0),
    ((2, 3), (0, 1, 2, 0), -1.5),
    ((1, 3, 4, 2), (0, 0, 1, 2, 3, 0, 0, 1), 7.25),
    ((2, 2, 2), (0, 0, 0, 0, 0, 0), 3.0),
]


@pytest.mark.parametrize("shape,paddings,value", CASES)
def test_float_matches_copy_loop(shape, paddings, value):
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    expected = pad_loop(x, paddings, np.float32(value))
    model = single_op_model(OpCode.PAD, [act("x", shape)], act("y", expected.shape),
                            PadOptions(paddings=paddings, value=value))
    np.testing.assert_array_equal(run_through_file(model, x), expected)


@pytest.mark.parametrize("value,scale,zero_point,constant", [
    (0.0, 0.5, 3, 3),
    (1.0, 0.5, 3, 5),
    (0.25, 0.5, 0, 1),       # 0.5 rounds away from zero
    (-0.25, 0.5, 0, -1),     # -0.5 rounds away from zero
    (0.74, 0.5, -2, -1),     # 1.48 -> 1
    (100.0, 0.5, 0, 127),    # clamped
    (-100.0, 0.5, 0, -128),  # clamped
])
def test_int8_constant_is_the_quantized_value(value, scale, zero_point, constant):
    model = single_op_model(OpCode.PAD, [act("x", (1, 2), scale, zero_point)], act("y", (1, 4), scale, zero_point),
                            PadOptions(paddings=(0, 0, 1, 1), value=value))
    assert model.operators[0].quant_params.constant == constant
    x = np.array([[-128, 127]], np.int8)
    np.testing.assert_array_equal(run_through_file(model, x), [[constant, -128, 127, constant]])


def test_int8_uses_the_stored_constant():
    x = np.random.default_rng(6).integers(-128, 128, (1, 2, 3, 2)).astype(np.int8)
    paddings = (0, 0, 2, 1, 0, 2, 1, 0)
    expected = pad_loop(x, paddings, np.int8(-77))
    model = single_op_model(OpCode.PAD, [act("x", x.shape, 0.1, 4)], act("y", expected.shape, 0.1, 4),
                            PadOptions(paddings=paddings), quant_params=QuantParams(constant=-77))
    np.testing.assert_array_equal(run_through_file(model, x), expected)


def test_rejects_negative_padding_and_wrong_length():
    with pytest.raises(FormatError, match=r"PAD.*paddings\[3\] \(after dim 1\) must be >= 0, got -1"):
        single_op_model(OpCode.PAD, [act("x", (2, 3))], act("y", (2, 3)), PadOptions(paddings=(0, 0, 1, -1)))
    with pytest.raises(FormatError,
                       match=r"paddings has 2 entries, expected 4 \(before and after for each of 2 dims\)"):
        single_op_model(OpCode.PAD, [act("x", (2, 3))], act("y", (4, 3)), PadOptions(paddings=(1, 1)))


def test_rejects_wrong_output_shape():
    with pytest.raises(FormatError, match=r"output 'y' has shape \[2,5\], expected \[2,6\]"):
        single_op_model(OpCode.PAD, [act("x", (2, 3))], act("y", (2, 5)), PadOptions(paddings=(0, 0, 1, 2)))


def test_rejects_int8_requantization_and_bad_constant():
    with pytest.raises(FormatError, match="'x' and 'y' must share scale and zero point"):
        single_op_model(OpCode.PAD, [act("x", (2,), 0.1, 0)], act("y", (4,), 0.2, 0), PadOptions(paddings=(1, 1)))
    with pytest.raises(FormatError, match=r"quant_params.constant 200 is outside \[-128, 127\]"):
        single_op_model(OpCode.PAD, [act("x", (2,), 0.1, 0)], act("y", (4,), 0.1, 0), PadOptions(paddings=(1, 1)),
                        quant_params=QuantParams(constant=200))
