"""RESIZE_NEAREST reference kernel: hand-worked source indices per coordinate mode, a scalar port, checks."""
import math

import numpy as np
import pytest

from support import act, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, ResizeOptions
from tensorlet.errors import FormatError

DEFAULT = ResizeOptions()
ALIGN = ResizeOptions(align_corners=True)
HALF = ResizeOptions(half_pixel_centers=True)


def nearest_scalar(i, in_size, out_size, o: ResizeOptions):
    """TFLite's GetNearestNeighbor on one index, float32 scalars, C's round (ties away from zero)."""
    if o.align_corners and out_size > 1:
        scale = np.float32(in_size - 1) / np.float32(out_size - 1)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    position = float((np.float32(i) + np.float32(0.5 if o.half_pixel_centers else 0)) * scale)
    index = math.floor(position + 0.5) if o.align_corners else math.floor(position)
    index = min(index, in_size - 1)
    return max(index, 0) if o.half_pixel_centers else index


def resize_loop(x, out_hw, o):
    n, h, w, c = x.shape
    out = np.empty((n, out_hw[0], out_hw[1], c), x.dtype)
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            out[:, i, j, :] = x[:, nearest_scalar(i, h, out_hw[0], o), nearest_scalar(j, w, out_hw[1], o), :]
    return out


# (options, in size, out size, hand-worked source index of each output position)
HAND_WORKED = [
    (DEFAULT, 4, 8, [0, 0, 1, 1, 2, 2, 3, 3]),     # scale 0.5: floor(i/2)
    (DEFAULT, 3, 5, [0, 0, 1, 1, 2]),              # floor(0, .6, 1.2, 1.8, 2.4)
    (DEFAULT, 5, 3, [0, 1, 3]),                    # floor(0, 1.67, 3.33)
    (DEFAULT, 5, 2, [0, 2]),                       # floor(0, 2.5)
    (ALIGN, 3, 5, [0, 1, 1, 2, 2]),                # scale 2/4: round(0, .5, 1, 1.5, 2), ties away from zero
    (ALIGN, 5, 3, [0, 2, 4]),                      # scale 4/2
    (ALIGN, 4, 3, [0, 2, 3]),                      # scale 3/2: round(0, 1.5, 3)
    (ALIGN, 6, 3, [0, 3, 5]),                      # scale 5/2: round(2.5) = 3 (half-to-even would give 2)
    (ALIGN, 4, 1, [0]),                            # one output: scale in/out, round(0)
    (HALF, 3, 5, [0, 0, 1, 2, 2]),                 # floor((i+.5)*.6) = floor(.3, .9, 1.5, 2.1, 2.7)
    (HALF, 5, 3, [0, 2, 4]),                       # floor(.83, 2.5, 4.17)
    (HALF, 4, 8, [0, 0, 1, 1, 2, 2, 3, 3]),        # floor(.25, .75, 1.25, ...)
    (HALF, 2, 3, [0, 1, 1]),                       # floor(.33, 1, 1.67)
]


@pytest.mark.parametrize("options,in_size,out_size,index", HAND_WORKED)
def test_hand_worked_indices_along_width_and_height(options, in_size, out_size, index):
    x = np.arange(in_size, dtype=np.float32) * 10 + 1
    model = single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, 1, in_size, 1))], act("y", (1, 1, out_size, 1)),
                            options)
    np.testing.assert_array_equal(run_through_file(model, x.reshape(1, 1, in_size, 1)).ravel(), x[index])
    model = single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, in_size, 1, 1))], act("y", (1, out_size, 1, 1)),
                            options)
    np.testing.assert_array_equal(run_through_file(model, x.reshape(1, in_size, 1, 1)).ravel(), x[index])


SHAPES = [((2, 5, 7, 3), (9, 4)), ((1, 6, 6, 2), (4, 13)), ((1, 3, 8, 1), (3, 3)), ((1, 1, 1, 2), (3, 2))]


@pytest.mark.parametrize("in_shape,out_hw", SHAPES)
@pytest.mark.parametrize("options", [DEFAULT, ALIGN, HALF])
def test_float_and_int8_match_scalar_port(in_shape, out_hw, options):
    rng = np.random.default_rng(7)
    out_shape = (in_shape[0],) + out_hw + (in_shape[3],)
    x = rng.standard_normal(in_shape).astype(np.float32)
    model = single_op_model(OpCode.RESIZE_NEAREST, [act("x", in_shape)], act("y", out_shape), options)
    np.testing.assert_array_equal(run_through_file(model, x), resize_loop(x, out_hw, options))
    q = rng.integers(-128, 128, in_shape).astype(np.int8)
    model = single_op_model(OpCode.RESIZE_NEAREST, [act("x", in_shape, 0.02, -5)], act("y", out_shape, 0.02, -5),
                            options)
    assert model.operators[0].quant_params is None
    np.testing.assert_array_equal(run_through_file(model, q), resize_loop(q, out_hw, options))


def test_rejects_both_coordinate_modes():
    with pytest.raises(FormatError, match="RESIZE_NEAREST.*align_corners and half_pixel_centers cannot both be true"):
        single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, 2, 2, 1))], act("y", (1, 4, 4, 1)),
                        ResizeOptions(align_corners=True, half_pixel_centers=True))


def test_rejects_bad_shapes_and_requantization():
    with pytest.raises(FormatError, match=r"input 'x' has rank 3 \(shape \[2,2,1\]\), expected 4"):
        single_op_model(OpCode.RESIZE_NEAREST, [act("x", (2, 2, 1))], act("y", (1, 4, 4, 1)), DEFAULT)
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,4,4,2\]; batch and channels must match "
                                          r"input 'x' \[1,2,2,1\]"):
        single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, 2, 2, 1))], act("y", (1, 4, 4, 2)), DEFAULT)
    with pytest.raises(FormatError, match=r"output 'y' has shape \[2,4,4,1\]; batch and channels"):
        single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, 2, 2, 1))], act("y", (2, 4, 4, 1)), DEFAULT)
    with pytest.raises(FormatError, match="'x' and 'y' must share scale and zero point"):
        single_op_model(OpCode.RESIZE_NEAREST, [act("x", (1, 2, 2, 1), 0.1, 0)], act("y", (1, 4, 4, 1), 0.1, 2),
                        DEFAULT)
