"""The C kernels of TRANSPOSE_CONV, SUB, MUL, MEAN, CONCATENATION, PAD, LOG_SOFTMAX, LAYER_NORM, RESIZE_NEAREST,
RESIZE_BILINEAR, TRANSPOSE and SLICE against the reference interpreter: their op-catalog cases and many harder
ones (shapes, strides, broadcasting, negative pads, every resize mode, every axis, ranks 1..8, extreme values),
in-process (gcc -O2) and under ASan+UBSan; and malformed files for each op's rules, which must be rejected (non-OK
status, no sanitizer report) exactly as the Python reader rejects them."""
from __future__ import annotations

import dataclasses
import itertools
import subprocess

import numpy as np
import pytest

import native
from op_cases import cases
from parity import assert_parity
from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import encode, model_to_dict, to_bytes
from tensorlet.errors import FormatError, TensorletError

OPS = {"TRANSPOSE_CONV", "SUB", "MUL", "MEAN", "CONCATENATION", "PAD", "LOG_SOFTMAX", "LAYER_NORM", "RESIZE_NEAREST",
       "RESIZE_BILINEAR", "TRANSPOSE", "SLICE"}
TL_OK, TL_ERROR_OPERATOR, TL_ERROR_UNSUPPORTED_OP, TL_ERROR_LIMIT, TL_ERROR_KERNEL = 0, 9, 10, 11, 14
ACTIVATIONS = (Activation.NONE, Activation.RELU, Activation.RELU6)


