"""TRANSPOSE reference kernel: against an explicit index loop, int8 unchanged values, bad perms rejected."""
import itertools

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, TransposeOptions
from tensorlet.errors import FormatError


@pytest.mark.parametrize("shape,perm", [((1, 3, 4, 5), (0, 2, 3, 1)), ((1, 4, 5, 3), (0, 3, 1, 2)),
                                        ((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1))])
def test_float_matches_index_loop(shape, perm):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out_shape = tuple(shape[p] for p in perm)
    model = single_op_model(OpCode.TRANSPOSE, [act("x", shape)], act("y", out_shape), TransposeOptions(perm=perm))
    y = run_through_file(model, x)
    for out_index in itertools.product(*(range(d) for d in out_shape)):
        source = [0] * len(shape)
        for k, p in enumerate(perm):
            source[p] = out_index[k]
        assert y[out_index] == x[tuple(source)]


def test_int8_moves_values_unchanged():
    x = np.arange(-12, 12, dtype=np.int8).reshape(1, 2, 3, 4)
    model = single_op_model(OpCode.TRANSPOSE, [act("x", (1, 2, 3, 4), 0.1, 2)], act("y", (1, 4, 2, 3), 0.1, 2),
                            TransposeOptions(perm=(0, 3, 1, 2)))
    y = run_through_file(model, x)
    assert y[0, 3, 1, 2] == x[0, 1, 2, 3] == 11


def test_rejects_bad_perm_and_shape():
    with pytest.raises(FormatError, match=r"perm \[0, 1, 1, 2\] is not a permutation"):
        single_op_model(OpCode.TRANSPOSE, [act("x", (1, 2, 3, 4))], act("y", (1, 2, 2, 3)),
                        TransposeOptions(perm=(0, 1, 1, 2)))
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,2,3,4\], expected \[1,4,2,3\]"):
        single_op_model(OpCode.TRANSPOSE, [act("x", (1, 2, 3, 4))], act("y", (1, 2, 3, 4)),
                        TransposeOptions(perm=(0, 3, 1, 2)))
    with pytest.raises(FormatError, match="share scale and zero point"):
        single_op_model(OpCode.TRANSPOSE, [act("x", (2, 3), 0.1, 2)], act("y", (3, 2), 0.2, 2),
                        TransposeOptions(perm=(1, 0)))


def test_scalars_pass_through_transpose_slice_and_pad():
    """Rank-0 tensors: the format allows them, and these data-movement ops keep them rank 0."""
    from tensorlet.converter.ir import PadOptions, SliceOptions
    x = np.array(2.5, np.float32)
    for opcode, options in ((OpCode.TRANSPOSE, TransposeOptions(perm=())), (OpCode.PAD, PadOptions(paddings=())),
                            (OpCode.SLICE, SliceOptions(begin=(), end=(), strides=()))):
        y = run_through_file(single_op_model(opcode, [act("x", ())], act("y", ()), options), x)
        assert y.shape == () and y == 2.5
