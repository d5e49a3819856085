"""The Cortex-M4 (DSP extension) kernels of runtime_embedded/kernels/cortex-m4/ against the reference interpreter,
bit for bit: conv / depthwise / fully-connected / add shapes that reach every path of those kernels (small and large
patches, odd channel counts, strides, dilation, padding wider than the filter, depthwise tiles and channel tails,
the reference fallbacks), requantization at its edges (every shift in [-31, 31], zero and maximal multipliers,
narrowed activation ranges, accumulators that wrap), on the M4 and the M7 under QEMU (the DSP instructions; the M7
build takes the same kernels) and on the host
with the kernels' portable C under ASan+UBSan (memory safety of the same loops). Plus the requantization helper
itself over many random and edge values on the M4. The op catalog, the MLPerf Tiny models and the TFLite Micro
goldens run on the M4 in test_port_cortex_m.py (the cortex-m4 build takes these kernels)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from op_cases import cases as op_cases
from parity import assert_parity
from port_support import needs
from support import act, const, single_op_model
import native as test_native  # tests/runtime_embedded/native.py: the tlrun backend
from tensorlet import native
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes

HOST_BUILD = "build/host-cm4"  # make TARGET=cortex-m4: these kernels in their portable C
RELU = Activation.RELU


def _int8(rng, shape, lo=-128, hi=128):
    return rng.integers(lo, hi, shape).astype(np.int8)


def _weights(rng, shape, axis, per_channel=True, extreme=False):
    data = np.where(rng.random(shape) < 0.5, -128, 127).astype(np.int8) if extreme else _int8(rng, shape, -127)
    channels = shape[axis]
    scales = rng.uniform(0.002, 0.02, channels) if per_channel else 0.01
    return const("w", data, scales, 0, axis if per_channel else -1)


def _edge_quant(rng, channels, act_min=-128, act_max=127):
    """Per-channel multipliers/shifts over every requantization path: shift in [-31, 31] (the fast path takes
    shift <= -2), multipliers 0, 1, 2^30 and 2^31 - 1."""
    shifts = [-31, -30, -24, -23, -9, -2, -1, 0, 1, 5, 31, -7, -3, -16]
    mults = [0, 1, 1 << 30, 2**31 - 1, 1518500250, 1073741825, 2**31 - 2]
    return ir.QuantParams(output_multiplier=[mults[i % len(mults)] if i % 3 == 0 else int(rng.integers(1 << 30, 2**31))
                                             for i in range(channels)],
                          output_shift=[shifts[i % len(shifts)] for i in range(channels)],
                          act_min=act_min, act_max=act_max)


def _conv(cid, rng, x_shape, w_shape, options, y_zp=-5, x_zp=7, bias=True, per_channel=True, quant=None,
          extreme=False, bias_range=5000):
    n, h, w_, ci = x_shape
    co, kh, kw, _ = w_shape
    oh = (h + options.pad_top + options.pad_bottom - ((kh - 1) * options.dilation_h + 1)) // options.stride_h + 1
    ow = (w_ + options.pad_left + options.pad_right - ((kw - 1) * options.dilation_w + 1)) // options.stride_w + 1
    b = const("b", rng.integers(-bias_range, bias_range, co).astype(np.int32)) if bias else None
    model = single_op_model(OpCode.CONV_2D, [act("x", x_shape, 0.05, x_zp),
                                             _weights(rng, w_shape, 0, per_channel, extreme), b],
                            act("y", (n, oh, ow, co), 0.1, y_zp), options, quant)
    x = (np.where(rng.random(x_shape) < 0.5, -128, 127).astype(np.int8) if extreme else _int8(rng, x_shape))
    return cid, to_bytes(model), [x]


def _depthwise(cid, rng, x_shape, k, options, mult=1, y_zp=3, x_zp=-9, bias=True, quant=None, extreme=False):
    n, h, w_, ci = x_shape
    kh, kw = k
    co = ci * mult
    oh = (h + options.pad_top + options.pad_bottom - ((kh - 1) * options.dilation_h + 1)) // options.stride_h + 1
    ow = (w_ + options.pad_left + options.pad_right - ((kw - 1) * options.dilation_w + 1)) // options.stride_w + 1
    b = const("b", rng.integers(-5000, 5000, co).astype(np.int32)) if bias else None
    model = single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", x_shape, 0.05, x_zp),
                                                       _weights(rng, (1, kh, kw, co), 3, True, extreme), b],
                            act("y", (n, oh, ow, co), 0.1, y_zp), options, quant)
    x = (np.where(rng.random(x_shape) < 0.5, -128, 127).astype(np.int8) if extreme else _int8(rng, x_shape))
    return cid, to_bytes(model), [x]


def _fc(cid, rng, x_shape, units, x_zp=11, y_zp=-20, bias=True, quant=None, act_fn=Activation.NONE, extreme=False):
    depth = x_shape[-1]
    rows = int(np.prod(x_shape[:-1]))
    b = const("b", rng.integers(-5000, 5000, units).astype(np.int32)) if bias else None
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("x", x_shape, 0.05, x_zp),
                                                     _weights(rng, (units, depth), 0, True, extreme), b],
                            act("y", (rows, units), 0.2, y_zp), ir.FullyConnectedOptions(activation=act_fn), quant)
    x = (np.where(rng.random(x_shape) < 0.5, -128, 127).astype(np.int8) if extreme else _int8(rng, x_shape))
    return cid, to_bytes(model), [x]


def _add(cid, rng, a_shape, b_shape, out_shape, quant=None, act_fn=Activation.NONE, zps=(-7, 30, -128)):
    model = single_op_model(OpCode.ADD, [act("a", a_shape, 0.06, zps[0]), act("b", b_shape, 0.02, zps[1])],
                            act("y", out_shape, 0.07, zps[2]), ir.BinaryOptions(activation=act_fn), quant)
    return cid, to_bytes(model), [_int8(rng, a_shape), _int8(rng, b_shape)]


@lru_cache(maxsize=1)
def cases() -> tuple:
    """(id, .tlet bytes, inputs) of every case."""
    rng = np.random.default_rng(4)
    conv = ir.Conv2DOptions
    dw = ir.DepthwiseConv2DOptions
    out = [
        # 1x1 patch path: odd channels, odd pixel count, edge requantization, narrowed activation range
        _conv("conv1x1_odd_edge_rq", rng, (1, 3, 5, 13), (7, 1, 1, 13), conv(),
              quant=_edge_quant(rng, 7, -50, 90), bias_range=2**31 - 1),
        _conv("conv1x1_stride2_per_tensor", rng, (2, 7, 6, 16), (9, 1, 1, 16), conv(stride_h=2, stride_w=3),
              per_channel=False, bias=False, x_zp=-128, y_zp=127),
        # KxK patch path: asymmetric pads, stride 2, k not a multiple of 4, pads wider than the filter
        _conv("conv3x3_s2_pads", rng, (1, 9, 8, 5), (6, 3, 3, 5),
              conv(stride_h=2, stride_w=2, pad_top=1, pad_bottom=2, pad_left=0, pad_right=2, activation=RELU)),
        _conv("conv2x2_pad_beyond_filter", rng, (1, 4, 5, 3), (5, 2, 2, 3),
              conv(pad_top=3, pad_bottom=2, pad_left=4, pad_right=1)),
        _conv("conv3x3_dilated", rng, (1, 10, 9, 4), (3, 3, 3, 4),
              conv(dilation_h=2, dilation_w=3, pad_top=2, pad_bottom=1, pad_left=3, pad_right=0)),
        _conv("conv10x4_kws_first", rng, (1, 49, 10, 1), (8, 10, 4, 1),
              conv(stride_h=2, stride_w=2, pad_top=4, pad_bottom=5, pad_left=1, pad_right=1, activation=RELU),
              x_zp=83, y_zp=-128),
        # large patches: K = 333 and 639 (near the 640 of the stack buffer), 640 exactly; K = 648 runs the reference
        _conv("conv3x3x37_dilated", rng, (2, 7, 8, 37), (5, 3, 3, 37),
              conv(stride_w=2, dilation_w=2, dilation_h=2, pad_top=2, pad_left=1, pad_right=3), bias=False),
        _conv("conv3x3x71_edge_rq", rng, (1, 5, 6, 71), (6, 3, 3, 71), conv(pad_top=1, pad_bottom=1, pad_left=1,
                                                                             pad_right=1), quant=_edge_quant(rng, 6)),
        _conv("conv1x1x640", rng, (1, 2, 3, 640), (3, 1, 1, 640), conv()),
        _conv("conv3x3x72_reference", rng, (1, 4, 4, 72), (4, 3, 3, 72), conv(pad_top=1, pad_left=1)),
        _conv("conv_stride_over_32767_reference", rng, (1, 3, 5, 4), (3, 1, 2, 4), conv(stride_h=40000)),
        # extreme values: inputs and weights at -128 / 127, zero points at the ends (sums near the int16 limits)
        _conv("conv_extremes", rng, (1, 5, 5, 12), (6, 3, 3, 12),
              conv(pad_top=1, pad_left=1, pad_bottom=1, pad_right=1), x_zp=127, y_zp=-128, extreme=True),
        _conv("conv1x1_extremes", rng, (1, 4, 4, 24), (4, 1, 1, 24), conv(), x_zp=-128, y_zp=0, extreme=True),
        # depthwise: the unrolled 3x3 and the generic window, channel tails, tiles, fallbacks
        _depthwise("dw3x3_c8", rng, (1, 6, 5, 8), (3, 3), dw(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1,
                                                              activation=Activation.RELU)),
        _depthwise("dw3x3_c6_s2_edge_rq", rng, (1, 9, 8, 6), (3, 3),
                   dw(stride_h=2, stride_w=2, pad_top=0, pad_bottom=1, pad_left=2, pad_right=1),
                   quant=_edge_quant(rng, 6, -100, 60)),
        _depthwise("dw5x5_dilated_c4", rng, (2, 11, 10, 4), (5, 5),
                   dw(dilation_h=2, dilation_w=2, pad_top=3, pad_bottom=4, pad_left=4, pad_right=2), bias=False),
        _depthwise("dw3x3_tiles_c4", rng, (1, 40, 70, 4), (3, 3), dw(pad_top=1, pad_bottom=1, pad_left=1,
                                                                       pad_right=1)),
        _depthwise("dw2x3_c5_pads_beyond", rng, (1, 3, 4, 5), (2, 3), dw(pad_top=3, pad_bottom=3, pad_left=4,
                                                                           pad_right=4)),
        _depthwise("dw3x3_extremes", rng, (1, 5, 4, 12), (3, 3), dw(pad_top=1, pad_bottom=1, pad_left=1,
                                                                      pad_right=1), x_zp=127, y_zp=-128, extreme=True),
        _depthwise("dw_multiplier2_reference", rng, (1, 5, 5, 3), (3, 3), dw(pad_top=1, pad_left=1, depth_multiplier=2),
                   mult=2),
        _depthwise("dw7x7_reference", rng, (1, 8, 8, 4), (7, 7), dw(pad_top=3, pad_bottom=3, pad_left=3, pad_right=3)),
        _depthwise("dw_tall_window_reference", rng, (1, 90, 4, 4), (3, 2), dw(dilation_h=40)),
        # fully connected: depth not a multiple of 4, units not a multiple of 4, batches, extremes
        _fc("fc_37x7_batch3_edge_rq", rng, (3, 37), 7, quant=_edge_quant(rng, 7, -70, 100)),
        _fc("fc_1x1", rng, (1, 1), 1, bias=False),
        _fc("fc_640x13_relu", rng, (1, 640), 13, act_fn=Activation.RELU),
        _fc("fc_extremes", rng, (2, 64), 6, x_zp=-128, y_zp=127, extreme=True),
        # add: same shapes (tabulated inputs), every input and output shift range, broadcasting (the reference)
        _add("add_same_shape_relu", rng, (1, 8, 8, 6), (1, 8, 8, 6), (1, 8, 8, 6), act_fn=Activation.RELU),
        _add("add_edge_rq", rng, (3, 37), (3, 37), (3, 37),
             ir.QuantParams(output_multiplier=[2**31 - 1], output_shift=[0], input_multiplier=[1 << 30, 2**31 - 1],
                            input_shift=[0, -31], left_shift=20, act_min=-100, act_max=90)),
        _add("add_output_shift_minus1", rng, (2, 50), (2, 50), (2, 50),
             ir.QuantParams(output_multiplier=[1518500250], output_shift=[-1], input_multiplier=[1 << 30, 1 << 30],
                            input_shift=[-1, -2], left_shift=20)),
        _add("add_broadcast_reference", rng, (2, 1, 5), (4, 1), (2, 4, 5)),
    ]
    return tuple(out)


def _ids(items):
    return [c[0] for c in items]


_RUNS: dict = {}


def _results(cpu: str) -> dict:
    """id -> JobResult of every case, one firmware per core."""
    if cpu not in _RUNS:
        run = native.CortexM(cpu).run_jobs([native.Job(data, [inputs]) for _, data, inputs in cases()])
        _RUNS[cpu] = {cid: job for (cid, _, _), job in zip(cases(), run.jobs)}
    return _RUNS[cpu]


@needs("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
@pytest.mark.parametrize("cpu", ["m4", "m7"])  # the M7 build takes the M4's kernels
@pytest.mark.parametrize("cid,data,inputs", cases(), ids=_ids(cases()))
def test_cm4_kernel_case_bit_exact_on_cortex_m(cpu, cid, data, inputs):
    job = _results(cpu)[cid].check(f"cortex-{cpu}")
    assert_parity(data, inputs, lambda _d, _i: job.outputs[0], what=f"{cid} on cortex-{cpu}")


OPTIMIZED_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD"}


@needs("make", "gcc")
def test_cm4_kernels_portable_c_under_asan_and_ubsan():
    """These cases and the op catalog's cases of the optimized ops (float32 too: the reference fallbacks) through the
    kernels' portable C (make asan TARGET=cortex-m4) under ASan+UBSan: the optimized loops never read or write out
    of bounds, and their arithmetic matches the reference there too."""
    native.make("asan", "TARGET=cortex-m4", f"BUILD={HOST_BUILD}")
    backend = test_native.TlrunBackend(native.RUNTIME / HOST_BUILD / "asan" / "tlrun")
    catalog = [(cid, to_bytes(model), inputs) for cid, model, inputs in op_cases()
               if model.operators[0].opcode.name in OPTIMIZED_OPS]
    assert len(catalog) >= 8
    for cid, data, inputs in list(cases()) + catalog:
        assert_parity(data, inputs, backend, what=f"{cid} (portable C, ASan)")


REQUANT_APP = r"""
/* tl_cm4_rq (SMLAL) and tl_cm4_rq_any against tl_mbqm over edge and pseudo-random values. */
#include "cortex-m4/cm4_dsp.h"

