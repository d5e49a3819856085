"""CONV_2D and FULLY_CONNECTED shapes aimed at the SIMD128 GEMM (kernels/wasm_simd/tlw_gemm.h) against the reference
interpreter, both builds: channel counts off the 8-channel panels, pixel and row counts off the 4-row tiles, odd runs
(KW*Ci odd: the int8 panels pad each run to pairs), strides, dilations, asymmetric padding, batches, 1x1 convs read
in place or padded, weights given at run time, left shifts and saturating accumulators, non-finite float weights, and
float sums deep enough to test float32 accumulation against the reference's double sums."""
import numpy as np
import pytest

from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import to_bytes
from wasm_support import SIMD_FLAVOURS, WasmtimeBackend
from parity import assert_parity  # noqa: E402  (wasm_support puts it on the path)

FLAVOUR_IDS = ["simd", "nosimd"]


def _int8(rng, shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


def _q(name, shape, scale, zp):
    return act(name, shape, scale, zp)


def _out(size, k, stride, dilation, before, after):
    return (size + before + after - ((k - 1) * dilation + 1)) // stride + 1


# (id, batch, h, w, ci, co, kh, kw, stride (h, w), dilation (h, w), pads (top, bottom, left, right))
CONVS = [
    ("1x1_ci13_co19_b3", 3, 5, 7, 13, 19, 1, 1, (1, 1), (1, 1), (0, 0, 0, 0)),
    ("1x1_s2_padded", 1, 7, 6, 6, 8, 1, 1, (2, 2), (1, 1), (1, 0, 1, 1)),
    ("3x3_s2_ci3_odd_run", 1, 9, 9, 3, 10, 3, 3, (2, 2), (1, 1), (0, 1, 0, 1)),
    ("3x3_dilated_b2", 2, 8, 9, 5, 9, 3, 3, (1, 1), (2, 2), (2, 2, 2, 2)),
    ("5x5_ci1_same", 1, 12, 11, 1, 8, 5, 5, (1, 1), (1, 1), (2, 2, 2, 2)),
    ("2x4_dil_h3_s21", 1, 11, 8, 2, 17, 2, 4, (2, 1), (3, 1), (1, 0, 2, 1)),
    ("3x3_ci7_depth63_co1", 1, 6, 6, 7, 1, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1)),
    ("3x3_co4_s3", 1, 10, 10, 4, 4, 3, 3, (3, 3), (1, 1), (0, 0, 0, 0)),
    ("1x3_dil_w2_co33", 1, 5, 9, 3, 33, 1, 3, (1, 1), (1, 2), (0, 0, 1, 1)),
    ("3x3_ci16_co24", 1, 6, 5, 16, 24, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1)),
    ("10x4_ci1_s2_kws_like", 1, 19, 10, 1, 12, 10, 4, (2, 2), (1, 1), (4, 5, 1, 2)),
    ("5x2_ci3_dil_w2_b2", 2, 9, 7, 3, 9, 5, 2, (1, 2), (1, 2), (2, 2, 0, 1)),
    ("4x2_dil_h2", 1, 11, 6, 2, 5, 4, 2, (1, 1), (2, 1), (1, 1, 0, 0)),
]


def _conv_options(stride, dilation, pads, activation):
    return ir.Conv2DOptions(stride_h=stride[0], stride_w=stride[1], dilation_h=dilation[0], dilation_w=dilation[1],
                            pad_top=pads[0], pad_bottom=pads[1], pad_left=pads[2], pad_right=pads[3],
                            activation=activation)