def _int8(rng, shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


def _float(rng, shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _io(name, shape, int8, scale=0.05, zero_point=3):
    return act(name, shape, scale, zero_point) if int8 else act(name, shape)


def _x(rng, shape, int8):
    return _int8(rng, shape) if int8 else _float(rng, shape)


# ---- the cases ----

def _binary_cases(rng):
    out = []
    shapes = [((1, 4, 4, 3), (3,)), ((3,), (1, 4, 4, 3)), ((2, 1, 5), (4, 1)), ((4, 1), (2, 1, 5)), ((6,), (6,)),
              ((1,), (2, 3, 4)), ((2, 3, 1, 4, 1), (3, 5, 1, 2)), ((1, 1, 1, 1), (2, 2, 2, 2)), ((5, 7), (1, 7))]
    scales = [((0.05, 3), (0.04, -2), (0.08, 1)), ((0.5, -128), (0.01, 127), (0.3, 0)),
              ((0.002, 100), (0.002, -100), (0.004, 5))]
    for opcode in (OpCode.SUB, OpCode.MUL):
        for k, (a_shape, b_shape) in enumerate(shapes):
            y_shape = tuple(int(d) for d in np.broadcast_shapes(a_shape, b_shape))
            activation = ACTIVATIONS[k % 3]
            for int8 in (False, True):
                (sa, za), (sb, zb), (sy, zy) = scales[k % 3]
                if opcode == OpCode.MUL and int8:
                    sy = sa * sb * (0.3 + k)  # spans multipliers below and above one
                a = act("a", a_shape, sa, za) if int8 else act("a", a_shape)
                b = act("b", b_shape, sb, zb) if int8 else act("b", b_shape)
                y = act("y", y_shape, sy, zy) if int8 else act("y", y_shape)
                model = single_op_model(opcode, [a, b], y, ir.BinaryOptions(activation=activation))
                out.append((f"{opcode.name.lower()}_{'x'.join(map(str, a_shape))}_by_{'x'.join(map(str, b_shape))}"
                            f"-{'int8' if int8 else 'float'}", model, [_x(rng, a_shape, int8), _x(rng, b_shape, int8)]))
        # a constant second input
        for int8 in (False, True):
            data = _x(rng, (1, 1, 3), int8)
            b = const("b", data, 0.02, -7) if int8 else const("b", data)
            model = single_op_model(opcode, [_io("a", (2, 3, 3), int8, 0.03, 9), b], _io("y", (2, 3, 3), int8, 0.05, -1),
                                    ir.BinaryOptions(activation=Activation.RELU))
            out.append((f"{opcode.name.lower()}_const-{'int8' if int8 else 'float'}", model, [_x(rng, (2, 3, 3), int8)]))
    # every pair of int8 values through SUB and MUL
    every = np.arange(-128, 128, dtype=np.int8)
    a_all, b_all = np.repeat(every, 256).reshape(256, 256), np.tile(every, 256).reshape(256, 256)
    for opcode, yq in ((OpCode.SUB, (0.09, -3)), (OpCode.MUL, (0.6, 2))):
        model = single_op_model(opcode, [act("a", (256, 256), 0.07, 5), act("b", (256, 256), 0.03, -11)],
                                act("y", (256, 256), *yq), ir.BinaryOptions())
        out.append((f"{opcode.name.lower()}_every_pair-int8", model, [a_all, b_all]))
    return out


def _mean_cases(rng):
    out = []
    for k, (shape, keep, xq, yq) in enumerate([((1, 4, 5, 6), True, (0.05, 3), (0.02, -1)),
                                               ((2, 7, 3, 4), False, (0.1, -128), (0.1, -128)),
                                               ((1, 32, 32, 3), True, (0.02, 10), (0.5, 0)),
                                               ((3, 1, 1, 5), False, (0.05, 0), (0.01, 4)),
                                               ((1, 9, 11, 2), True, (0.3, 127), (0.004, -50))]):
        y_shape = (shape[0], 1, 1, shape[3]) if keep else (shape[0], shape[3])
        for int8 in (False, True):
            x = act("x", shape, *xq) if int8 else act("x", shape)
            y = act("y", y_shape, *yq) if int8 else act("y", y_shape)
            model = single_op_model(OpCode.MEAN, [x], y, ir.MeanOptions(axes=(1, 2), keep_dims=keep))
            data = _x(rng, shape, int8)
            if k == 2 and int8:
                data[..., 0] = 127   # a channel at the extreme: the sum's rounding at its largest
            out.append((f"mean_{'x'.join(map(str, shape))}_{'keep' if keep else 'drop'}-{'int8' if int8 else 'float'}",
                        model, [data]))
    return out


def _concat_cases(rng):
    out = []
    base = (2, 3, 4, 5)
    for axis in range(4):
        sizes = (1, 3, 2)
        shapes = [tuple(s if d == axis else base[d] for d in range(4)) for s in sizes]
        y_shape = tuple(sum(sizes) if d == axis else base[d] for d in range(4))
        for int8 in (False, True):
            activation = ACTIVATIONS[axis % 3]
            ins = [_io(f"x{k}", s, int8, 0.05, -3) for k, s in enumerate(shapes)]
            model = single_op_model(OpCode.CONCATENATION, ins, _io("y", y_shape, int8, 0.05, -3),
                                    ir.ConcatenationOptions(axis=axis, activation=activation))
            out.append((f"concat_axis{axis}-{'int8' if int8 else 'float'}", model, [_x(rng, s, int8) for s in shapes]))
    for rank in (1, 2, 5):
        for axis in range(rank):
            shape = tuple(2 + (d % 2) for d in range(rank))
            y_shape = tuple(3 * shape[d] if d == axis else shape[d] for d in range(rank))
            for int8 in (False, True):
                model = single_op_model(OpCode.CONCATENATION, [_io(f"x{k}", shape, int8) for k in range(3)],
                                        _io("y", y_shape, int8), ir.ConcatenationOptions(axis=axis))
                out.append((f"concat_rank{rank}_axis{axis}-{'int8' if int8 else 'float'}", model,
                            [_x(rng, shape, int8) for _ in range(3)]))
    # a constant between two activations, and the most inputs the runtime takes
    for int8 in (False, True):
        data = _x(rng, (1, 2, 3), int8)
        c = const("c", data, 0.05, 3) if int8 else const("c", data)
        model = single_op_model(OpCode.CONCATENATION, [_io("a", (1, 2, 3), int8), c, _io("b", (1, 2, 3), int8)],
                                _io("y", (1, 6, 3), int8), ir.ConcatenationOptions(axis=1))
        out.append((f"concat_const-{'int8' if int8 else 'float'}", model,
                    [_x(rng, (1, 2, 3), int8), _x(rng, (1, 2, 3), int8)]))
        n = 16
        model = single_op_model(OpCode.CONCATENATION, [_io(f"x{k}", (2, k + 1), int8) for k in range(n)],
                                _io("y", (2, n * (n + 1) // 2), int8), ir.ConcatenationOptions(axis=1))
        out.append((f"concat_16_inputs-{'int8' if int8 else 'float'}", model,
                    [_x(rng, (2, k + 1), int8) for k in range(n)]))
    return out


def _pad_cases(rng):
    out = []
    for rank in range(1, 6):
        shape = tuple(2 + d for d in range(rank))
        for axis in range(rank):
            paddings = [0] * (2 * rank)
            paddings[2 * axis], paddings[2 * axis + 1] = 1 + axis % 2, 2 - axis % 2
            y_shape = tuple(shape[d] + paddings[2 * d] + paddings[2 * d + 1] for d in range(rank))
            for int8, value in ((False, -3.5), (True, 0.7)):
                model = single_op_model(OpCode.PAD, [_io("x", shape, int8, 0.05, -9)], _io("y", y_shape, int8, 0.05, -9),
                                        ir.PadOptions(paddings=tuple(paddings), value=value))
                out.append((f"pad_rank{rank}_axis{axis}-{'int8' if int8 else 'float'}", model, [_x(rng, shape, int8)]))
    for int8, value in ((False, 0.0), (True, -100.0), (True, 100.0)):   # every axis at once; values past int8
        shape, paddings = (2, 3, 1, 4), (1, 0, 2, 3, 0, 4, 1, 1)
        y_shape = tuple(shape[d] + paddings[2 * d] + paddings[2 * d + 1] for d in range(4))
        model = single_op_model(OpCode.PAD, [_io("x", shape, int8, 0.1, 2)], _io("y", y_shape, int8, 0.1, 2),
                                ir.PadOptions(paddings=paddings, value=value))
        out.append((f"pad_all_axes_v{value}-{'int8' if int8 else 'float'}", model, [_x(rng, shape, int8)]))
    model = single_op_model(OpCode.PAD, [act("x", (3, 4))], act("y", (3, 4)), ir.PadOptions(paddings=(0, 0, 0, 0)))
    out.append(("pad_nothing-float", model, [_float(rng, (3, 4))]))
    return out


def _log_softmax_cases(rng):
    out = []
    wide = np.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                     [1e30, -1e30, 0.0, 1e-30, 5e29, 1e30],
                     [-1e38, 1e38, 0.0, 3e37, -3e37, 1e38],
                     [7.0, 7.0, 7.0, 7.0, 7.0, 7.0],
                     [-80.0, -81.0, 80.0, 79.5, -1e-8, 1e-8],
                     [1e-40, -1e-40, 0.0, 1e-45, -1e-45, 0.0]], np.float32)
    for beta in (1.0, 0.37, 5.0):
        x = wide.copy()
        if beta > 1:
            x[2] *= np.float32(0.3)   # beta * (min - max) must stay inside float32 (parity compares finite values)
        model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (6, 6))], act("y", (6, 6)), ir.SoftmaxOptions(beta=beta))
        out.append((f"log_softmax_extreme_b{beta}-float", model, [x]))
    model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (2, 3, 1000))], act("y", (2, 3, 1000)), ir.SoftmaxOptions())
    out.append(("log_softmax_1000-float", model, [_float(rng, (2, 3, 1000), 20.0)]))
    x = _int8(rng, (8, 40))
    x[0] = 17
    x[1] = -128
    x[1, 5] = 127
    x[2, :] = 127
    x[3] = np.linspace(-128, 127, 40).astype(np.int8)
    for beta, scale in ((1.0, 0.5), (0.3, 0.01), (2.0, 0.1), (1.0, 0.0625), (1.0, 3.0), (0.05, 0.001)):
        model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (8, 40), scale, 11)], act("y", (8, 40), 16 / 256, 127),
                                ir.SoftmaxOptions(beta=beta))
        out.append((f"log_softmax_b{beta}_s{scale}-int8", model, [x]))
    model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (1, 4095), 0.1, 0)], act("y", (1, 4095), 16 / 256, 127),
                            ir.SoftmaxOptions())
    out.append(("log_softmax_4095_equal-int8", model, [np.full((1, 4095), 50, np.int8)]))
    model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (3, 1), 0.1, 0)], act("y", (3, 1), 16 / 256, 127),
                            ir.SoftmaxOptions())
    out.append(("log_softmax_one_class-int8", model, [np.array([[-128], [0], [127]], np.int8)]))
    return out


