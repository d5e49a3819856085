"""The Cortex-M55 Helium (MVE) kernels (runtime_embedded/kernels/cortex-m55/: CONV_2D, DEPTHWISE_CONV_2D,
FULLY_CONNECTED and ADD) on QEMU's mps3-an547, bit for bit against the reference interpreter: the op-catalog cases of
these ops, harder shapes (odd channel counts, strides, dilations, pads, per-channel params, extreme values and
quantization parameters, the kernels' fallbacks), the MLPerf Tiny int8 models and the TFLite Micro goldens; and the
vectorized requantization against the scalar one (tl_fixedpoint.h) on a quarter million inputs.

`kernel_cases()` is shared with test_port_neon_kernels.py (the same cases on aarch64)."""
from __future__ import annotations

import subprocess
from functools import lru_cache

import numpy as np
import pytest

from parity import assert_parity, compare
from port_support import (CORPUS_REASON, INT8_MODELS, SHARED_CORPUS, golden_samples, mlperf, needs, random_inputs,
                          reference, supported_cases)
from support import act, const, single_op_model
from tensorlet import native
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes

pytestmark = needs("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
KERNEL_OPS = {OpCode.CONV_2D, OpCode.DEPTHWISE_CONV_2D, OpCode.FULLY_CONNECTED, OpCode.ADD}
INT32_MAX = 2**31 - 1


def _q(name, shape, scale, zp):
    return act(name, shape, scale, zp)


def _x(rng, shape, low=-128, high=128):
    return rng.integers(low, high, shape).astype(np.int8)


def _wq(rng, shape, axis, low=-127, high=128):
    """int8 weights with per-channel scales along `axis`."""
    return const("w", rng.integers(low, high, shape).astype(np.int8), rng.uniform(0.002, 0.03, shape[axis]), 0, axis)


def _extreme_params(rng, channels):
    """Quant params at the edges TFLite allows: multipliers up to 2^31 - 1, shifts from -31 to +31 (positive ones
    exercise the left shift), a narrowed activation range."""
    mult = rng.integers(1 << 30, INT32_MAX, channels, endpoint=True)
    mult[:3] = [INT32_MAX, 1 << 30, 0][:channels]
    shift = rng.integers(-31, 32, channels)
    shift[:4] = [31, -31, 0, 1][:channels]
    return ir.QuantParams(output_multiplier=[int(m) for m in mult], output_shift=[int(s) for s in shift],
                          act_min=-100, act_max=90)


def _out_hw(x_shape, k_hw, o):
    """The output height and width of a strided, dilated, padded window (the converter's formula)."""
    def size(n, k, stride, dilation, before, after):
        return (n + before + after - (k - 1) * dilation - 1) // stride + 1
    return (size(x_shape[1], k_hw[0], o.stride_h, o.dilation_h, o.pad_top, o.pad_bottom),
            size(x_shape[2], k_hw[1], o.stride_w, o.dilation_w, o.pad_left, o.pad_right))


def _conv(rng, cid, x_shape, w_shape, o, x_zp=-3, y_zp=5, per_channel=True, bias=True, qp=None, x=None, w=None):
    co = w_shape[0]
    out_hw = _out_hw(x_shape, w_shape[1:3], o)
    wt = (const("w", w, rng.uniform(0.002, 0.03, co), 0, 0) if w is not None
          else (_wq(rng, w_shape, 0) if per_channel else const("w", _x(rng, w_shape, -127), 0.01, 0)))
    b = const("b", rng.integers(-30000, 30000, co).astype(np.int32)) if bias else None
    y_shape = (x_shape[0], *out_hw, co)
    model = single_op_model(OpCode.CONV_2D, [_q("x", x_shape, 0.05, x_zp), wt, b], _q("y", y_shape, 0.08, y_zp), o,
                            quant_params=qp)
    return (cid, model, [x if x is not None else _x(rng, x_shape)])


def _depthwise(rng, cid, x_shape, k_hw, o, x_zp=4, y_zp=-6, qp=None, x=None, w=None):
    c = x_shape[3] * o.depth_multiplier
    out_hw = _out_hw(x_shape, k_hw, o)
    wt = (const("w", w, rng.uniform(0.002, 0.03, c), 0, 3) if w is not None else _wq(rng, (1, *k_hw, c), 3))
    b = const("b", rng.integers(-20000, 20000, c).astype(np.int32))
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [_q("x", x_shape, 0.05, x_zp), wt, b],
                            _q("y", (x_shape[0], *out_hw, c), 0.06, y_zp), o, quant_params=qp)
    return (cid, model, [x if x is not None else _x(rng, x_shape)])


