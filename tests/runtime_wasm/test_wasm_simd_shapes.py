"""The SIMD128 kernels of DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D and ADD on the shapes that pick their
different paths (16/8-channel blocks and scalar tails, interior and border pixels, odd and even tap counts, strides,
dilations, asymmetric pads, batches, weights given at run time, fallbacks to the reference eval), against the
reference interpreter under wasmtime (SIMD128 and MVP builds) and Node: int8 bit for bit, float within 1e-5."""
import numpy as np
import pytest

from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes
from wasm_support import SIMD_FLAVOURS, WasmtimeBackend, run_node_cases
from parity import assert_parity  # noqa: E402  (wasm_support puts it on the path)


def _int8(rng, shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


def _out_size(size, k, stride, dilation, before, after):
    return (size + before + after - ((k - 1) * dilation + 1)) // stride + 1


# (id, input NHWC, filter KHxKW, multiplier, stride, dilation, pads top/bottom/left/right, activation)
DEPTHWISE = [
    ("kws_c64", (1, 25, 5, 64), (3, 3), 1, (1, 1), (1, 1), (1, 1, 1, 1), Activation.RELU),
    ("vww_s2_c8", (1, 12, 12, 8), (3, 3), 1, (2, 2), (1, 1), (0, 1, 0, 1), Activation.RELU6),
    ("c24_dilated", (1, 9, 10, 24), (3, 3), 1, (1, 1), (2, 2), (2, 2, 2, 2), Activation.NONE),
    ("c5_5x5_batch3", (3, 6, 7, 5), (5, 5), 1, (1, 1), (1, 1), (2, 2, 2, 2), Activation.RELU),
    ("c40_2x2_s2", (1, 8, 9, 40), (2, 2), 1, (2, 2), (1, 1), (0, 0, 0, 0), Activation.NONE),
    ("c19_1x1", (2, 3, 4, 19), (1, 1), 1, (1, 2), (1, 1), (0, 0, 0, 0), Activation.NONE),
    ("c16_tiny_input", (1, 2, 2, 16), (3, 3), 1, (1, 1), (1, 1), (1, 1, 1, 1), Activation.NONE),
    ("c3_asym_s3x1", (1, 11, 6, 3), (3, 2), 1, (3, 1), (1, 3), (1, 0, 3, 2), Activation.RELU),
    ("c33_8x8", (1, 10, 10, 33), (8, 8), 1, (1, 1), (1, 1), (3, 4, 4, 3), Activation.NONE),
    ("c8_s1_pairs", (2, 7, 9, 8), (3, 3), 1, (1, 1), (1, 1), (1, 1, 1, 1), Activation.RELU),
    ("c8_5x5_dilated", (1, 9, 14, 8), (5, 5), 1, (2, 1), (1, 2), (2, 2, 4, 3), Activation.NONE),
    ("c6_wide", (1, 5, 13, 6), (3, 3), 1, (1, 1), (1, 1), (1, 1, 1, 1), Activation.RELU6),
    ("c21_wide_s2", (1, 6, 20, 21), (3, 3), 1, (1, 2), (1, 1), (0, 1, 0, 1), Activation.NONE),
    ("c12_s3_wide", (1, 5, 40, 12), (3, 3), 1, (1, 3), (1, 1), (1, 1, 2, 0), Activation.RELU),
    ("c16_pads_past_filter", (1, 3, 3, 16), (3, 3), 1, (1, 1), (1, 1), (4, 4, 4, 3), Activation.NONE),
    ("mult2_c3", (1, 6, 6, 3), (3, 3), 2, (1, 1), (1, 1), (1, 1, 1, 1), Activation.RELU),
    ("mult3_c8_s2", (2, 7, 7, 8), (3, 3), 3, (2, 2), (1, 1), (1, 1, 1, 1), Activation.NONE),
    ("9x9_fallback", (1, 10, 9, 16), (9, 9), 1, (1, 1), (1, 1), (4, 4, 4, 4), Activation.NONE),
]


def _depthwise_options(case):
    _, _, _, mult, (sh, sw), (dh, dw), (pt, pb, pl, pr), activation = case
    return ir.DepthwiseConv2DOptions(stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw, pad_top=pt,
                                     pad_bottom=pb, pad_left=pl, pad_right=pr, depth_multiplier=mult,
                                     activation=activation)


def _depthwise_out(case):
    _, (n, h, w, c), (kh, kw), mult, (sh, sw), (dh, dw), (pt, pb, pl, pr), _ = case
    return (n, _out_size(h, kh, sh, dh, pt, pb), _out_size(w, kw, sw, dw, pl, pr), c * mult)


def depthwise_cases(rng):
    out = []
    for case in DEPTHWISE:
        cid, shape, (kh, kw), mult = case[:4]
        channels = shape[3] * mult
        y_shape, o = _depthwise_out(case), _depthwise_options(case)
        w = const("w", rng.integers(-128, 128, (1, kh, kw, channels)).astype(np.int8),
                  rng.uniform(0.002, 0.03, channels), 0, 3)
        b = const("b", rng.integers(-20000, 20000, channels).astype(np.int32))
        x_zp = int(rng.integers(-128, 128))
        model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", shape, 0.05, x_zp), w, b],
                                act("y", y_shape, 0.6, int(rng.integers(-20, 20))), o)
        out.append((f"depthwise_{cid}-int8", to_bytes(model), [_int8(rng, shape)]))
        wf = const("w", rng.standard_normal((1, kh, kw, channels)).astype(np.float32))
        bf = const("b", rng.standard_normal(channels).astype(np.float32))
        model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", shape), wf, bf], act("y", y_shape), o)
        out.append((f"depthwise_{cid}-float", to_bytes(model), [rng.standard_normal(shape).astype(np.float32)]))
    # no bias, per-tensor weights, extreme values: every input -128 or 127 against weights of -128
    case = DEPTHWISE[2]
    o, shape, y_shape = _depthwise_options(case), case[1], _depthwise_out(case)
    x = np.where(rng.random(shape) < 0.5, -128, 127).astype(np.int8)
    w = const("w", np.full((1, 3, 3, shape[3]), -128, np.int8), 0.01, 0)
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", shape, 0.02, 127), w, None],
                            act("y", y_shape, 0.9, 3), o)
    out.append(("depthwise_extreme_nobias-int8", to_bytes(model), [x]))
    # weights given at run time (packed at every run), int8 and float
    case = DEPTHWISE[0]
    o, shape, y_shape = _depthwise_options(case), (1, 7, 5, 20), (1, 7, 5, 20)
    b = const("b", rng.integers(-900, 900, 20).astype(np.int32))
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", shape, 0.1, -7), act("w", (1, 3, 3, 20), 0.02, 0),
                                                       b], act("y", y_shape, 0.3, 1), o)
    out.append(("depthwise_runtime_weights-int8", to_bytes(model),
                [_int8(rng, shape), rng.integers(-127, 128, (1, 3, 3, 20)).astype(np.int8)]))
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", shape), act("w", (1, 3, 3, 20)), None],
                            act("y", y_shape), o)
    out.append(("depthwise_runtime_weights-float", to_bytes(model),
                [rng.standard_normal(shape).astype(np.float32), rng.standard_normal((1, 3, 3, 20)).astype(np.float32)]))
    # float specials: NaN and infinities in the input (RELU6 bounds the infinite outputs for the comparison)
    x = rng.standard_normal((1, 25, 5, 64)).astype(np.float32)
    x[0, 3, 2, 5], x[0, 0, 0, 17], x[0, 24, 4, 40] = np.nan, np.inf, -np.inf
    case = DEPTHWISE[0][:7] + (Activation.RELU6,)
    wf = const("w", rng.standard_normal((1, 3, 3, 64)).astype(np.float32))
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", case[1]), wf, None], act("y", _depthwise_out(case)),
                            _depthwise_options(case))
    out.append(("depthwise_specials-float", to_bytes(model), [x]))
    return out


