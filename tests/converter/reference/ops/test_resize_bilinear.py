"""RESIZE_BILINEAR reference kernel: hand-worked examples per coordinate mode, float and int8 against scalar ports
of TFLite's reference kernels, and the checks."""
import numpy as np
import pytest

from support import act, quantize, run_through_file, single_op_model
from tensorlet.converter.ir import OpCode, ResizeOptions
from tensorlet.errors import FormatError

DEFAULT = ResizeOptions()
ALIGN = ResizeOptions(align_corners=True)
HALF = ResizeOptions(half_pixel_centers=True)


def float_source(i, in_size, out_size, o: ResizeOptions):
    """TFLite's float mapping of one output index: (float32 position, lower tap, upper tap)."""
    if o.align_corners and out_size > 1:
        scale = np.float32(in_size - 1) / np.float32(out_size - 1)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    if o.half_pixel_centers:
        position = (np.float32(i) + np.float32(0.5)) * scale - np.float32(0.5)
    else:
        position = np.float32(i) * scale
    return position, max(int(np.floor(position)), 0), min(int(np.ceil(position)), in_size - 1)


def float_loop(x, out_hw, o):
    """TFLite's float ResizeBilinear, one output value at a time, in float32 in its evaluation order."""
    n, h, w, c = x.shape
    out = np.empty((n, out_hw[0], out_hw[1], c), np.float32)
    one = np.float32(1)
    for i in range(out_hw[0]):
        ys, y0, y1 = float_source(i, h, out_hw[0], o)
        dy = ys - np.float32(y0)
        for j in range(out_hw[1]):
            xs, x0, x1 = float_source(j, w, out_hw[1], o)
            dx = xs - np.float32(x0)
            for b in range(n):
                for k in range(c):
                    out[b, i, j, k] = (x[b, y0, x0, k] * (one - dy) * (one - dx) + x[b, y1, x0, k] * dy * (one - dx)
                                       + x[b, y0, x1, k] * (one - dy) * dx + x[b, y1, x1, k] * dy * dx)
    return out


def c_div(a, b):
    """C's integer division (truncates toward zero) on Python ints."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def int_source(i, in_size, out_size, o: ResizeOptions):
    """TFLite's 10-bit fixed-point mapping of one output index: (position * 1024, lower tap, upper tap)."""
    if o.align_corners and out_size > 1:
        scale = c_div(1024 * (in_size - 1) + c_div(out_size - 1, 2), out_size - 1)
    else:
        scale = c_div(1024 * in_size + c_div(out_size, 2), out_size)
    position = i * scale + (c_div(scale, 2) - 512 if o.half_pixel_centers else 0)
    return position, max(c_div(position, 1024), 0), min(c_div(position + 1023, 1024), in_size - 1)


def int_loop(x, out_hw, o):
    """TFLite's ResizeBilinearInteger on Python ints (default double-rounding build)."""
    n, h, w, c = x.shape
    out = np.empty((n, out_hw[0], out_hw[1], c), np.int8)
    for i in range(out_hw[0]):
        ys, y0, y1 = int_source(i, h, out_hw[0], o)
        for j in range(out_hw[1]):
            xs, x0, x1 = int_source(j, w, out_hw[1], o)
            for b in range(n):
                for k in range(c):
                    v = [[int(x[b, y0, x0, k]), int(x[b, y0, x1, k])], [int(x[b, y1, x0, k]), int(x[b, y1, x1, k])]]
                    acc = (v[0][0] * (1024 - (ys - 1024 * y0)) * (1024 - (xs - 1024 * x0))
                           + v[1][0] * (ys - 1024 * y0) * (1024 - (xs - 1024 * x0))
                           + v[0][1] * (1024 - (ys - 1024 * y0)) * (xs - 1024 * x0)
                           + v[1][1] * (ys - 1024 * y0) * (xs - 1024 * x0))
                    out[b, i, j, k] = c_div(acc + (1 << 19 if acc > 0 else -(1 << 19)), 1 << 20)
    return out


def resize_row(values, out_size, options, axis, scale=None):
    """Run a 1-D resize of `values` along width (axis 2) or height (axis 1); int8 when scale is given."""
    in_shape, out_shape = [1, 1, 1, 1], [1, 1, 1, 1]
    in_shape[axis], out_shape[axis] = len(values), out_size
    dtype = np.float32 if scale is None else np.int8
    model = single_op_model(OpCode.RESIZE_BILINEAR, [act("x", in_shape, scale)], act("y", out_shape, scale), options)
    return run_through_file(model, np.array(values, dtype).reshape(in_shape)).ravel()


# (options, input row, output size, hand-worked output row)
FLOAT_HAND_WORKED = [
    (DEFAULT, [0, 4], 4, [0, 2, 4, 4]),                   # positions 0, .5, 1, 1.5 (upper tap clamped)
    (DEFAULT, [0, 10, 20], 2, [0, 15]),                   # downsample: positions 0, 1.5
    (DEFAULT, [0, 10, 20], 5, [0, 6, 12, 18, 20]),        # positions 0, .6, 1.2, 1.8, 2.4
    (ALIGN, [0, 10, 20], 5, [0, 5, 10, 15, 20]),          # scale 2/4
    (ALIGN, [0, 1, 4, 9, 16], 3, [0, 4, 16]),             # downsample: scale 4/2
    (ALIGN, [0, 10, 20, 30], 3, [0, 15, 30]),             # scale 3/2
    (HALF, [0, 4], 4, [0, 1, 3, 4]),                      # positions -.25 (both taps 0), .25, .75, 1.25
    (HALF, [0, 10, 20, 30], 2, [5, 25]),                  # downsample: positions .5, 2.5
    (HALF, [10, 20, 40], 5, [10, 14, 20, 32, 40]),        # positions -.2, .4, 1, 1.6, 2.2
]