def _fc(rng, cid, rows, depth, units, x_zp=7, y_zp=-2, bias=True, qp=None, x=None, w=None):
    wt = const("w", w, rng.uniform(0.002, 0.03, units), 0, 0) if w is not None else _wq(rng, (units, depth), 0)
    b = const("b", rng.integers(-30000, 30000, units).astype(np.int32)) if bias else None
    model = single_op_model(OpCode.FULLY_CONNECTED, [_q("x", (rows, depth), 0.05, x_zp), wt, b],
                            _q("y", (rows, units), 0.1, y_zp), ir.FullyConnectedOptions(), quant_params=qp)
    return (cid, model, [x if x is not None else _x(rng, (rows, depth))])


def _float_cases(rng):
    out = []
    o = ir.Conv2DOptions(stride_h=2, stride_w=1, dilation_h=1, dilation_w=2, pad_top=1, pad_bottom=2, pad_left=2,
                         pad_right=1, activation=Activation.RELU6)
    w = const("w", (rng.standard_normal((7, 3, 3, 5)) * 0.3).astype(np.float32))
    b = const("b", rng.standard_normal(7).astype(np.float32))
    out.append(("conv_f32_dilated_odd", single_op_model(OpCode.CONV_2D, [act("x", (2, 9, 8, 5)), w, b],
                                                         act("y", (2, *_out_hw((2, 9, 8, 5), (3, 3), o), 7)), o),
                [rng.standard_normal((2, 9, 8, 5)).astype(np.float32)]))
    o = ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1)
    w = const("w", (rng.standard_normal((12, 3, 3, 40)) * 0.2).astype(np.float32))
    out.append(("conv_f32_deep", single_op_model(OpCode.CONV_2D, [act("x", (1, 6, 5, 40)), w, None],
                                                  act("y", (1, 6, 5, 12)), o),
                [rng.standard_normal((1, 6, 5, 40)).astype(np.float32)]))
    # products that overflow float32 but cancel in float64: the reference's way decides
    big = np.full((1, 1, 1, 8), 3e20, np.float32)
    big[..., 1::2] = -3e20
    wbig = np.full((4, 1, 1, 8), 2e20, np.float32)
    out.append(("conv_f32_overflowing_products", single_op_model(
        OpCode.CONV_2D, [act("x", (1, 1, 1, 8)), const("w", wbig), None], act("y", (1, 1, 1, 4)),
        ir.Conv2DOptions()), [big]))
    w = const("w", (rng.standard_normal((6, 37)) * 0.3).astype(np.float32))
    b = const("b", rng.standard_normal(6).astype(np.float32))
    out.append(("fc_f32_odd", single_op_model(OpCode.FULLY_CONNECTED, [act("x", (3, 37)), w, b], act("y", (3, 6)),
                                               ir.FullyConnectedOptions(activation=Activation.RELU)),
                [rng.standard_normal((3, 37)).astype(np.float32)]))
    w = const("w", (rng.standard_normal((9, 300)) * 0.1).astype(np.float32))
    out.append(("fc_f32_long", single_op_model(OpCode.FULLY_CONNECTED, [act("x", (2, 300)), w, None],
                                                act("y", (2, 9)), ir.FullyConnectedOptions()),
                [rng.standard_normal((2, 300)).astype(np.float32)]))
    o = ir.DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=1)
    w = const("w", (rng.standard_normal((1, 3, 3, 10)) * 0.3).astype(np.float32))
    out.append(("depthwise_f32", single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (1, 5, 4, 10)), w, None],
                                                  act("y", (1, 5, 4, 10)), o),
                [rng.standard_normal((1, 5, 4, 10)).astype(np.float32)]))
    return out


