"""RESHAPE reference kernel: row-major relabelling, int8 passthrough, and the checks."""
import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference.ops import OPS
from tensorlet.errors import FormatError


@pytest.mark.parametrize("in_shape,out_shape", [((2, 3, 4), (6, 4)), ((1, 4, 4, 3), (1, 48)), ((5,), (1, 5, 1)),
                                                ((2, 6), (3, 2, 2))])
def test_float_keeps_row_major_order(in_shape, out_shape):
    x = np.arange(np.prod(in_shape), dtype=np.float32).reshape(in_shape) * np.float32(0.5) - 3
    model = single_op_model(OpCode.RESHAPE, [act("x", in_shape)], act("y", out_shape))
    y = run_through_file(model, x)
    assert y.shape == out_shape
    flat = [x[idx] for idx in np.ndindex(*in_shape)]  # row-major walk of the input
    np.testing.assert_array_equal([y[idx] for idx in np.ndindex(*out_shape)], flat)


def test_int8_passes_values_through_without_quant_params():
    x = np.array([[-128, -1, 0], [1, 64, 127]], np.int8)
    model = single_op_model(OpCode.RESHAPE, [act("x", (2, 3), 0.1, -3)], act("y", (3, 2), 0.1, -3))
    assert model.operators[0].quant_params is None
    np.testing.assert_array_equal(run_through_file(model, x), [[-128, -1], [0, 1], [64, 127]])
    assert OPS[OpCode.RESHAPE].macs(model.operators[0], [model.tensors[0]], [model.tensors[1]]) == 0


def test_rejects_wrong_element_count():
    with pytest.raises(FormatError, match=r"RESHAPE.*output 'y' has shape \[4,4\] \(16 elements\), "
                                          r"input 'x' has shape \[2,3,3\] \(18 elements\)"):
        single_op_model(OpCode.RESHAPE, [act("x", (2, 3, 3))], act("y", (4, 4)))


def test_rejects_int8_quantization_change_and_mixed_dtypes():
    with pytest.raises(FormatError, match="'x' and 'y' must share scale and zero point"):
        single_op_model(OpCode.RESHAPE, [act("x", (2, 3), 0.1, 0)], act("y", (6,), 0.1, 1))
    with pytest.raises(FormatError, match="tensor 'y' is INT8, expected FLOAT32"):
        single_op_model(OpCode.RESHAPE, [act("x", (2, 3))], act("y", (6,), 0.1, 0))