# (id, input NHWC, filter, stride, pads top/bottom/left/right, activation)
POOLS = [
    ("mnist_c8", (1, 28, 28, 8), (2, 2), (2, 2), (0, 0, 0, 0), Activation.NONE),
    ("mnist_c16_3x3s3", (1, 14, 14, 16), (3, 3), (3, 3), (0, 0, 0, 0), Activation.NONE),
    ("c24_pad_batch2", (2, 9, 9, 24), (3, 3), (2, 2), (1, 1, 1, 1), Activation.RELU6),
    ("c5_asym", (1, 7, 8, 5), (2, 3), (1, 2), (1, 0, 2, 1), Activation.RELU),
    ("c29_global", (1, 4, 6, 29), (4, 6), (4, 6), (0, 0, 0, 0), Activation.NONE),
]


def pool_cases(rng):
    out = []
    for cid, shape, (fh, fw), (sh, sw), (pt, pb, pl, pr), activation in POOLS:
        y_shape = (shape[0], _out_size(shape[1], fh, sh, 1, pt, pb), _out_size(shape[2], fw, sw, 1, pl, pr), shape[3])
        for opcode, name in ((OpCode.MAX_POOL_2D, "maxpool"), (OpCode.AVERAGE_POOL_2D, "avgpool")):
            o = ir.Pool2DOptions(filter_h=fh, filter_w=fw, stride_h=sh, stride_w=sw, pad_top=pt, pad_bottom=pb,
                                 pad_left=pl, pad_right=pr, activation=activation)
            zp = int(rng.integers(-100, 100))
            model = single_op_model(opcode, [act("x", shape, 0.04, zp)], act("y", y_shape, 0.04, zp), o)
            x = _int8(rng, shape)
            x[..., ::3] = -128  # windows of the lowest value only
            out.append((f"{name}_{cid}-int8", to_bytes(model), [x]))
            x = rng.standard_normal(shape).astype(np.float32) * 4
            if cid == "c24_pad_batch2":
                x[0, 1, 1, 3], x[1, 4, 4, 20], x[1, 0, 0, 0] = np.nan, np.inf, -np.inf
            model = single_op_model(opcode, [act("x", shape)], act("y", y_shape), o)
            out.append((f"{name}_{cid}-float", to_bytes(model), [x]))
    return out