def conv_cases():
    rng = np.random.default_rng(55)
    out = []
    for k, (cid, n, h, w, ci, co, kh, kw, stride, dilation, pads) in enumerate(CONVS):
        oh = _out(h, kh, stride[0], dilation[0], pads[0], pads[1])
        ow = _out(w, kw, stride[1], dilation[1], pads[2], pads[3])
        activation = [Activation.NONE, Activation.RELU, Activation.RELU6][k % 3]
        o = _conv_options(stride, dilation, pads, activation)
        wq = const("w", _int8(rng, (co, kh, kw, ci)), rng.uniform(0.002, 0.03, co), 0, 0)
        b = const("b", rng.integers(-20000, 20000, co).astype(np.int32)) if k % 2 == 0 else None
        model = single_op_model(OpCode.CONV_2D, [_q("x", (n, h, w, ci), 0.05, int(rng.integers(-100, 100))), wq, b],
                                _q("y", (n, oh, ow, co), 0.08, int(rng.integers(-20, 20))), o)
        out.append((f"conv_{cid}-int8", to_bytes(model), [_int8(rng, (n, h, w, ci))]))
        wf = const("w", rng.standard_normal((co, kh, kw, ci)).astype(np.float32))
        bf = const("b", rng.standard_normal(co).astype(np.float32)) if k % 2 == 1 else None
        model = single_op_model(OpCode.CONV_2D, [act("x", (n, h, w, ci)), wf, bf], act("y", (n, oh, ow, co)), o)
        out.append((f"conv_{cid}-float", to_bytes(model), [rng.standard_normal((n, h, w, ci)).astype(np.float32)]))
    # weights given at run time (packed at every eval), int8 and float, with padding
    o = _conv_options((1, 2), (1, 1), (1, 1, 0, 2), Activation.NONE)
    model = single_op_model(OpCode.CONV_2D, [_q("x", (2, 5, 6, 3), 0.1, 7), _q("w", (5, 3, 3, 3), 0.02, 0), None],
                            _q("y", (2, 5, 3, 5), 0.3, -3), o)
    out.append(("conv_runtime_weights-int8", to_bytes(model),
                [_int8(rng, (2, 5, 6, 3)), rng.integers(-127, 128, (5, 3, 3, 3)).astype(np.int8)]))
    model = single_op_model(OpCode.CONV_2D, [act("x", (2, 5, 6, 3)), act("w", (5, 3, 3, 3)), None],
                            act("y", (2, 5, 3, 5)), o)
    out.append(("conv_runtime_weights-float", to_bytes(model),
                [rng.standard_normal((2, 5, 6, 3)).astype(np.float32),
                 rng.standard_normal((5, 3, 3, 3)).astype(np.float32)]))
    # a left shift (scale product > 1) and accumulators near the int32 limits: x = -128 with zp 127, w = -128
    o = _conv_options((1, 1), (1, 1), (0, 0, 0, 0), Activation.NONE)
    wq = const("w", np.full((9, 1, 1, 40), -128, np.int8), rng.uniform(0.05, 0.09, 9), 0, 0)
    x = np.full((1, 3, 3, 40), -128, np.int8)
    x[0, 1] = 127
    model = single_op_model(OpCode.CONV_2D, [_q("x", (1, 3, 3, 40), 0.5, 127), wq, None],
                            _q("y", (1, 3, 3, 9), 0.01, 5), o)
    out.append(("conv_1x1_leftshift_saturating-int8", to_bytes(model), [x]))
    # a deep float dot product (3x3x96 = 864 terms) of same-signed terms: float32 sums stay within 1e-5
    o = _conv_options((1, 1), (1, 1), (1, 1, 1, 1), Activation.NONE)
    wf = const("w", rng.uniform(0.0, 1.0, (12, 3, 3, 96)).astype(np.float32))
    model = single_op_model(OpCode.CONV_2D, [act("x", (1, 5, 5, 96)), wf, None], act("y", (1, 5, 5, 12)), o)
    out.append(("conv_deep_positive-float", to_bytes(model),
                [rng.uniform(0.0, 1.0, (1, 5, 5, 96)).astype(np.float32)]))
    return out


# (id, input shape, units)
FCS = [
    ("rows1_depth33_units13", (1, 33), 13),
    ("rows2_depth8_units1", (2, 8), 1),
    ("rows5_depth20_units7", (5, 20), 7),
    ("rows9_depth64_units130", (9, 64), 130),
    ("rank3_rows6_depth21_units16", (2, 3, 21), 16),
]


