"""Every op-catalog case whose op has a kernel in the C runtime, float and int8, runs bit-exact (int8) or within
1e-5 (float) of the reference interpreter: in-process (gcc -O2) and under ASan+UBSan. Plus harder cases per op."""
import numpy as np
import pytest

from op_cases import cases
from parity import assert_parity, compare
from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes

SUPPORTED = {op.name for op in ir.OpCode}  # the default build links a kernel for every op of the format
CASES = [(cid, to_bytes(model), inputs, model.operators[0].opcode.name) for cid, model, inputs in cases()]
WITH_KERNEL = [c for c in CASES if c[3] in SUPPORTED]


@pytest.mark.parametrize("cid,data,inputs", [c[:3] for c in WITH_KERNEL], ids=[c[0] for c in WITH_KERNEL])
def test_op_case_native(ctypes_backend, cid, data, inputs):
    assert_parity(data, inputs, ctypes_backend, what=cid)


def test_op_cases_under_asan_and_ubsan(asan_backend):
    for cid, data, inputs, _ in WITH_KERNEL:
        assert_parity(data, inputs, asan_backend, what=cid)


def test_the_op_table_is_the_supported_set(lib):
    supported = {ir.OpCode(i).name for i in range(len(ir.OpCode)) if lib.tl_opcode_supported(i)}
    assert supported == SUPPORTED
    for op in ir.OpCode:
        assert lib.tl_opcode_name(int(op)).decode() == op.name


# ---- harder cases: strides, dilation, padding, broadcasting, per-tensor weights, extreme values ----

def _q(name, shape, scale, zp):
    return act(name, shape, scale, zp)