def add_cases(rng):
    """ADD: same shapes (the flat path) with several scale ratios, and broadcasting (the reference eval)."""
    out = []
    for k, (sa, sb, sy, shape) in enumerate([(0.05, 0.05, 0.1, (1, 8, 8, 64)), (0.3, 0.002, 0.25, (2, 5, 7, 3)),
                                             (0.01, 0.9, 0.05, (1, 37)), (1.0, 1.0, 0.004, (4, 16))]):
        a, b = act("a", shape, sa, int(rng.integers(-128, 128))), act("b", shape, sb, int(rng.integers(-128, 128)))
        activation = (Activation.NONE, Activation.RELU, Activation.RELU6, Activation.NONE)[k]
        model = single_op_model(OpCode.ADD, [a, b], act("y", shape, sy, int(rng.integers(-128, 128))),
                                ir.BinaryOptions(activation=activation))
        out.append((f"add_flat{k}-int8", to_bytes(model), [_int8(rng, shape), _int8(rng, shape)]))
    model = single_op_model(OpCode.ADD, [act("a", (2, 3, 4, 8), 0.1, 4), act("b", (1, 1, 4, 8), 0.07, -9)],
                            act("y", (2, 3, 4, 8), 0.12, 2), ir.BinaryOptions())
    out.append(("add_broadcast-int8", to_bytes(model), [_int8(rng, (2, 3, 4, 8)), _int8(rng, (1, 1, 4, 8))]))
    model = single_op_model(OpCode.ADD, [act("a", (3, 21)), act("b", (3, 21))], act("y", (3, 21)),
                            ir.BinaryOptions(activation=Activation.RELU))
    out.append(("add_flat21-float", to_bytes(model), [rng.standard_normal((3, 21)).astype(np.float32)
                                                       for _ in range(2)]))
    return out


def shape_cases():
    rng = np.random.default_rng(515)
    return depthwise_cases(rng) + pool_cases(rng) + add_cases(rng)


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=["simd", "nosimd"])
def test_simd_kernel_shapes_wasmtime(supported, simd):
    backend = WasmtimeBackend(simd)
    cases = shape_cases()
    assert len(cases) >= 50
    for cid, data, inputs in cases:
        assert_parity(data, inputs, backend, what=cid)


def test_simd_kernel_shapes_node(node_ok, supported):
    entries = [(cid, data, [inputs]) for cid, data, inputs in shape_cases()]
    results = run_node_cases(entries, True)
    for cid, data, samples in entries:
        got = results[cid]
        assert not isinstance(got, str), f"{cid}: {got}"
        assert_parity(data, samples[0], lambda *_: got[0], what=f"node {cid}")