@lru_cache(maxsize=1)
def kernel_cases() -> tuple:
    """(id, .tlet bytes, inputs) of the cases that go beyond the op catalog for these three kernels."""
    rng = np.random.default_rng(55)
    out = []
    C = ir.Conv2DOptions
    # CONV_2D: pointwise (in place rows), short and long depths, odd channel counts, strides, batches
    out.append(_conv(rng, "conv_1x1_16to24", (1, 5, 7, 16), (24, 1, 1, 16), C()))
    out.append(_conv(rng, "conv_1x1_odd_stride2", (2, 7, 6, 67), (13, 1, 1, 67), C(stride_h=2, stride_w=2),
                     per_channel=False, bias=False))
    out.append(_conv(rng, "conv_1x1_depth8", (1, 4, 5, 8), (3, 1, 1, 8), C(activation=Activation.RELU)))
    # KxK: gathered patches, borders, dilations, asymmetric pads
    out.append(_conv(rng, "conv_3x3_c5_pad1", (1, 6, 7, 5), (7, 3, 3, 5),
                     C(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, activation=Activation.RELU6)))
    out.append(_conv(rng, "conv_3x3_dilated_stride2", (1, 11, 12, 32), (19, 3, 3, 32),
                     C(stride_h=2, stride_w=3, dilation_h=2, dilation_w=3, pad_top=2, pad_bottom=1, pad_left=0,
                       pad_right=3)))
    out.append(_conv(rng, "conv_10x4_c1_kws_like", (1, 13, 10, 1), (9, 10, 4, 1),
                     C(stride_h=2, stride_w=2, pad_top=4, pad_bottom=5, pad_left=1, pad_right=2), x_zp=83))
    out.append(_conv(rng, "conv_3x3_c3_first_layer", (1, 9, 9, 3), (8, 3, 3, 3),
                     C(stride_h=2, stride_w=2, pad_top=1, pad_bottom=1, pad_left=1, pad_right=1), x_zp=-128))
    out.append(_conv(rng, "conv_3x3_c100_one_row", (1, 4, 4, 100), (6, 3, 3, 100),
                     C(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1)))
    out.append(_conv(rng, "conv_3x3_c300_deep", (1, 3, 3, 300), (5, 3, 3, 300), C()))
    out.append(_conv(rng, "conv_5x5_kernel_larger_than_input", (1, 3, 2, 4), (6, 5, 5, 4),
                     C(pad_top=2, pad_bottom=2, pad_left=2, pad_right=3)))
    out.append(_conv(rng, "conv_1x1_300_channels", (1, 2, 3, 20), (300, 1, 1, 20), C()))
    # extremes: x and w at the int8 ends, zero points at the ends, wrapping bias, extreme quant params
    xe = np.where(rng.random((1, 5, 6, 33)) < 0.5, -128, 127).astype(np.int8)
    we = np.where(rng.random((11, 3, 3, 33)) < 0.5, -128, 127).astype(np.int8)
    out.append(_conv(rng, "conv_extreme_values_zp127", (1, 5, 6, 33), (11, 3, 3, 33),
                     C(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1), x_zp=127, x=xe, w=we))
    out.append(_conv(rng, "conv_extreme_values_zp-128", (1, 5, 6, 33), (11, 3, 3, 33),
                     C(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1), x_zp=-128, x=xe, w=we))
    out.append(_conv(rng, "conv_extreme_quant_params", (1, 4, 4, 24), (10, 1, 1, 24), C(), x_zp=-128,
                     qp=_extreme_params(rng, 10)))
    conv_wrap = _conv(rng, "conv_bias_wraps", (1, 3, 3, 64), (5, 1, 1, 64), C(), x_zp=-128,
                      x=np.full((1, 3, 3, 64), 127, np.int8), w=np.full((5, 1, 1, 64), -128, np.int8),
                      qp=_extreme_params(rng, 5))
    conv_wrap[1].tensors[2].data[:] = [INT32_MAX, -INT32_MAX - 1, INT32_MAX - 5, -7, 2**30]
    out.append(conv_wrap)
    # DEPTHWISE_CONV_2D: full groups of 16, tails, small channel counts, chunks, dilation, multiplier > 1
    D = ir.DepthwiseConv2DOptions
    out.append(_depthwise(rng, "dw_3x3_c16", (1, 6, 5, 16), (3, 3),
                          D(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=1)))
    out.append(_depthwise(rng, "dw_c21_stride2_dilated", (1, 9, 10, 21), (3, 3),
                          D(stride_h=2, stride_w=2, dilation_h=2, dilation_w=2, pad_top=1, pad_bottom=0, pad_left=2,
                            pad_right=1, depth_multiplier=1, activation=Activation.RELU6)))
    out.append(_depthwise(rng, "dw_c8", (1, 7, 7, 8), (3, 3),
                          D(stride_h=2, stride_w=2, pad_top=1, pad_bottom=1, pad_left=1, pad_right=1,
                            depth_multiplier=1), x_zp=-128))
    out.append(_depthwise(rng, "dw_c3_5x2", (2, 6, 5, 3), (5, 2),
                          D(pad_top=2, pad_bottom=1, pad_left=1, pad_right=0, depth_multiplier=1)))
    out.append(_depthwise(rng, "dw_c300_chunks", (1, 3, 3, 300), (3, 3),
                          D(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=1)))
    out.append(_depthwise(rng, "dw_kernel_larger_than_input", (1, 2, 3, 17), (4, 5),
                          D(pad_top=2, pad_bottom=2, pad_left=2, pad_right=2, depth_multiplier=1)))
    out.append(_depthwise(rng, "dw_multiplier2", (1, 5, 5, 5), (3, 3),
                          D(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=2)))
    xe = np.where(rng.random((1, 5, 5, 40)) < 0.5, -128, 127).astype(np.int8)
    we = np.where(rng.random((1, 3, 3, 40)) < 0.5, -128, 127).astype(np.int8)
    out.append(_depthwise(rng, "dw_extreme_values_and_params", (1, 5, 5, 40), (3, 3),
                          D(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=1), x_zp=127,
                          qp=_extreme_params(rng, 40), x=xe, w=we))
    # FULLY_CONNECTED: one row (weight sums in the same pass), several rows, short and tiny depths, many units
    out.append(_fc(rng, "fc_1x640_to_13", 1, 640, 13))
    out.append(_fc(rng, "fc_1x200_zp0", 1, 200, 7, x_zp=0))
    out.append(_fc(rng, "fc_5x100", 5, 100, 9, bias=False))
    out.append(_fc(rng, "fc_depth8_300_units", 2, 8, 300))
    out.append(_fc(rng, "fc_depth33", 4, 33, 5))
    out.append(_fc(rng, "fc_depth3", 3, 3, 6, x_zp=-128))
    xe = np.where(rng.random((3, 77)) < 0.5, -128, 127).astype(np.int8)
    we = np.where(rng.random((6, 77)) < 0.5, -128, 127).astype(np.int8)
    out.append(_fc(rng, "fc_extreme_values_and_params", 3, 77, 6, x_zp=-128, qp=_extreme_params(rng, 6), x=xe, w=we))
    # ADD (the M55 build's vectorized residual add; aarch64 runs the reference): same shapes with a tail, extreme
    # values and quant params, and broadcasting (the reference path)
    for cid, shape, za, zb, zy in (("add_same_shape_odd", (1, 3, 5, 7), -128, 127, 3),
                                   ("add_same_shape_ic_like", (1, 8, 8, 16), -20, 14, -128)):
        model = single_op_model(OpCode.ADD, [_q("a", shape, 0.07, za), _q("b", shape, 0.02, zb)],
                                _q("y", shape, 0.05, zy), ir.BinaryOptions(activation=Activation.RELU))
        out.append((cid, model, [_x(rng, shape), _x(rng, shape)]))
    model = single_op_model(OpCode.ADD, [_q("a", (2, 9, 3), 0.5, -128), _q("b", (2, 9, 3), 0.001, 127)],
                            _q("y", (2, 9, 3), 0.003, 0), ir.BinaryOptions())
    qp = model.operators[0].quant_params
    qp.input_multiplier, qp.input_shift = [INT32_MAX, 1 << 30], [0, -31]
    qp.output_multiplier, qp.output_shift = [INT32_MAX], [-1]
    out.append(("add_extreme_params", model, [np.where(rng.random((2, 9, 3)) < 0.5, -128, 127).astype(np.int8),
                                             _x(rng, (2, 9, 3))]))
    model = single_op_model(OpCode.ADD, [_q("a", (2, 1, 5), 0.03, 1), _q("b", (4, 1), 0.04, -9)],
                            _q("y", (2, 4, 5), 0.05, 2), ir.BinaryOptions())
    out.append(("add_broadcast", model, [_x(rng, (2, 1, 5)), _x(rng, (4, 1))]))
    out += _float_cases(rng)
    return tuple((cid, to_bytes(model), inputs) for cid, model, inputs in out)