def _int8(rng, shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


def _extra_cases():
    rng = np.random.default_rng(11)
    out = []
    # conv: dilation + stride 2 + asymmetric pads, per-tensor int8 weights, no bias
    o = ir.Conv2DOptions(stride_h=2, stride_w=3, dilation_h=2, dilation_w=1, pad_top=2, pad_bottom=0, pad_left=1,
                         pad_right=2, activation=Activation.RELU)
    w = const("w", rng.integers(-127, 128, (5, 3, 2, 4)).astype(np.int8), 0.01, 0)
    out.append(("conv_dilated-int8", single_op_model(OpCode.CONV_2D, [_q("x", (2, 9, 8, 4), 0.04, -7), w, None],
                                                      _q("y", (2, 4, 4, 5), 0.2, 11), o), [_int8(rng, (2, 9, 8, 4))]))
    wf = const("w", rng.standard_normal((5, 3, 2, 4)).astype(np.float32))
    out.append(("conv_dilated-float", single_op_model(OpCode.CONV_2D, [act("x", (2, 9, 8, 4)), wf, None],
                                                       act("y", (2, 4, 4, 5)), o),
                [rng.standard_normal((2, 9, 8, 4)).astype(np.float32)]))
    # depthwise: multiplier 3, stride 2, dilation 2, per-channel weights, RELU6
    o = ir.DepthwiseConv2DOptions(stride_h=2, stride_w=2, dilation_h=2, dilation_w=2, pad_top=1, pad_bottom=1,
                                  pad_left=2, pad_right=0, depth_multiplier=3, activation=Activation.RELU6)
    w = const("w", rng.integers(-127, 128, (1, 3, 3, 6)).astype(np.int8), rng.uniform(0.001, 0.03, 6), 0, 3)
    b = const("b", rng.integers(-5000, 5000, 6).astype(np.int32))
    out.append(("depthwise_m3-int8", single_op_model(OpCode.DEPTHWISE_CONV_2D, [_q("x", (1, 8, 7, 2), 0.05, 4), w, b],
                                                      _q("y", (1, 3, 3, 6), 0.03, -100), o), [_int8(rng, (1, 8, 7, 2))]))
    # fully connected over a rank-4 input, per-tensor weights, no bias
    w = const("w", rng.integers(-127, 128, (7, 24)).astype(np.int8), 0.004, 0)
    out.append(("fc_rank4-int8", single_op_model(OpCode.FULLY_CONNECTED, [_q("x", (2, 2, 3, 4), 0.1, 0), w, None],
                                                  _q("y", (2, 7), 0.3, 5), ir.FullyConnectedOptions()),
                [_int8(rng, (2, 2, 3, 4))]))
    # add: rank-3 vs rank-1 broadcasting both ways, RELU6
    out.append(("add_broadcast-int8", single_op_model(OpCode.ADD, [_q("a", (3, 1, 5), 0.02, -3), _q("b", (4, 1), 0.07, 9)],
                                                       _q("y", (3, 4, 5), 0.05, -20),
                                                       ir.BinaryOptions(activation=Activation.RELU6)),
                [_int8(rng, (3, 1, 5)), _int8(rng, (4, 1))]))
    out.append(("add_broadcast-float", single_op_model(OpCode.ADD, [act("a", (3, 1, 5)), act("b", (4, 1))],
                                                        act("y", (3, 4, 5)), ir.BinaryOptions()),
                [rng.standard_normal((3, 1, 5)).astype(np.float32), rng.standard_normal((4, 1)).astype(np.float32)]))
    # pools: global average (TFLite's usual), max with RELU
    o = ir.Pool2DOptions(filter_h=5, filter_w=5, stride_h=5, stride_w=5)
    out.append(("avgpool_global-int8", single_op_model(OpCode.AVERAGE_POOL_2D, [_q("x", (1, 5, 5, 8), 0.1, -128)],
                                                        _q("y", (1, 1, 1, 8), 0.1, -128), o), [_int8(rng, (1, 5, 5, 8))]))
    o = ir.Pool2DOptions(filter_h=2, filter_w=3, stride_h=1, stride_w=2, pad_left=1, pad_right=2,
                         activation=Activation.RELU)
    out.append(("maxpool_relu-int8", single_op_model(OpCode.MAX_POOL_2D, [_q("x", (1, 4, 6, 3), 0.1, 20)],
                                                      _q("y", (1, 3, 4, 3), 0.1, 20), o), [_int8(rng, (1, 4, 6, 3))]))
    # softmax: many rows, large beta * scale, a row of equal values, a row with one huge value
    x = _int8(rng, (6, 33))
    x[0] = 17
    x[1] = -128
    x[1, 5] = 127
    for beta, scale in ((1.0, 0.5), (0.3, 0.01), (2.0, 0.1)):
        out.append((f"softmax_b{beta}_s{scale}-int8",
                    single_op_model(OpCode.SOFTMAX, [_q("x", (6, 33), scale, 0)], _q("y", (6, 33), 1 / 256, -128),
                                    ir.SoftmaxOptions(beta=beta)), [x]))
    # quantize: extremes, NaN and infinities
    xf = np.array([[0.0, -0.0, 1e30, -1e30, np.inf, -np.inf, np.nan, 0.025, -0.025, 0.075, 3.0, -6.4]], np.float32)
    out.append(("quantize_extremes-float", single_op_model(OpCode.QUANTIZE, [act("x", (1, 12))],
                                                           _q("y", (1, 12), 0.05, -1)), [xf]))
    # every int8 value through the lut ops and requantize
    every = np.arange(-128, 128, dtype=np.int8).reshape(1, 16, 16, 1)
    for opcode, options, yq in ((OpCode.LOGISTIC, None, (1 / 256, -128)), (OpCode.TANH, None, (1 / 128, 0)),
                                (OpCode.HARD_SWISH, None, (0.02, -30)), (OpCode.ELU, ir.EluOptions(alpha=0.7), (0.03, 40)),
                                (OpCode.LEAKY_RELU, ir.LeakyReluOptions(alpha=-0.3), (0.04, 0))):
        out.append((f"{opcode.name.lower()}_every-int8",
                    single_op_model(opcode, [_q("x", (1, 16, 16, 1), 0.06, 7)], _q("y", (1, 16, 16, 1), *yq), options),
                    [every]))
    out.append(("requantize_every-int8", single_op_model(OpCode.QUANTIZE, [_q("x", (1, 16, 16, 1), 0.06, 7)],
                                                         _q("y", (1, 16, 16, 1), 0.011, -5)), [every]))
    # float activations on a wide range
    wide = (np.linspace(-12, 12, 96, dtype=np.float32)).reshape(2, 48)
    for opcode, options in ((OpCode.GELU, ir.GeluOptions()), (OpCode.GELU, ir.GeluOptions(approximate=True)),
                            (OpCode.ELU, ir.EluOptions(alpha=1.5)), (OpCode.TANH, None), (OpCode.LOGISTIC, None),
                            (OpCode.SOFTMAX, ir.SoftmaxOptions(beta=0.7))):
        out.append((f"{opcode.name.lower()}_wide-float", single_op_model(opcode, [act("x", (2, 48))], act("y", (2, 48)),
                                                                         options), [wide]))
    return [(cid, to_bytes(model), inputs) for cid, model, inputs in out]


EXTRA = _extra_cases()


@pytest.mark.parametrize("cid,data,inputs", EXTRA, ids=[c[0] for c in EXTRA])
def test_extra_case_native(ctypes_backend, cid, data, inputs):
    assert_parity(data, inputs, ctypes_backend, what=cid)


def test_extra_cases_under_asan_and_ubsan(asan_backend):
    for cid, data, inputs in EXTRA:
        assert_parity(data, inputs, asan_backend, what=cid)


def test_parity_helper_catches_one_lsb_and_float_drift():
    e = [np.array([1, 2, 3], np.int8)]
    with pytest.raises(AssertionError, match="1 of 3 int values differ"):
        compare(e, [np.array([1, 2, 4], np.int8)])
    f = [np.array([1.0, -100.0], np.float32)]
    compare(f, [np.array([1.0005, -100.0], np.float32)])          # 5e-4 <= 1e-5 * 100
    with pytest.raises(AssertionError, match="exceeds"):
        compare(f, [np.array([1.0, -100.01], np.float32)])