def _layer_norm_cases(rng):
    out = []
    for k, (shape, with_beta, eps) in enumerate([((2, 3, 8), True, 1e-5), ((5,), False, 1e-3), ((4, 16), False, 0.0),
                                                 ((1, 2, 3, 33), True, 1e-6), ((2, 1), True, 1e-5)]):
        gamma = const("gamma", _float(rng, shape[-1:]))
        beta = const("beta", _float(rng, shape[-1:])) if with_beta else None
        model = single_op_model(OpCode.LAYER_NORM, [act("x", shape), gamma, beta], act("y", shape),
                                ir.LayerNormOptions(epsilon=eps))
        data = _float(rng, shape, 3.0) + np.float32(1000.0 * k)   # large offsets, small spread
        if k == 2:
            data[0] = 2.5  # a constant row with epsilon 0: NaN, as the reference
        out.append((f"layer_norm_{'x'.join(map(str, shape))}_{'beta' if with_beta else 'nobeta'}_eps{eps}-float",
                    model, [data]))
    return out


RESIZE_SIZES = [((3, 4), (6, 7)), ((5, 7), (3, 4)), ((4, 4), (7, 3)), ((1, 1), (3, 2)), ((6, 5), (1, 1)),
                ((2, 9), (5, 2)), ((7, 3), (10, 13)), ((4, 6), (4, 6))]
RESIZE_MODES = [(False, False), (True, False), (False, True)]


def _resize_cases(rng):
    out = []
    for opcode in (OpCode.RESIZE_NEAREST, OpCode.RESIZE_BILINEAR):
        for (in_hw, out_hw), (align, half) in itertools.product(RESIZE_SIZES, RESIZE_MODES):
            for int8 in (False, True):
                shape, y_shape = (2,) + in_hw + (3,), (2,) + out_hw + (3,)
                model = single_op_model(opcode, [_io("x", shape, int8, 0.05, -4)], _io("y", y_shape, int8, 0.05, -4),
                                        ir.ResizeOptions(align_corners=align, half_pixel_centers=half))
                mode = "align" if align else ("half" if half else "plain")
                out.append((f"{opcode.name.lower()}_{in_hw[0]}x{in_hw[1]}_to_{out_hw[0]}x{out_hw[1]}_{mode}"
                            f"-{'int8' if int8 else 'float'}", model, [_x(rng, shape, int8)]))
    # the largest upsampling the integer taps allow (1024x from one row; 1025 reads past it, see the hostile cases)
    for int8 in (False, True):
        model = single_op_model(OpCode.RESIZE_BILINEAR, [_io("x", (1, 1, 2, 1), int8)], _io("y", (1, 1024, 3, 1), int8),
                                ir.ResizeOptions())
        out.append((f"resize_bilinear_1024x-{'int8' if int8 else 'float'}", model, [_x(rng, (1, 1, 2, 1), int8)]))
    return out