@lru_cache(maxsize=1)
def catalog_cases() -> tuple:
    """The op-catalog cases of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED."""
    from tensorlet.converter.reader import from_bytes
    return tuple(c for c in supported_cases() if from_bytes(c[1]).operators[0].opcode in KERNEL_OPS)


def all_cases() -> tuple:
    return catalog_cases() + kernel_cases()


# ---- Cortex-M55 -----------------------------------------------------------------------------------------------

_RUN: dict = {}


def m55_results() -> dict:
    """key -> JobResult: every case, the MLPerf Tiny models (2 seeds) and the goldens, in one batch."""
    if not _RUN:
        keys, jobs = [], []
        for cid, data, inputs in all_cases():
            keys.append(("case", cid))
            jobs.append(native.Job(data, [inputs]))
        if SHARED_CORPUS.is_dir():
            for name in INT8_MODELS:
                data = mlperf(name)
                keys.append(("model", name))
                jobs.append(native.Job(data, [random_inputs(data, seed) for seed in range(2)]))
            for name, (data, samples, _) in golden_samples().items():
                keys.append(("golden", name))
                jobs.append(native.Job(data, samples))
        run = native.CortexM("m55").run_jobs(jobs)
        _RUN.update(zip(keys, run.jobs))
    return _RUN


