"""Int8 CONV_2D with pruned output channels (all weights 0, as in the MLPerf Tiny VWW model): the SIMD128 kernel
leaves them out of the GEMM when that saves 8-channel blocks and writes their constant outputs (the requantized
bias) around the computed ones. Every case is checked bit for bit against the reference interpreter, both builds:
pruned channels spread over several 16-channel chunks, a last chunk cut short, huge biases and tiny scales on the
pruned channels (VWW's), every channel pruned, too few pruned to save a block, and run-time weights whose pruned
channels change between runs."""
import numpy as np
import pytest

from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes
from wasm_support import SIMD_FLAVOURS, WasmtimeBackend
from parity import assert_parity  # noqa: E402  (wasm_support puts it on the path)


def _options(pad, activation):
    return ir.Conv2DOptions(stride_h=1, stride_w=1, dilation_h=1, dilation_w=1, pad_top=pad, pad_bottom=pad,
                            pad_left=pad, pad_right=pad, activation=activation)


def _case(rng, cid, n, h, w, ci, co, k, pruned, activation, with_bias, vww_like=False):
    """One conv model and its input: output channels `pruned` have all-zero weights."""
    weights = rng.integers(-127, 128, (co, k, k, ci)).astype(np.int8)
    weights[list(pruned)] = 0
    scales = rng.uniform(0.002, 0.03, co)
    bias = rng.integers(-30000, 30000, co).astype(np.int64)
    if vww_like:  # pruned channels with a tiny weight scale and a bias near the int32 limits
        scales[list(pruned)] = rng.uniform(1e-10, 1e-7, len(pruned))
        bias[list(pruned)] = rng.integers(-(2 ** 30), 2 ** 30, len(pruned))
    pad = k // 2
    model = single_op_model(
        OpCode.CONV_2D,
        [act("x", (n, h, w, ci), 0.05, int(rng.integers(-100, 100))), const("w", weights, scales, 0, 0),
         const("b", bias.astype(np.int32)) if with_bias else None],
        act("y", (n, h, w, co), 0.08, int(rng.integers(-20, 20))), _options(pad, activation))
    x = rng.integers(-128, 128, (n, h, w, ci)).astype(np.int8)
    return cid, to_bytes(model), [x]


def pruned_cases():
    rng = np.random.default_rng(91)
    return [
        _case(rng, "1x1_co40_32_pruned_b2_vww", 2, 5, 3, 8, 40, 1, range(4, 36), Activation.RELU6, True, True),
        _case(rng, "3x3_co19_last_chunk_short", 1, 6, 5, 5, 19, 3, [0, 2, 3, 5, 8, 9, 10, 11, 13, 17, 18],
              Activation.NONE, False),
        _case(rng, "1x1_co33_alternate", 1, 3, 7, 16, 33, 1, range(0, 33, 2), Activation.RELU, True),
        _case(rng, "3x3_co24_all_pruned", 1, 4, 4, 3, 24, 3, range(24), Activation.NONE, True, True),
        _case(rng, "1x1_co16_one_pruned", 1, 3, 3, 6, 16, 1, [7], Activation.NONE, True),
    ]


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=["simd", "nosimd"])
def test_pruned_output_channels(wasmtime_ok, simd):
    backend = WasmtimeBackend(simd)
    for cid, data, inputs in pruned_cases():
        assert_parity(data, inputs, backend, what=cid)


def test_pruned_channels_of_run_time_weights_change_between_runs(wasmtime_ok):
    """Weights given at run time are packed at every eval: which channels are left out follows the weights."""
    from tensorlet.runtime import Runtime

    rng = np.random.default_rng(92)
    model = single_op_model(OpCode.CONV_2D, [act("x", (1, 4, 5, 6), 0.1, 3), act("w", (24, 1, 1, 6), 0.02, 0), None],
                            act("y", (1, 4, 5, 24), 0.3, -2), _options(0, Activation.NONE))
    data = to_bytes(model)
    runtime = Runtime(data)
    x = rng.integers(-128, 128, (1, 4, 5, 6)).astype(np.int8)
    for pruned in (range(4, 24), range(0, 20), [], range(24)):
        weights = rng.integers(-127, 128, (24, 1, 1, 6)).astype(np.int8)
        weights[list(pruned)] = 0
        assert_parity(data, [x, weights], lambda _, inputs: runtime.run_sample(inputs),
                      what=f"pruned {list(pruned)[:3]}...")