@pytest.mark.parametrize("options,row,out_size,expected", FLOAT_HAND_WORKED)
@pytest.mark.parametrize("axis", [1, 2])
def test_float_hand_worked(options, row, out_size, expected, axis):
    np.testing.assert_allclose(resize_row(row, out_size, options, axis), expected, rtol=1e-6, atol=1e-5)


INT8_HAND_WORKED = [
    (DEFAULT, [0, 100], 4, [0, 50, 100, 100]),            # scale_10 512
    (DEFAULT, [0, 1], 4, [0, 1, 1, 1]),                   # 0.5 rounds up
    (DEFAULT, [0, -1], 4, [0, -1, -1, -1]),               # -0.5 rounds away from zero (double-rounding build)
    (DEFAULT, [0, 100, -100], 5, [0, 60, 60, -60, -100]),  # scale_10 614: positions 0, 614, 1228, 1842, 2456
    (DEFAULT, [0, 10, 20, 30, 40, 50, 60], 3, [0, 23, 47]),  # scale_10 2389: 2389 -> 23.33, 4778 -> 46.66
    (ALIGN, [0, 100, -100], 5, [0, 50, 100, 0, -100]),    # scale_10 512
    (HALF, [0, 100], 4, [0, 25, 75, 100]),                # positions -256, 256, 768, 1280
    (HALF, [-100, 100], 4, [-100, -50, 50, 100]),         # -256: both taps 0, weights 1280 and -256
]


@pytest.mark.parametrize("options,row,out_size,expected", INT8_HAND_WORKED)
@pytest.mark.parametrize("axis", [1, 2])
def test_int8_hand_worked(options, row, out_size, expected, axis):
    np.testing.assert_array_equal(resize_row(row, out_size, options, axis, scale=0.1), expected)


SHAPES = [((2, 5, 7, 3), (9, 4)), ((1, 6, 6, 2), (4, 13)), ((1, 3, 8, 1), (3, 3)), ((1, 1, 1, 2), (3, 2)),
          ((1, 7, 3, 2), (2, 11))]


@pytest.mark.parametrize("in_shape,out_hw", SHAPES)
@pytest.mark.parametrize("options", [DEFAULT, ALIGN, HALF])
def test_float_matches_scalar_port(in_shape, out_hw, options):
    x = np.random.default_rng(8).standard_normal(in_shape).astype(np.float32)
    out_shape = (in_shape[0],) + out_hw + (in_shape[3],)
    model = single_op_model(OpCode.RESIZE_BILINEAR, [act("x", in_shape)], act("y", out_shape), options)
    np.testing.assert_array_equal(run_through_file(model, x), float_loop(x, out_hw, options))


@pytest.mark.parametrize("in_shape,out_hw", SHAPES)
@pytest.mark.parametrize("options", [DEFAULT, ALIGN, HALF])
def test_int8_bit_exact_with_scalar_port_and_close_to_float(in_shape, out_hw, options):
    rng = np.random.default_rng(9)
    q = rng.integers(-128, 128, in_shape).astype(np.int8)
    out_shape = (in_shape[0],) + out_hw + (in_shape[3],)
    model = single_op_model(OpCode.RESIZE_BILINEAR, [act("x", in_shape, 0.05, 3)], act("y", out_shape, 0.05, 3),
                            options)
    assert model.operators[0].quant_params is None
    got = run_through_file(model, q)
    np.testing.assert_array_equal(got, int_loop(q, out_hw, options))
    approx = quantize(float_loop(q.astype(np.float32), out_hw, options), 1.0, 0)
    assert np.abs(got.astype(np.int32) - approx).max() <= 2  # the 10-bit positions differ slightly from float


def test_rejects_both_coordinate_modes():
    with pytest.raises(FormatError, match="RESIZE_BILINEAR.*align_corners and half_pixel_centers cannot both be true"):
        single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 2, 2, 1))], act("y", (1, 4, 4, 1)),
                        ResizeOptions(align_corners=True, half_pixel_centers=True))


def test_rejects_bad_shapes_and_requantization():
    with pytest.raises(FormatError, match=r"output 'y' has rank 2 \(shape \[4,4\]\), expected 4"):
        single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 2, 2, 1))], act("y", (4, 4)), DEFAULT)
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,4,4,3\]; batch and channels must match "
                                          r"input 'x' \[1,2,2,1\]"):
        single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 2, 2, 1))], act("y", (1, 4, 4, 3)), DEFAULT)
    with pytest.raises(FormatError, match="'x' and 'y' must share scale and zero point"):
        single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 2, 2, 1), 0.1, 0)], act("y", (1, 4, 4, 1), 0.2, 0),
                        DEFAULT)


def test_rejects_int8_index_past_the_input():
    # width 1 -> 2048: scale_10 = (1024 + 1024) / 2048 = 1, so output 2047 maps to 2047/1024 -> source column 1
    with pytest.raises(FormatError, match=r"resizing width 1 to 2048 reads source index 1, past the input "
                                          r"\(TFLite's 10-bit fixed-point index math\)"):
        single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 1, 1, 1), 0.1, 0)], act("y", (1, 1, 2048, 1), 0.1, 0),
                        DEFAULT)
    single_op_model(OpCode.RESIZE_BILINEAR, [act("x", (1, 1, 1, 1))], act("y", (1, 1, 2048, 1)), DEFAULT)  # float ok
