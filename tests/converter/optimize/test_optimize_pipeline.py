"""optimize(): the passes together on an importer-style graph, the fixed point, and the MLPerf Tiny models."""
import copy

import numpy as np
import pytest

from optimize_graphs import Graph, assert_equivalent, opcodes, planned
from support import SHARED_CORPUS
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.optimize import PASSES, optimize
from tensorlet.converter.reference import run
from tensorlet.converter.tflite_import import import_tflite

RNG = np.random.default_rng(6)
MLPERF = SHARED_CORPUS / "mlperf_tiny"
FLOAT_MODELS = ["vww/vww_96_float.tflite", "ic/pretrainedResnet.tflite", "ad/ad01_fp32.tflite",
                "kws/kws_ref_model_float32.tflite"]
INT8_MODELS = ["vww/vww_96_int8.tflite", "ic/pretrainedResnet_quant.tflite", "ad/ad01_int8.tflite",
               "kws/kws_ref_model.tflite"]


def _bn(g: Graph, y: int, channels: int) -> int:
    """Inference BatchNorm as importers lower it: MUL by a per-channel scale, ADD a per-channel shift."""
    y = g.op(OpCode.MUL, [y, g.const(RNG.uniform(0.5, 2.0, channels))], g.shape(y), ir.BinaryOptions())
    return g.op(OpCode.ADD, [y, g.const(RNG.standard_normal((1, 1, 1, channels)))], g.shape(y), ir.BinaryOptions())


def _onnx_style_graph() -> tuple[ir.Model, int]:
    """NCHW input -> TRANSPOSE -> PAD -> CONV (OIHW weights transposed in-graph) -> BN -> RELU -> RESHAPE round trip
    -> PAD -> DEPTHWISE -> BN -> RELU6 -> PAD -> MAX_POOL -> TRANSPOSE -> NCHW output; also its op count."""
    g = Graph()
    x = g.op(OpCode.TRANSPOSE, [g.input((1, 2, 6, 6))], (1, 6, 6, 2), ir.TransposeOptions(perm=(0, 2, 3, 1)))
    pads = ir.PadOptions(paddings=(0, 0, 1, 1, 1, 1, 0, 0))
    w = g.op(OpCode.TRANSPOSE, [g.const(RNG.standard_normal((4, 2, 3, 3)))], (4, 3, 3, 2),
             ir.TransposeOptions(perm=(0, 2, 3, 1)))
    y = g.op(OpCode.CONV_2D, [g.op(OpCode.PAD, [x], (1, 8, 8, 2), pads), w, -1], (1, 6, 6, 4), ir.Conv2DOptions())
    y = g.op(OpCode.RELU, [_bn(g, y, 4)], (1, 6, 6, 4))
    y = g.op(OpCode.RESHAPE, [g.op(OpCode.RESHAPE, [y], (1, 36, 4))], (1, 6, 6, 4))
    y = g.op(OpCode.DEPTHWISE_CONV_2D, [g.op(OpCode.PAD, [y], (1, 8, 8, 4), pads),
                                        g.const(RNG.standard_normal((1, 3, 3, 4))), g.const(RNG.standard_normal(4))],
             (1, 6, 6, 4), ir.DepthwiseConv2DOptions())
    y = g.op(OpCode.RELU6, [_bn(g, y, 4)], (1, 6, 6, 4))
    y = g.op(OpCode.MAX_POOL_2D, [g.op(OpCode.PAD, [y], (1, 8, 8, 4), pads)], (1, 4, 4, 4),
             ir.Pool2DOptions(filter_h=2, filter_w=2, stride_h=2, stride_w=2))
    y = g.op(OpCode.TRANSPOSE, [y], (1, 4, 4, 4), ir.TransposeOptions(perm=(0, 3, 1, 2)))
    model = g.model(y)
    return model, len(model.operators)


def test_importer_style_graph_fuses_down_to_its_convolutions():
    model, count = _onnx_style_graph()
    optimized = optimize(model)
    assert count == 17
    assert opcodes(optimized) == ["TRANSPOSE", "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "TRANSPOSE"]
    conv, depthwise, pool = (op.options for op in optimized.operators[1:4])
    assert conv.activation == Activation.RELU and (conv.pad_top, conv.pad_left) == (1, 1)
    assert depthwise.activation == Activation.RELU6 and (depthwise.pad_bottom, depthwise.pad_right) == (1, 1)
    assert (pool.pad_top, pool.pad_bottom, pool.pad_left, pool.pad_right) == (1, 1, 1, 1)
    assert_equivalent(model, optimized, trials=3)


def test_input_untouched_result_unplanned_and_a_fixed_point():
    model, _ = _onnx_style_graph()
    model = planned(model)
    snapshot = copy.deepcopy(model)
    optimized = optimize(model)
    assert opcodes(model) == opcodes(snapshot) and model.arena_bytes == snapshot.arena_bytes
    assert [(t.name, t.arena_offset) for t in model.tensors] == [(t.name, t.arena_offset) for t in snapshot.tensors]
    assert optimized.arena_bytes == 0
    assert all(t.arena_offset == -1 for t in optimized.tensors)
    assert not any(apply(optimized) for apply in PASSES)


def test_pass_order():
    assert [p.__name__ for p in PASSES] == ["dead_code", "constant_folding", "remove_identity", "fuse_pad",
                                           "fold_scale_shift", "fuse_activation"]


corpus = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")


@corpus
@pytest.mark.parametrize("name", FLOAT_MODELS)
def test_float_mlperf_models_keep_their_function(name):
    model = import_tflite((MLPERF / name).read_bytes())
    optimized = optimize(model)
    assert len(optimized.operators) <= len(model.operators)
    assert opcodes(optimized) == opcodes(model)            # already fused by the TFLite converter: a no-op
    assert_equivalent(model, optimized)


@corpus
@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_mlperf_models_are_untouched_bit_for_bit(name):
    model = planned(import_tflite((MLPERF / name).read_bytes()))
    optimized = planned(optimize(model))
    assert opcodes(optimized) == opcodes(model)
    x = np.random.default_rng(1).integers(-128, 128, model.tensors[model.inputs[0]].shape).astype(np.int8)
    np.testing.assert_array_equal(run(optimized, x)[0], run(model, x)[0])
