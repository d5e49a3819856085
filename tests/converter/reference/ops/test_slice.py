"""SLICE reference kernel: against explicit loops, int8 unchanged values, out-of-range windows rejected."""
import itertools

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, SliceOptions
from tensorlet.errors import FormatError


@pytest.mark.parametrize("shape,begin,end,strides,out_shape", [
    ((1, 6, 5, 4), (0, 1, 0, 2), (1, 6, 5, 4), (1, 2, 1, 1), (1, 3, 5, 2)),
    ((7, 3), (2, 0), (7, 3), (3, 2), (2, 2)),
    ((4,), (1,), (3,), (1,), (2,)),
])
def test_float_matches_loops(shape, begin, end, strides, out_shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    model = single_op_model(OpCode.SLICE, [act("x", shape)], act("y", out_shape),
                            SliceOptions(begin=begin, end=end, strides=strides))
    y = run_through_file(model, x)
    for index in itertools.product(*(range(d) for d in out_shape)):
        assert y[index] == x[tuple(b + k * s for b, k, s in zip(begin, index, strides))]


def test_int8_keeps_values():
    x = np.arange(-10, 10, dtype=np.int8).reshape(4, 5)
    model = single_op_model(OpCode.SLICE, [act("x", (4, 5), 0.5, -3)], act("y", (2, 2), 0.5, -3),
                            SliceOptions(begin=(1, 1), end=(4, 4), strides=(2, 2)))
    np.testing.assert_array_equal(run_through_file(model, x), [[-4, -2], [6, 8]])


def test_rejects_bad_windows():
    with pytest.raises(FormatError, match=r"axis 1: need 0 <= begin \(2\) < end \(9\) <= 5"):
        single_op_model(OpCode.SLICE, [act("x", (4, 5))], act("y", (4, 7)),
                        SliceOptions(begin=(0, 2), end=(4, 9), strides=(1, 1)))
    with pytest.raises(FormatError, match=r"strides\[0\] must be >= 1"):
        single_op_model(OpCode.SLICE, [act("x", (4, 5))], act("y", (4, 5)),
                        SliceOptions(begin=(0, 0), end=(4, 5), strides=(0, 1)))
    with pytest.raises(FormatError, match="begin has 1 entries, expected 2"):
        single_op_model(OpCode.SLICE, [act("x", (4, 5))], act("y", (4, 5)),
                        SliceOptions(begin=(0,), end=(4, 5), strides=(1, 1)))
