"""CONCATENATION reference kernel: float against an explicit index walk, int8 known answers, and the checks."""
import numpy as np
import pytest

from support import act, const, run_through_file, single_op_model
from tensorlet.converter.ir import Activation, ConcatenationOptions, OpCode, QuantParams
from tensorlet.converter.validate import validate
from tensorlet.errors import FormatError


def concat_loop(arrays, axis):
    """Direct definition: out[.., k, ..] = arrays[j][.., k - offset_j, ..] where offset_j <= k < offset_j + size_j."""
    out_shape = list(arrays[0].shape)
    out_shape[axis] = sum(a.shape[axis] for a in arrays)
    out = np.empty(out_shape, arrays[0].dtype)
    for idx in np.ndindex(*out_shape):
        k = idx[axis]
        for a in arrays:
            if k < a.shape[axis]:
                out[idx] = a[idx[:axis] + (k,) + idx[axis + 1:]]
                break
            k -= a.shape[axis]
    return out


CASES = [
    ([(1, 2, 3, 4), (1, 2, 3, 2)], 3),
    ([(2, 3, 4), (2, 1, 4), (2, 5, 4)], 1),
    ([(1, 5), (3, 5)], 0),
    ([(4,), (2,), (1,)], 0),
]


@pytest.mark.parametrize("shapes,axis", CASES)
@pytest.mark.parametrize("activation", [Activation.NONE, Activation.RELU, Activation.RELU6])
def test_float_matches_index_walk(shapes, axis, activation):
    rng = np.random.default_rng(3)
    xs = [(rng.standard_normal(s) * 5).astype(np.float32) for s in shapes]
    expected = concat_loop(xs, axis)
    expected = {Activation.RELU: np.maximum(expected, 0), Activation.RELU6: np.clip(expected, 0, 6)}.get(
        activation, expected)
    model = single_op_model(OpCode.CONCATENATION, [act(f"x{i}", s) for i, s in enumerate(shapes)],
                            act("y", expected.shape), ConcatenationOptions(axis=axis, activation=activation))
    np.testing.assert_array_equal(run_through_file(model, *xs), expected)


def test_float_with_a_constant_input():
    x = np.array([[1, 2]], np.float32)
    c = np.array([[7, 8], [9, 10]], np.float32)
    model = single_op_model(OpCode.CONCATENATION, [act("x", (1, 2)), const("c", c)], act("y", (3, 2)),
                            ConcatenationOptions(axis=0))
    np.testing.assert_array_equal(run_through_file(model, x), [[1, 2], [7, 8], [9, 10]])


def test_int8_known_answer_with_relu6():
    # scale 0.05, zp -10: RELU6 clamps to [zp + round(0/0.05), zp + round(6/0.05)] = [-10, 110]
    a = np.array([[-128, -11, -10, 0]], np.int8)
    b = np.array([[109, 110, 111, 127]], np.int8)
    model = single_op_model(OpCode.CONCATENATION, [act("a", (1, 4), 0.05, -10), act("b", (1, 4), 0.05, -10)],
                            act("y", (1, 8), 0.05, -10), ConcatenationOptions(axis=1, activation=Activation.RELU6))
    params = model.operators[0].quant_params
    assert (params.act_min, params.act_max) == (-10, 110)
    np.testing.assert_array_equal(run_through_file(model, a, b), [[-10, -10, -10, 0, 109, 110, 110, 110]])


def test_int8_without_activation_copies_bytes():
    rng = np.random.default_rng(4)
    xs = [rng.integers(-128, 128, s).astype(np.int8) for s in [(1, 3, 3, 2), (1, 3, 3, 5)]]
    model = single_op_model(OpCode.CONCATENATION, [act("a", (1, 3, 3, 2), 0.1, 4), act("b", (1, 3, 3, 5), 0.1, 4)],
                            act("y", (1, 3, 3, 7), 0.1, 4), ConcatenationOptions(axis=3))
    assert (model.operators[0].quant_params.act_min, model.operators[0].quant_params.act_max) == (-128, 127)
    np.testing.assert_array_equal(run_through_file(model, *xs), concat_loop(xs, 3))


def test_rejects_axis_out_of_range():
    for axis in (4, -1):
        with pytest.raises(FormatError, match=rf"CONCATENATION.*axis {axis} is outside \[0, 4\) for inputs of rank 4"):
            single_op_model(OpCode.CONCATENATION, [act("a", (1, 2, 2, 3)), act("b", (1, 2, 2, 3))],
                            act("y", (1, 2, 2, 6)), ConcatenationOptions(axis=axis))


def test_rejects_mismatched_inputs_and_output():
    with pytest.raises(FormatError, match=r"input 'b' has shape \[1,3,2,3\], which differs from 'a' \[1,2,2,3\] "
                                          r"in dim 1 \(only axis 3 may differ\)"):
        single_op_model(OpCode.CONCATENATION, [act("a", (1, 2, 2, 3)), act("b", (1, 3, 2, 3))],
                        act("y", (1, 2, 2, 6)), ConcatenationOptions(axis=3))
    with pytest.raises(FormatError, match=r"input 'b' has rank 3 \(shape \[2,2,3\]\), input 'a' has rank 4"):
        single_op_model(OpCode.CONCATENATION, [act("a", (1, 2, 2, 3)), act("b", (2, 2, 3))],
                        act("y", (1, 2, 2, 6)), ConcatenationOptions(axis=3))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,2,2,5\], expected \[1,2,2,6\]"):
        single_op_model(OpCode.CONCATENATION, [act("a", (1, 2, 2, 3)), act("b", (1, 2, 2, 3))],
                        act("y", (1, 2, 2, 5)), ConcatenationOptions(axis=3))


def test_rejects_int8_without_shared_quantization():
    with pytest.raises(FormatError, match="'b' and 'y' must share scale and zero point"):
        single_op_model(OpCode.CONCATENATION, [act("a", (1, 2), 0.1, 0), act("b", (1, 2), 0.2, 0)],
                        act("y", (1, 4), 0.1, 0), ConcatenationOptions(axis=1))


def test_rejects_int8_without_quant_params():
    model = single_op_model(OpCode.CONCATENATION, [act("a", (1, 2), 0.1, 0)], act("y", (1, 2), 0.1, 0),
                            ConcatenationOptions(axis=1))
    assert isinstance(model.operators[0].quant_params, QuantParams)
    model.operators[0].quant_params = None
    with pytest.raises(FormatError, match="int8 op has no quant_params"):
        validate(model)