def fc_cases():
    rng = np.random.default_rng(66)
    out = []
    for k, (cid, shape, units) in enumerate(FCS):
        depth, rows = shape[-1], int(np.prod(shape[:-1]))
        activation = [Activation.RELU, Activation.NONE, Activation.RELU6][k % 3]
        o = ir.FullyConnectedOptions(activation=activation)
        wq = const("w", _int8(rng, (units, depth)), rng.uniform(0.005, 0.05, units), 0, 0)
        b = const("b", rng.integers(-9000, 9000, units).astype(np.int32)) if k % 2 == 0 else None
        model = single_op_model(OpCode.FULLY_CONNECTED, [_q("x", shape, 0.1, int(rng.integers(-128, 128))), wq, b],
                                _q("y", (rows, units), 0.2, int(rng.integers(-30, 30))), o)
        out.append((f"fc_{cid}-int8", to_bytes(model), [_int8(rng, shape)]))
        wf = const("w", rng.standard_normal((units, depth)).astype(np.float32))
        bf = const("b", rng.standard_normal(units).astype(np.float32)) if k % 2 == 1 else None
        model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", shape), wf, bf], act("y", (rows, units)), o)
        out.append((f"fc_{cid}-float", to_bytes(model), [rng.standard_normal(shape).astype(np.float32)]))
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", (3, 11)), act("w", (9, 11)), None], act("y", (3, 9)),
                            ir.FullyConnectedOptions())
    out.append(("fc_runtime_weights-float", to_bytes(model),
                [rng.standard_normal((3, 11)).astype(np.float32), rng.standard_normal((9, 11)).astype(np.float32)]))
    return out


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("cases", [conv_cases, fc_cases], ids=["conv", "fc"])
def test_gemm_shapes(wasmtime_ok, simd, cases):
    backend = WasmtimeBackend(simd)
    checked = cases()
    assert len(checked) >= 11
    for cid, data, inputs in checked:
        assert_parity(data, inputs, backend, what=cid)


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("opcode", [OpCode.CONV_2D, OpCode.DEPTHWISE_CONV_2D])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_non_finite_float_weights_over_padding(wasmtime_ok, simd, opcode):
    """Padding is 0.0 times the weight, as in the reference interpreter's zero-padded windows: an infinite weight
    over padding gives NaN, a NaN weight NaN everywhere it reaches."""
    rng = np.random.default_rng(77)
    if opcode == OpCode.CONV_2D:
        o = _conv_options((1, 1), (1, 1), (1, 1, 1, 1), Activation.NONE)
        wf = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
        wf[1, 0, 0, 0], wf[2, 2, 2, 1] = np.inf, np.nan
    else:
        o = ir.DepthwiseConv2DOptions(stride_h=1, stride_w=1, dilation_h=1, dilation_w=1, pad_top=1, pad_bottom=1,
                                      pad_left=1, pad_right=1, depth_multiplier=1, activation=Activation.NONE)
        wf = rng.standard_normal((1, 3, 3, 3)).astype(np.float32)
        wf[0, 0, 0, 0], wf[0, 2, 1, 2] = np.inf, np.nan
    model = single_op_model(opcode, [act("x", (1, 4, 4, 2 if opcode == OpCode.CONV_2D else 3)), const("w", wf), None],
                            act("y", (1, 4, 4, 3)), o)
    x = rng.standard_normal(model.tensors[model.inputs[0]].shape).astype(np.float32)
    data = to_bytes(model)
    expected = run(from_bytes(data), [x])[0]
    got = WasmtimeBackend(simd)(data, [x])[0]
    assert np.isnan(expected).any() and np.isinf(expected).any() and np.isfinite(expected).any()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got) * np.sign(got), np.isinf(expected) * np.sign(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=0, atol=1e-5 * np.abs(expected[finite]).max())


def test_runs_repeat_identically(wasmtime_ok):
    """The padded image and the packed panels live in the op's state: a second run (and a run-time weight change)
    gives the reference's result again."""
    from tensorlet.runtime import Runtime

    for cid, data, inputs in conv_cases()[:6] + [c for c in conv_cases() if "runtime" in c[0]]:
        runtime = Runtime(data)
        first = runtime.run_sample(inputs)
        assert_parity(data, inputs, lambda _, x: runtime.run_sample(x), what=cid)
        for a, b in zip(first, runtime.run_sample(inputs)):
            np.testing.assert_array_equal(a, b)
        if len(inputs) > 1:
            changed = [inputs[0], (-inputs[1]).astype(inputs[1].dtype)]
            assert_parity(data, changed, lambda _, x: runtime.run_sample(x), what=cid + " new weights")