def _ids(items):
    return [c[0] for c in items]


def test_m55_build_links_the_mve_kernels():
    """The cortex-m55 library takes kernels/cortex-m55/<op>.c in place of the reference kernels, and they use
    Helium's dot product (VMLADAV) and rounding doubling multiply (VQRDMULH)."""
    runner = native.CortexM("m55")
    runner.ensure_built()
    members = subprocess.run(["arm-none-eabi-ar", "t", str(runner.build_dir / "libtensorlet.a")], capture_output=True,
                             text=True, check=True).stdout.split()
    objects = runner.build_dir / "obj" / "kernels" / "cortex-m55"
    for op in ("conv_2d", "depthwise_conv_2d", "fully_connected", "add"):
        assert members.count(f"{op}.o") == 1, op  # the reference object is not archived next to it
        assert (objects / f"{op}.o").is_file(), op
    dis = subprocess.run(["arm-none-eabi-objdump", "-d", "-m", "armv8.1-m.main", str(objects / "conv_2d.o")],
                         capture_output=True, text=True, check=True).stdout
    assert "vmlava.s8" in dis and "vqrdmulh.s32" in dis


@pytest.mark.parametrize("cid,data,inputs", all_cases(), ids=_ids(all_cases()))
def test_mve_kernel_case_on_m55(cid, data, inputs):
    job = m55_results()[("case", cid)].check("cortex-m55")
    assert_parity(data, inputs, lambda _d, _i: job.outputs[0], what=f"{cid} on cortex-m55")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("name", list(INT8_MODELS))
def test_mve_mlperf_tiny_int8_on_m55(name):
    job = m55_results()[("model", name)].check("cortex-m55")
    data = mlperf(name)
    for seed in range(2):
        compare(reference(data, seed), job.outputs[seed], what=f"{name} seed {seed} on cortex-m55")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("name", ["kws", "ad01", "hello_world"])
