"""onnxruntime's own quantizer (quantize_static, QDQ format) on small float models exported from torch, with
per-channel and per-tensor int8 weights and int8 and uint8 activations: each quantized model imports as int8 ops
(float only at its edges, and in the one op without an int8 form), and through the .tlet format and the reference
interpreter stays within 2 LSB of onnxruntime, most outputs exact, and agrees with the float model's top-1.
"""
from __future__ import annotations

import io
import warnings
from functools import cache

import numpy as np
import onnx
import pytest
import onnxruntime as ort
import torch
from onnxruntime import quantization

from onnx_harness import convert
from tensorlet.converter import ir
from tensorlet.converter.reference import run

nn = torch.nn

SAMPLES = 16
CONFIGS = [(per_channel, activation) for per_channel in (True, False) for activation in ("QInt8", "QUInt8")]


class ConvNet(nn.Module):
    """Conv + Relu, depthwise + Clip(0, 6), a residual Add, AvgPool, Flatten, Linear (Gemm), Softmax."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pointwise = nn.Conv2d(8, 8, 1)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        z = self.pointwise(torch.clamp(self.depthwise(y), 0, 6)) + y
        return torch.softmax(self.fc(torch.flatten(self.pool(z), 1)), -1)


class Sequence(nn.Module):
    """Linear layers on a [1,T,F] input: MatMul + Add, Relu."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(16, 32)
        self.b = nn.Linear(32, 8)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


class Pooling(nn.Module):
    """Strided conv, MaxPool, a mean over H and W (ReduceMean), Linear, Sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, stride=2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        return torch.sigmoid(self.fc(self.pool(torch.relu(self.conv(x))).mean((2, 3))))


class Mixed(nn.Module):
    """ConvTranspose, strided Slice, Concat of differently quantized inputs, Mul by a constant, grouped conv,
    LeakyRelu, hard-swish (HardSigmoid, which has no int8 form, and Mul at opset 13), a 1x1 conv head."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 6, 2, stride=2)
        self.conv = nn.Conv2d(4, 6, 3, padding=1)
        self.grouped = nn.Conv2d(12, 12, 3, padding=1, groups=3)
        self.head = nn.Conv2d(12, 4, 1)

    def forward(self, x):
        y = torch.cat([self.up(x)[:, :, ::2, ::2], torch.relu(self.conv(x))], 1) * 0.5
        y = nn.functional.leaky_relu(self.grouped(y), 0.1)
        return self.head(nn.functional.hardswish(y))


MODELS = {"convnet": (ConvNet, (1, 3, 8, 8)), "sequence": (Sequence, (1, 4, 16)), "pooling": (Pooling, (1, 4, 11, 11)),
          "mixed": (Mixed, (1, 4, 6, 6))}
INT8_OPS = {"convnet": {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"},
            "sequence": {"FULLY_CONNECTED", "ADD"}, "pooling": {"CONV_2D", "MAX_POOL_2D", "MEAN", "LOGISTIC"},
            "mixed": {"TRANSPOSE_CONV", "SLICE", "CONCATENATION", "MUL", "CONV_2D", "LEAKY_RELU"}}


def _samples(shape: tuple[int, ...], count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]


@cache
def _float_model(name: str) -> tuple[nn.Module, bytes]:
    """The torch module (seeded) and its ONNX export (opset 13)."""
    cls, shape = MODELS[name]
    torch.manual_seed(0)
    module = cls().eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(*shape),), buffer, dynamo=False, opset_version=13,
                          input_names=["x"], output_names=["y"])
    return module, buffer.getvalue()


class _Calibration(quantization.CalibrationDataReader):
    def __init__(self, shape: tuple[int, ...]):
        self._feeds = iter({"x": x} for x in _samples(shape, SAMPLES, 0))

    def get_next(self):
        return next(self._feeds, None)


def _quantized(name: str, per_channel: bool, activation: str, directory) -> onnx.ModelProto:
    """The model quantized by onnxruntime (QDQ format, int8 weights)."""
    source, target = directory / "float.onnx", directory / "qdq.onnx"
    source.write_bytes(_float_model(name)[1])
    quantization.quantize_static(str(source), str(target), _Calibration(MODELS[name][1]),
                                 quant_format=quantization.QuantFormat.QDQ, per_channel=per_channel,
                                 activation_type=getattr(quantization.QuantType, activation),
                                 weight_type=quantization.QuantType.QInt8)
    return onnx.load(str(target))


def _output_scale(model: onnx.ModelProto) -> float:
    """The scale of the DequantizeLinear giving the graph output."""
    output = model.graph.output[0].name
    node = next(n for n in model.graph.node if output in n.output)
    assert node.op_type == "DequantizeLinear"
    scales = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    return float(scales[node.input[1]])


@pytest.mark.parametrize("per_channel,activation", CONFIGS)
@pytest.mark.parametrize("name", MODELS)
def test_onnxruntime_quantized_model_matches_onnxruntime_and_the_float_model(name, per_channel, activation, tmp_path):
    qdq = _quantized(name, per_channel, activation, tmp_path)
    model = convert(qdq)
    opcodes = {op.opcode.name for op in model.operators if model.tensors[op.outputs[0]].dtype == ir.DType.INT8}
    assert INT8_OPS[name] <= opcodes
    session = ort.InferenceSession(qdq.SerializeToString(), providers=["CPUExecutionProvider"])
    module, lsb = _float_model(name)[0], _output_scale(qdq)
    differences, agreed = [], 0
    for x in _samples(MODELS[name][1], SAMPLES, 1):
        got = run(model, [x])[0]
        differences.append(np.rint(np.abs(got - session.run(None, {"x": x})[0]) / lsb).ravel())
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        agreed += int(np.argmax(got) == np.argmax(expected))
    differences = np.concatenate(differences)
    histogram = dict(zip(*np.unique(differences, return_counts=True)))
    assert differences.max() <= 2, histogram
    assert np.mean(differences == 0) >= 0.5, histogram
    assert agreed >= 0.85 * SAMPLES


def test_float_edges_and_the_op_without_an_int8_form_stay_float(tmp_path):
    model = convert(_quantized("mixed", True, "QInt8", tmp_path))
    float_ops = [op.opcode.name for op in model.operators if model.tensors[op.outputs[0]].dtype == ir.DType.FLOAT32]
    assert float_ops[0] == "DEQUANTIZE" and float_ops[-1] == "DEQUANTIZE"   # HardSigmoid's input, the output
    assert set(float_ops) == {"DEQUANTIZE", "MUL", "ADD"}                      # HardSigmoid as MUL, ADD(RELU6), MUL
    assert model.operators[0].opcode == ir.OpCode.QUANTIZE                   # the float input, quantized first