def _transpose_cases(rng):
    out = []
    for rank in range(2, 6):
        shape = tuple(2 + d for d in range(rank))
        perms = list(itertools.permutations(range(rank)))
        picks = perms if rank <= 3 else [perms[i] for i in rng.choice(len(perms), 6, replace=False)]
        for perm in picks:
            for int8 in (False, True):
                model = single_op_model(OpCode.TRANSPOSE, [_io("x", shape, int8)],
                                        _io("y", tuple(shape[p] for p in perm), int8), ir.TransposeOptions(perm=perm))
                out.append((f"transpose_{''.join(map(str, perm))}-{'int8' if int8 else 'float'}", model,
                            [_x(rng, shape, int8)]))
    for shape, perm in (((2, 1, 3, 1, 2, 2, 1, 3), (7, 0, 5, 2, 4, 1, 6, 3)), ((3, 2, 2, 2, 2, 2), (5, 4, 3, 2, 1, 0)),
                        ((2, 3, 2, 2, 3, 2, 2), (1, 0, 2, 3, 4, 6, 5)), ((7,), (0,))):
        for int8 in (False, True):
            model = single_op_model(OpCode.TRANSPOSE, [_io("x", shape, int8)],
                                    _io("y", tuple(shape[p] for p in perm), int8), ir.TransposeOptions(perm=perm))
            out.append((f"transpose_rank{len(shape)}_{''.join(map(str, perm))}-{'int8' if int8 else 'float'}", model,
                        [_x(rng, shape, int8)]))
    return out