static uint32_t state = 12345u;
static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

int main(void)
{
    static const int32_t accs[] = {0, 1, -1, 2, -2, 1073741823, 1073741824, -1073741824, -1073741825, 2147483647,
                                   -2147483647 - 1, 2147483646, -2147483647, 12345, -12345, 255, -256};
    static const int32_t mults[] = {0, 1, 2, 1073741824, 1073741825, 2147483647, 2147483646, 1518500250};
    uint32_t i, a, m, bad = 0;
    int32_t s;
    for (a = 0; a < sizeof accs / sizeof accs[0]; a++) {
        for (m = 0; m < sizeof mults / sizeof mults[0]; m++) {
            for (s = -31; s <= 31; s++) {
                const int64_t want = (int64_t)tl_mbqm(accs[a], mults[m], s) + 3;
                const int32_t clamped = want < -128 ? -128 : (want > 127 ? 127 : (int32_t)want);
                bad += tl_cm4_rq_any(accs[a], mults[m], s, 3, -128, 127) != clamped;
                if (s <= -2) {
                    bad += tl_cm4_rq(accs[a], mults[m], s) != tl_mbqm(accs[a], mults[m], s);
                }
            }
        }
    }
    for (i = 0; i < 300000u; i++) {
        const uint32_t r = next();
        const int32_t acc = (int32_t)(r >> (next() & 31u)) * ((r & 1u) ? -1 : 1);
        const int32_t mult = (int32_t)(next() >> 1);
        const int32_t shift = -2 - (int32_t)(next() % 30u);
        bad += tl_cm4_rq(acc, mult, shift) != tl_mbqm(acc, mult, shift);
    }
    return bad == 0 ? 0 : 1;
}
"""


@needs("make", "arm-none-eabi-gcc", "qemu-system-arm")
def test_cm4_requantization_matches_tl_mbqm_on_cortex_m4(tmp_path):
    runner = native.CortexM("m4")
    runner.ensure_built()
    (tmp_path / "rq.c").write_text(REQUANT_APP)
    native.make("cm-app", *runner.make_args(), f"APP_SOURCES={tmp_path / 'rq.c'}", f"APP_ELF={tmp_path / 'rq.elf'}")
    result = native.subprocess.run(runner.qemu_command(tmp_path / "rq.elf"), capture_output=True, text=True,
                                   timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
