"""Quantized graphs the importer cannot represent fail with UnsupportedOpError naming the node, its op type and
opset (or the graph input): QOperator-format ops (QLinearConv, the onnx2c QLinearAdd/QLinearMul cases), a clamp no
fused activation gives, a tensor dequantized with parameters other than its own, per-axis activations, an int8
input read outside QDQ, and an island whose int8 form would need an intermediate quantization.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest

from onnx_qdq_graphs import FLOAT, INT8, QDQGraph
from support import SHARED_CORPUS
from tensorlet.converter.onnx_import import import_onnx
from tensorlet.errors import UnsupportedOpError

ONNX2C = SHARED_CORPUS / "onnx" / "onnx2c_ops"


def _raises(model: onnx.ModelProto, *fragments: str) -> None:
    with pytest.raises(UnsupportedOpError) as caught:
        import_onnx(model)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


def test_qlinear_conv_is_a_qoperator_op():
    g = QDQGraph()
    for name, value in [("xs", np.float32(0.1)), ("xz", np.int8(0)), ("w", np.ones((2, 1, 1, 1), np.int8)),
                        ("ws", np.float32(0.1)), ("wz", np.int8(0)), ("ys", np.float32(0.1)), ("yz", np.int8(0))]:
        g.constant(name, value)
    g.node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], "y", name="qconv")
    _raises(g.model([("x", INT8, [1, 1, 4, 4])], [("y", INT8, [1, 2, 4, 4])]), "'qconv'", "QLinearConv",
            "opset 13", "QOperator")


@pytest.mark.skipif(not ONNX2C.is_dir(), reason=f"onnx2c cases absent ({ONNX2C})")
@pytest.mark.parametrize("case", ["test_qlinearadd_int8", "test_qlinearadd_uint8", "test_qlinearmul_int8",
                                  "test_qlinearmul_uint8"])
def test_onnx2c_qlinear_cases_are_rejected_naming_the_op(case):
    model = onnx.load(str(ONNX2C / case / "model.onnx"))
    _raises(model, f"com.microsoft.{model.graph.node[0].op_type}", "QOperator")


def test_clamp_no_fused_activation_gives():
    g = QDQGraph()
    g.dequantize("x", "xd", 0.05, 0)
    g.weights("w", np.ones((2, 1, 1, 1), np.int8), np.float32(0.1))
    g.node("Conv", ["xd", "w"], "conv", name="the_conv")
    g.constant("lo", np.float32(-1.0))
    g.constant("hi", np.float32(1.0))
    g.node("Clip", ["conv", "lo", "hi"], "clipped")
    g.quantize("clipped", "y", 0.05, 0)
    _raises(g.model([("x", INT8, [1, 1, 4, 4])], [("y", INT8, [1, 2, 4, 4])]), "'the_conv'", "Conv", "opset 13",
            "no fused activation")


def test_dequantize_with_other_parameters_than_the_tensor_has():
    g = QDQGraph()
    g.quantize("x", "q", 0.1, 0)
    g.dequantize("q", "y", 0.2, 0, name="reader")
    _raises(g.model([("x", FLOAT, [1, 4])], [("y", FLOAT, [1, 4])]), "'reader'", "DequantizeLinear", "opset 13",
            "scale 0.2")


def test_per_axis_quantized_activation():
    g = QDQGraph()
    g.constant("s", np.array([0.1, 0.2], np.float32))
    g.constant("z", np.zeros(2, np.int8))
    g.node("QuantizeLinear", ["x", "s", "z"], "y", name="per_axis", axis=1)
    _raises(g.model([("x", FLOAT, [1, 2, 3])], [("y", INT8, [1, 2, 3])]), "'per_axis'", "QuantizeLinear",
            "per-axis")


def test_int8_input_outside_qdq():
    g = QDQGraph()
    g.node("Add", ["x", "x"], "y")
    _raises(g.model([("x", INT8, [1, 4])], [("y", INT8, [1, 4])]), "graph input 'x'", "INT8", "DequantizeLinear")


def test_island_needing_an_intermediate_quantization():
    g = QDQGraph()
    g.dequantize("a", "ad", 0.1, 0)
    g.dequantize("c", "cd", 0.1, 0)
    g.weights("w", np.ones((4, 4), np.int8), np.float32(0.1))
    g.node("Gemm", ["ad", "w", "cd"], "gemm", name="the_gemm")
    g.quantize("gemm", "y", 0.2, 0)
    model = g.model([("a", INT8, [2, 4]), ("c", INT8, [2, 4])], [("y", INT8, [2, 4])])
    _raises(model, "'the_gemm'", "Gemm", "opset 13", "chains ops")


def test_block_quantization():
    g = QDQGraph()
    g.constant("s", np.full((1, 2), 0.1, np.float32))
    g.constant("z", np.zeros((1, 2), np.int8))
    g.node("DequantizeLinear", ["x", "s", "z"], "y", name="blocked", axis=1, block_size=2)
    model = g.model([("x", INT8, [1, 4])], [("y", FLOAT, [1, 4])], opset=21)
    _raises(model, "'blocked'", "DequantizeLinear", "block")