def _slice_cases(rng):
    out = []
    specs = [((10,), (0,), (10,), (1,)), ((10,), (3,), (10,), (4,)), ((10,), (9,), (10,), (100,)),
             ((6, 7), (1, 0), (6, 7), (2, 3)), ((6, 7), (0, 6), (1, 7), (1, 1)),
             ((1, 6, 5, 4), (0, 1, 0, 2), (1, 6, 5, 4), (1, 2, 1, 1)), ((3, 8, 9, 5), (1, 2, 3, 0), (3, 8, 9, 5), (2, 3, 4, 2)),
             ((2, 3, 4, 5, 6), (0, 1, 1, 2, 0), (2, 3, 4, 5, 6), (1, 1, 2, 2, 5)),
             ((2, 2, 2, 2, 2, 2, 2, 3), (1, 0, 1, 0, 1, 0, 1, 0), (2, 2, 2, 2, 2, 2, 2, 3), (1, 1, 1, 1, 1, 1, 1, 2))]
    for shape, begin, end, strides in specs:
        y_shape = tuple(-(-(e - b) // s) for b, e, s in zip(begin, end, strides))
        for int8 in (False, True):
            model = single_op_model(OpCode.SLICE, [_io("x", shape, int8)], _io("y", y_shape, int8),
                                    ir.SliceOptions(begin=begin, end=end, strides=strides))
            out.append((f"slice_{'x'.join(map(str, shape))}_b{''.join(map(str, begin))}_s{''.join(map(str, strides))}"
                        f"-{'int8' if int8 else 'float'}", model, [_x(rng, shape, int8)]))
    return out


def _transpose_conv_cases(rng):
    out = []
    specs = [  # x shape, (co, kh, kw), strides, pads (top, bottom, left, right), bias, per-channel, activation
        ((1, 3, 3, 2), (4, 3, 3), (2, 2), (1, 0, 1, 0), True, True, Activation.NONE),
        ((2, 4, 5, 3), (2, 2, 3), (1, 1), (0, 0, 0, 0), False, True, Activation.RELU),
        ((1, 3, 4, 1), (3, 3, 2), (3, 2), (-1, -2, 0, -1), True, False, Activation.RELU6),
        ((1, 2, 2, 4), (5, 2, 2), (3, 3), (0, 0, 1, 0), True, True, Activation.NONE),    # stride > kernel: gaps
        ((1, 5, 3, 2), (2, 4, 1), (2, 1), (2, 1, -3, 2), False, False, Activation.NONE),  # mixed signs
        ((2, 3, 3, 3), (4, 5, 5), (2, 3), (-2, -2, -2, -2), True, True, Activation.RELU),  # only negative pads
        ((1, 1, 1, 3), (2, 3, 3), (1, 1), (0, 0, 0, 0), True, True, Activation.NONE),
    ]
    for k, (xs, (co, kh, kw), (sh, sw), (pt, pb, pl, pr), with_bias, per_channel, activation) in enumerate(specs):
        oh = (xs[1] - 1) * sh + kh - pt - pb
        ow = (xs[2] - 1) * sw + kw - pl - pr
        options = ir.TransposeConvOptions(stride_h=sh, stride_w=sw, pad_top=pt, pad_bottom=pb, pad_left=pl,
                                          pad_right=pr, activation=activation)
        for int8 in (False, True):
            wshape = (co, kh, kw, xs[3])
            if int8:
                scales = rng.uniform(0.002, 0.03, co) if per_channel else 0.01
                w = const("w", rng.integers(-127, 128, wshape).astype(np.int8), scales, 0, 0)
                b = const("b", rng.integers(-3000, 3000, co).astype(np.int32)) if with_bias else None
            else:
                w = const("w", _float(rng, wshape, 0.3))
                b = const("b", _float(rng, (co,))) if with_bias else None
            model = single_op_model(OpCode.TRANSPOSE_CONV, [_io("x", xs, int8, 0.04, -6), w, b],
                                    _io("y", (xs[0], oh, ow, co), int8, 0.08, 5), options)
            out.append((f"transpose_conv_{k}-{'int8' if int8 else 'float'}", model, [_x(rng, xs, int8)]))
    return out


def catalog_cases():
    """The tests/op_cases.py cases of these ops (they also run in test_op_parity.py once it lists the ops)."""
    return [(cid, to_bytes(model), inputs) for cid, model, inputs in cases() if model.operators[0].opcode.name in OPS]


def harder_cases():
    rng = np.random.default_rng(77)
    out = []
    for make in (_binary_cases, _mean_cases, _concat_cases, _pad_cases, _log_softmax_cases, _layer_norm_cases,
                 _resize_cases, _transpose_cases, _slice_cases, _transpose_conv_cases):
        out += make(rng)
    return [(cid, to_bytes(model), inputs) for cid, model, inputs in out]


CATALOG = catalog_cases()
HARDER = harder_cases()
ALL = CATALOG + HARDER


def test_case_ids_are_unique_and_cover_every_op():
    assert len({cid for cid, _, _ in ALL}) == len(ALL)
    assert {from_bytes(data).operators[0].opcode.name for _, data, _ in ALL} == OPS


def test_the_ops_have_kernels(lib):
    for name in OPS:
        assert lib.tl_opcode_supported(int(OpCode[name])) == 1, name


@pytest.mark.parametrize("cid,data,inputs", ALL, ids=[c[0] for c in ALL])
def test_parity_native(ctypes_backend, cid, data, inputs):
    assert_parity(data, inputs, ctypes_backend, what=cid)


def test_parity_under_asan_and_ubsan(asan_backend):
    for cid, data, inputs in ALL:
        assert_parity(data, inputs, asan_backend, what=cid)


def test_int8_log_softmax_overflow_fails_as_the_reference_raises(ctypes_backend, asan_backend):
    """4096 equal classes: the Q12.19 sum of exps passes int32; the reference raises, the kernel returns
    TL_ERROR_KERNEL at invoke (and nothing breaks under the sanitizers)."""
    model = single_op_model(OpCode.LOG_SOFTMAX, [act("x", (2, 4096), 0.1, 0)], act("y", (2, 4096), 16 / 256, 127),
                            ir.SoftmaxOptions())
    data, x = to_bytes(model), [np.full((2, 4096), 3, np.int8)]
    with pytest.raises(TensorletError):
        run(from_bytes(data), x)
    with pytest.raises(native.NativeError) as e:
        ctypes_backend(data, x)
    assert e.value.step == "invoke" and e.value.status == TL_ERROR_KERNEL
    assert "LOG_SOFTMAX" in e.value.detail
    with pytest.raises(RuntimeError, match="tlrun exited"):
        asan_backend(data, x)


# ---- malformed files ----

def _set_options(**fields):
    """A mutation replacing fields of the operator's options."""
    def mutate(model):
        model.operators[0].options = dataclasses.replace(model.operators[0].options, **fields)
    return mutate


def _set_qp(**fields):
    """A mutation replacing fields of the operator's quant_params (None: drop them)."""
    def mutate(model):
        op = model.operators[0]
        op.quant_params = None if fields.get("drop") else dataclasses.replace(op.quant_params, **fields)
    return mutate


def _set_tensor(index, **fields):
    """A mutation replacing fields of tensor `index` (shape, dtype, data, quantization)."""
    def mutate(model):
        for name, value in fields.items():
            setattr(model.tensors[index], name, value)
    return mutate


def malformed_files() -> list[tuple[str, bytes]]:
    """Files breaking one rule of an op each (options, quant_params or a tensor changed after validation, the arena
    re-planned so that only the op's rule is broken), written without validation; the Python reader rejects
    every one (test_malformed_files_are_rejected_by_python)."""
    files = []

    def add(name, build, mutate):
        model = build()
        mutate(model)
        apply_plan(model)
        files.append((name, encode(model_to_dict(model))))

    def transpose(int8=False):
        return lambda: single_op_model(OpCode.TRANSPOSE, [_io("x", (2, 3, 4, 5), int8)], _io("y", (3, 2, 5, 4), int8),
                                       ir.TransposeOptions(perm=(1, 0, 3, 2)))
    add("transpose_perm_repeats", transpose(), _set_options(perm=(1, 1, 3, 2)))
    add("transpose_perm_out_of_range", transpose(), _set_options(perm=(1, 0, 4, 2)))
    add("transpose_perm_negative", transpose(), _set_options(perm=(1, 0, -1, 2)))
    add("transpose_perm_short", transpose(), _set_options(perm=(1, 0, 3)))
    add("transpose_perm_long", transpose(), _set_options(perm=(1, 0, 3, 2, 4)))
    add("transpose_perm_wrong_shape", transpose(), _set_options(perm=(0, 1, 3, 2)))
    add("transpose_int8_requantizes", transpose(True), _set_tensor(1, quantization=ir.Quantization([0.07], [3])))

    def slice_(int8=False):
        return lambda: single_op_model(OpCode.SLICE, [_io("x", (1, 6, 5, 4), int8)], _io("y", (1, 3, 5, 2), int8),
                                       ir.SliceOptions(begin=(0, 1, 0, 2), end=(1, 6, 5, 4), strides=(1, 2, 1, 1)))
    add("slice_end_past_dim", slice_(), _set_options(begin=(0, 2, 0, 2), end=(1, 7, 5, 4)))
    add("slice_begin_negative", slice_(), _set_options(begin=(0, -1, 0, 2), end=(1, 5, 5, 4)))
    add("slice_begin_not_below_end", slice_(), _set_options(begin=(0, 1, 5, 2), end=(1, 6, 5, 4)))
    add("slice_stride_zero", slice_(), _set_options(strides=(1, 0, 1, 1)))
    add("slice_stride_negative", slice_(), _set_options(strides=(1, -2, 1, 1)))
    add("slice_short_begin", slice_(), _set_options(begin=(0, 1, 0)))
    add("slice_wrong_out_shape", slice_(), _set_options(strides=(1, 1, 1, 1)))
    add("slice_huge_end", slice_(), _set_options(end=(1, 2**31 - 1, 5, 4)))
    add("slice_int8_requantizes", slice_(True), _set_tensor(0, quantization=ir.Quantization([0.07], [3])))

    def concat(int8=False):
        return lambda: single_op_model(OpCode.CONCATENATION, [_io("a", (1, 3, 3, 2), int8), _io("b", (1, 3, 3, 5), int8)],
                                       _io("y", (1, 3, 3, 7), int8), ir.ConcatenationOptions(axis=3))
    add("concat_axis_mismatch", concat(), _set_options(axis=2))
    add("concat_axis_past_rank", concat(), _set_options(axis=4))
    add("concat_axis_negative", concat(), _set_options(axis=-1))
    add("concat_dims_differ", concat(), _set_tensor(1, shape=(1, 3, 2, 5)))
    add("concat_rank_differs", concat(), _set_tensor(1, shape=(3, 3, 5)))
    add("concat_sum_differs", concat(), _set_tensor(1, shape=(1, 3, 3, 4)))
    add("concat_int8_quantization_differs", concat(True), _set_tensor(0, quantization=ir.Quantization([0.07], [3])))
    add("concat_int8_act_range_outside", concat(True), _set_qp(act_min=-129))
    add("concat_int8_no_quant_params", concat(True), _set_qp(drop=True))

    def pad(int8=False):
        return lambda: single_op_model(OpCode.PAD, [_io("x", (1, 3, 4, 2), int8)], _io("y", (1, 5, 5, 2), int8),
                                       ir.PadOptions(paddings=(0, 0, 1, 1, 0, 1, 0, 0), value=0.5))
    add("pad_negative", pad(), _set_options(paddings=(0, 0, 3, -1, 0, 1, 0, 0)))
    add("pad_short", pad(), _set_options(paddings=(0, 0, 1, 1, 0, 1, 0)))
    add("pad_long", pad(), _set_options(paddings=(0, 0, 1, 1, 0, 1, 0, 0, 0, 0)))
    add("pad_wrong_out_shape", pad(), _set_options(paddings=(0, 0, 1, 1, 1, 1, 0, 0)))
    add("pad_huge", pad(), _set_options(paddings=(0, 0, 1, 2**31 - 1, 0, 1, 0, 0)))
    add("pad_int8_constant_outside", pad(True), _set_qp(constant=128))
    add("pad_int8_no_quant_params", pad(True), _set_qp(drop=True))
    add("pad_int8_requantizes", pad(True), _set_tensor(1, quantization=ir.Quantization([0.05], [4])))

    def mean(int8=False):
        return lambda: single_op_model(OpCode.MEAN, [_io("x", (1, 4, 5, 6), int8)],
                                       _io("y", (1, 1, 1, 6), int8, 0.02, -1), ir.MeanOptions(axes=(1, 2), keep_dims=True))
    add("mean_axes_other", mean(), _set_options(axes=(1, 3)))
    add("mean_axes_one", mean(), _set_options(axes=(1,)))
    add("mean_axes_reversed", mean(), _set_options(axes=(2, 1)))
    add("mean_keep_dims_mismatch", mean(), _set_options(keep_dims=False))
    add("mean_rank3", mean(), _set_tensor(0, shape=(4, 5, 6)))
    add("mean_int8_act_range", mean(True), _set_qp(act_min=-100))
    add("mean_int8_shift_outside", mean(True), _set_qp(output_shift=[40]))
    add("mean_int8_two_multipliers", mean(True), _set_qp(output_multiplier=[1 << 30, 1 << 30]))

    def binary(opcode, int8=False):
        return lambda: single_op_model(opcode, [_io("a", (2, 1, 5), int8), _io("b", (4, 1), int8, 0.04, -2)],
                                       _io("y", (2, 4, 5), int8, 0.08, 1), ir.BinaryOptions())
    add("sub_int8_positive_shift", binary(OpCode.SUB, True), _set_qp(input_shift=[1, -1]))
    add("sub_int8_positive_output_shift", binary(OpCode.SUB, True), _set_qp(output_shift=[2]))
    add("sub_int8_left_shift", binary(OpCode.SUB, True), _set_qp(left_shift=19))
    add("sub_int8_one_input_multiplier", binary(OpCode.SUB, True), _set_qp(input_multiplier=[5]))
    add("sub_no_broadcast", binary(OpCode.SUB), _set_tensor(1, shape=(3, 1)))
    add("sub_mixed_dtypes", binary(OpCode.SUB, True), _set_tensor(1, dtype=ir.DType.FLOAT32, quantization=None))
    add("mul_int8_no_quant_params", binary(OpCode.MUL, True), _set_qp(drop=True))
    add("mul_int8_negative_multiplier", binary(OpCode.MUL, True), _set_qp(output_multiplier=[-1]))
    add("mul_wrong_out_shape", binary(OpCode.MUL), _set_tensor(2, shape=(2, 5, 4)))
    add("mul_out_of_higher_rank", binary(OpCode.MUL), _set_tensor(2, shape=(1, 2, 4, 5)))

    def resize(opcode, int8=False, in_hw=(3, 4), out_hw=(6, 7), **options):
        return lambda: single_op_model(opcode, [_io("x", (1,) + in_hw + (2,), int8)],
                                       _io("y", (1,) + out_hw + (2,), int8), ir.ResizeOptions(**options))
    for opcode in (OpCode.RESIZE_NEAREST, OpCode.RESIZE_BILINEAR):
        name = opcode.name.lower()
        add(f"{name}_both_flags", resize(opcode), _set_options(align_corners=True, half_pixel_centers=True))
        add(f"{name}_channels_differ", resize(opcode), _set_tensor(1, shape=(1, 6, 14, 1)))
        add(f"{name}_batch_differs", resize(opcode), _set_tensor(1, shape=(2, 6, 7, 1)))
        add(f"{name}_rank3", resize(opcode), _set_tensor(1, shape=(6, 7, 2)))
        add(f"{name}_int8_requantizes", resize(opcode, True), _set_tensor(1, quantization=ir.Quantization([0.5], [0])))
    for (in_h, out_h), (align, half) in (((1, 1025), (False, False)), ((2, 2049), (True, False)),
                                         ((3, 1196), (False, True)), ((5, 1127), (False, True))):
        add(f"resize_bilinear_int8_{in_h}_to_{out_h}_reads_past",
            resize(OpCode.RESIZE_BILINEAR, True, (in_h, 1), (out_h - 1, 1), align_corners=align, half_pixel_centers=half),
            _set_tensor(1, shape=(1, out_h, 1, 2)))
        add(f"resize_bilinear_int8_w{in_h}_to_{out_h}_reads_past",
            resize(OpCode.RESIZE_BILINEAR, True, (1, in_h), (1, out_h - 1), align_corners=align, half_pixel_centers=half),
            _set_tensor(1, shape=(1, 1, out_h, 2)))

    def log_softmax(int8=True):
        return lambda: single_op_model(OpCode.LOG_SOFTMAX, [_io("x", (3, 10), int8)],
                                       _io("y", (3, 10), int8, 16 / 256, 127), ir.SoftmaxOptions())
    add("log_softmax_output_quantization", log_softmax(), _set_tensor(1, quantization=ir.Quantization([1 / 256], [-128])))
    add("log_softmax_reverse_shift_positive", log_softmax(), _set_qp(output_shift=[1]))
    add("log_softmax_diff_min_positive", log_softmax(), _set_qp(diff_min=1))
    add("log_softmax_diff_min_past_radius", log_softmax(), _set_qp(diff_min=-(2**31 - 1)))
    add("log_softmax_input_right_shift", log_softmax(), _set_qp(input_shift=[-1]))
    add("log_softmax_no_output_multiplier", log_softmax(), _set_qp(output_multiplier=[]))
    add("log_softmax_no_quant_params", log_softmax(), _set_qp(drop=True))
    add("log_softmax_scale_too_small", log_softmax(), _set_tensor(0, quantization=ir.Quantization([1e-9], [0])))
    add("log_softmax_beta_zero", log_softmax(False), _set_options(beta=0.0))
    add("log_softmax_beta_inf", log_softmax(False), _set_options(beta=float("inf")))
    add("log_softmax_beta_nan", log_softmax(False), _set_options(beta=float("nan")))
    add("log_softmax_shape_differs", log_softmax(False), _set_tensor(1, shape=(3, 9)))

    def layer_norm(beta=True):
        return lambda: single_op_model(OpCode.LAYER_NORM, [act("x", (2, 3, 8)), const("gamma", np.ones(8, np.float32)),
                                                           const("beta", np.zeros(8, np.float32)) if beta else None],
                                       act("y", (2, 3, 8)), ir.LayerNormOptions(epsilon=1e-5))
    add("layer_norm_epsilon_negative", layer_norm(), _set_options(epsilon=-1e-5))
    add("layer_norm_epsilon_nan", layer_norm(), _set_options(epsilon=float("nan")))
    add("layer_norm_epsilon_inf", layer_norm(), _set_options(epsilon=float("inf")))
    add("layer_norm_gamma_wrong_shape", layer_norm(False), _set_tensor(1, shape=(2, 4), data=np.ones((2, 4), np.float32)))
    add("layer_norm_beta_wrong_length", layer_norm(), _set_tensor(2, shape=(7,), data=np.zeros(7, np.float32)))
    add("layer_norm_int8_gamma", layer_norm(False),
        _set_tensor(1, dtype=ir.DType.INT8, data=np.ones(8, np.int8), quantization=ir.Quantization([0.1], [0])))
    add("layer_norm_int8_activations", layer_norm(False),
        lambda m: [setattr(m.tensors[i], f, v) for i in (0, 2) for f, v in (("dtype", ir.DType.INT8),
                                                                           ("quantization", ir.Quantization([0.1], [0])))])
    add("layer_norm_output_shape", layer_norm(False), _set_tensor(2, shape=(2, 24)))

    def transpose_conv(int8=True, bias=False):
        w = const("w", np.ones((4, 3, 3, 2), np.int8), 0.01, 0) if int8 else const("w", np.ones((4, 3, 3, 2), np.float32))
        b = (const("b", np.zeros(4, np.int32)) if int8 else const("b", np.zeros(4, np.float32))) if bias else None
        return lambda: single_op_model(OpCode.TRANSPOSE_CONV, [_io("x", (1, 3, 3, 2), int8), w, b],
                                       _io("y", (1, 6, 6, 4), int8, 0.1, -3),
                                       ir.TransposeConvOptions(stride_h=2, stride_w=2, pad_top=1, pad_bottom=0,
                                                               pad_left=1, pad_right=0))
    add("transpose_conv_pads_leave_nothing", transpose_conv(), _set_options(pad_top=4, pad_bottom=3))
    add("transpose_conv_stride_zero", transpose_conv(), _set_options(stride_w=0))
    add("transpose_conv_wrong_out_shape", transpose_conv(), _set_options(pad_top=-1))
    add("transpose_conv_huge_pads", transpose_conv(False), _set_options(pad_top=2**31 - 1, pad_bottom=-(2**31)))
    add("transpose_conv_channels_differ", transpose_conv(False),
        _set_tensor(1, shape=(4, 3, 3, 1), data=np.ones((4, 3, 3, 1), np.float32)))
    add("transpose_conv_few_multipliers", transpose_conv(), _set_qp(output_multiplier=[1, 2]))
    add("transpose_conv_asymmetric_weights", transpose_conv(), _set_tensor(1, quantization=ir.Quantization([0.01], [1])))
    add("transpose_conv_float_bias_on_int8", transpose_conv(True, True),
        _set_tensor(2, dtype=ir.DType.FLOAT32, data=np.zeros(4, np.float32)))
    add("transpose_conv_bias_length", transpose_conv(False, True), _set_tensor(2, shape=(3,), data=np.zeros(3, np.float32)))
    return files


MALFORMED = malformed_files()


def _python_accepts(data: bytes) -> bool:
    try:
        from_bytes(data)
    except FormatError:
        return False
    return True


def test_malformed_files_are_rejected_by_python():
    accepted = [name for name, data in MALFORMED if _python_accepts(data)]
    assert not accepted, f"malformed test files the Python reader accepts (fix the test): {accepted}"


@pytest.mark.parametrize("name,data", MALFORMED, ids=[n for n, _ in MALFORMED])
def test_malformed_file_is_an_operator_error(lib, name, data):
    with pytest.raises(native.NativeError) as e:
        native.NativeModel(lib, data)
    assert e.value.step == "load" and e.value.status == TL_ERROR_OPERATOR, (e.value.status, e.value.detail)
    assert e.value.detail.startswith("operator 0 (")


def test_malformed_files_under_asan_and_ubsan(builds, tmp_path):
    for name, data in MALFORMED:
        (tmp_path / name).write_bytes(data)
    result = subprocess.run([str(native.ASAN_FUZZ_LOAD)] + [str(tmp_path / n) for n, _ in MALFORMED],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"sanitizer report:\n{result.stderr[-6000:]}"
    verdicts = {line.split(" ", 2)[2].rsplit("/", 1)[-1]: int(line.split(" ", 2)[0])
                for line in result.stdout.splitlines()}
    assert {n: v for n, v in verdicts.items() if v == TL_OK} == {}
    assert len(verdicts) == len(MALFORMED)


# ---- mutated files: the C verdict matches the Python reader's on each op's models ----

def _mutations(data: bytes, rng: np.random.Generator, count: int) -> list[bytes]:
    out = [data[:n] for n in sorted(set(rng.integers(0, len(data), 6).tolist()))]
    for _ in range(count):
        b = bytearray(data)
        at = int(rng.integers(0, len(b)))
        kind = rng.integers(0, 3)
        if kind == 0:
            b[at] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1:
            b[at] = int(rng.integers(0, 256))
        else:
            at -= at % 4
            word = int(rng.choice([0, 1, 2, 3, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, int(rng.integers(0, 1 << 32))]))
            b[at:at + 4] = word.to_bytes(4, "little")[:len(b) - at]
        out.append(bytes(b))
    return out


def test_mutated_files_match_python_verdicts_under_asan(builds, tmp_path):
    rng = np.random.default_rng(5150)
    files = []
    for cid, data, _ in CATALOG + [c for c in HARDER if len(c[1]) < 4096][::4]:
        files += [(f"{cid}-{i}", d) for i, d in enumerate(_mutations(data, rng, 40))]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    result = subprocess.run([str(native.ASAN_FUZZ_LOAD)] + [str(tmp_path / n) for n, _ in files],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"sanitizer report:\n{result.stderr[-6000:]}"
    verdicts = {line.split(" ", 2)[2].rsplit("/", 1)[-1]: int(line.split(" ", 2)[0])
                for line in result.stdout.splitlines()}
    assert len(verdicts) == len(files)
    weaker, stricter, accepted = [], [], 0
    for name, data in files:
        checked = verdicts[name]
        ok = _python_accepts(data)
        if ok:
            accepted += 1
            if checked not in (TL_OK, TL_ERROR_LIMIT):
                stricter.append((name, checked))
        elif checked == TL_OK:
            weaker.append(name)
    assert not weaker, f"the C runtime accepts files the Python reader rejects: {weaker[:10]}"
    assert not stricter, f"the C runtime rejects files the Python reader accepts: {stricter[:10]}"
    assert accepted > 100 and len(files) - accepted > 500