def test_mve_tflite_micro_golden_bit_exact_on_m55(name):
    job = m55_results()[("golden", name)].check("cortex-m55")
    _, samples, expected = golden_samples()[name]
    assert len(job.outputs) == len(samples)
    for k, (got, want) in enumerate(zip(job.outputs, expected)):
        np.testing.assert_array_equal(got[0].reshape(want.shape), want, err_msg=f"{name} sample {k} on cortex-m55")


# The vectorized requantization (tlm_requant_row) against tl_mbqm + y_zp + clamp, on random and edge inputs:
# ties of every rounding shift, INT32_MIN / INT32_MAX, every shift from -31 to 31, multipliers up to 2^31 - 1.
REQUANT_APP = r"""
#include "semihost.h"
#include "cortex-m55/mve_int8.h"

static uint32_t state = 12345u;
static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static int32_t acc_of(uint32_t i, int32_t shift)
{
    const uint32_t kind = i % 8u;
    const int e = shift < 0 ? -shift : 0;
    if (kind == 0u) {
        return (int32_t)(next() & 0x7FFFFFFFu) - (int32_t)(next() & 0x7FFFFFFFu);
    }
    if (kind == 1u) {
        static const int32_t edges[] = {TL_INT32_MIN, TL_INT32_MAX, 0, 1, -1, TL_INT32_MIN + 1, TL_INT32_MAX - 1};
        return edges[next() % 7u];
    }
    if (kind == 2u && e > 0) { /* a tie of the rounding shift, either sign */
        const int32_t q = (int32_t)(next() % 4096u) - 2048;
        return (int32_t)((uint32_t)q * ((uint32_t)1 << e) + ((uint32_t)1 << (e - 1)));
    }
    return (int32_t)(next() % 200001u) - 100000;
}

int main(void)
{
    static int32_t mult[TLM_CHUNK], shift[TLM_CHUNK], acc[TLM_CHUNK];
    static int8_t got[TLM_CHUNK];
    static tlm_rq rq;
    tl_quant_params q;
    uint32_t round, c, bad = 0, n = 0;
    for (round = 0; round < 4000u; round++) {
        const uint32_t nc = 1u + next() % TLM_CHUNK;
        for (c = 0; c < nc; c++) {
            mult[c] = (c + round) % 5u == 0u ? TL_INT32_MAX : (int32_t)(next() & 0x7FFFFFFFu);
            shift[c] = (int32_t)((c + round) % 63u) - 31;
            acc[c] = acc_of(round * 7u + c, shift[c]);
        }
        q.output_multiplier = mult;
        q.output_shift = shift;
        rq.y_zp = (int32_t)(next() % 256u) - 128;
        rq.act_min = (int32_t)(next() % 100u) - 128;
        rq.act_max = 127 - (int32_t)(next() % 100u);
        tlm_rq_chunk(&rq, &q, 0u, nc);
        tlm_requant_row(acc, NULL, nc, &rq, got);
        for (c = 0; c < nc; c++, n++) {
            const int64_t v = (int64_t)tl_mbqm(acc[c], mult[c], shift[c]) + rq.y_zp;
            const int8_t want = (int8_t)(v < rq.act_min ? rq.act_min : (v > rq.act_max ? rq.act_max : v));
            bad += got[c] != want;
        }
    }
    tl_sh_puts("requant cases ");
    tl_sh_put_u32(n);
    tl_sh_puts(" mismatches ");
    tl_sh_put_u32(bad);
    tl_sh_puts("\n");
    return bad ? 1 : 0;
}
"""


def test_mve_requantization_matches_the_scalar_reference(tmp_path):
    runner = native.CortexM("m55")
    runner.ensure_built()
    (tmp_path / "requant.c").write_text(REQUANT_APP)
    native.make("cm-app", *runner.make_args(), f"APP_SOURCES={tmp_path / 'requant.c'}",
                f"APP_ELF={tmp_path / 'requant.elf'}")
    result = subprocess.run(runner.qemu_command(tmp_path / "requant.elf"), capture_output=True, text=True, timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    cases = int(out.split("requant cases ")[1].split()[0])
    assert cases > 200_000 and "mismatches 0" in out
