"""PyTorch-exported graphs (TorchScript exporter, opsets 13 and 17): each small model is converted, run by the
reference interpreter and compared with torch within 1e-4 relative. Conv nets must keep layout changes at the
edges: a TRANSPOSE only right after a model input or right before a model output.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import pytest
import torch

from onnx_harness import convert
from tensorlet.converter.ir import OpCode
from tensorlet.converter.reference import run

nn = torch.nn

OPSETS = [13, 17]


def _randomized(model: nn.Module) -> nn.Module:
    """Eval mode, with batch-norm statistics and affine parameters away from their identity defaults."""
    generator = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            size = module.num_features
            module.running_mean.copy_(torch.randn(size, generator=generator) * 0.3)
            module.running_var.copy_(torch.rand(size, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(size, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(size, generator=generator) * 0.2)
    return model.eval()


def _export(model: nn.Module, x: torch.Tensor, opset: int, dynamic_batch: bool = False) -> bytes:
    buffer = io.BytesIO()
    axes = {"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), buffer, dynamo=False, opset_version=opset, input_names=["x"],
                          output_names=["y"], dynamic_axes=axes)
    return buffer.getvalue()


def _check(model: nn.Module, shape: tuple[int, ...], opset: int, dynamic_batch: bool = False):
    """Convert the exported model, compare with torch; the converted IR model."""
    torch.manual_seed(1)
    model = _randomized(model)
    x = torch.randn(*shape)
    with torch.no_grad():
        expected = model(x).numpy()
    converted = convert(_export(model, x, opset, dynamic_batch))
    assert [converted.tensors[i].name for i in converted.inputs] == ["x"]
    assert [converted.tensors[i].name for i in converted.outputs] == ["y"]
    got = run(converted, [x.numpy()])[0]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * max(1.0, float(np.abs(expected).max())))
    return converted


def _assert_transposes_only_at_edges(model) -> None:
    """At most one TRANSPOSE after the input and one before the output, none between two compute ops."""
    transposes = [op for op in model.operators if op.opcode == OpCode.TRANSPOSE]
    at_input = [op for op in transposes if op.inputs[0] in model.inputs]
    at_output = [op for op in transposes if op.outputs[0] in model.outputs]
    assert len(at_input) <= 1 and len(at_output) <= 1
    assert len(transposes) == len(at_input) + len(at_output), [model.tensors[op.outputs[0]].name for op in transposes]


def _opcodes(model) -> set[str]:
    return {op.opcode.name for op in model.operators}


class ConvNet(nn.Module):
    """Grouped, depthwise (multiplier 2), dilated and strided convs, batch norm, a residual add, concat, pools
    with ceil_mode / count_include_pad, an adaptive average pool to 1x1 and a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.depthwise = nn.Conv2d(8, 16, 3, padding=2, dilation=2, groups=8)
        self.pointwise = nn.Conv2d(16, 8, 1)
        self.bn = nn.BatchNorm2d(8)
        self.max_pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.avg_pool = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
        self.avg_pool_excluding = nn.AvgPool2d(2, stride=2, padding=1, count_include_pad=False)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(24, 5))

    def forward(self, x):
        x = self.stem(x)
        y = torch.relu(self.bn(self.pointwise(self.depthwise(self.grouped(x)))) + x)
        pools = [self.max_pool(y), self.avg_pool(y), self.avg_pool_excluding(y)]
        return self.head(torch.cat([self.global_pool(p) for p in pools], dim=1))


class FlattenLinear(nn.Module):
    """Linear over the flattened NCHW feature map: the weight-permutation path."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 5 * 6, 3)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))


class ViewLinear(FlattenLinear):
    """The same through x.view(x.size(0), -1), whose shape arithmetic (Shape, Gather, Concat) is folded."""

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return self.fc(y.view(y.size(0), -1))


class Activations(nn.Module):
    """Every supported activation on a conv feature map, summed, with softmax / log-softmax over channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.acts = nn.ModuleList([nn.ReLU6(), nn.LeakyReLU(0.2), nn.Hardswish(), nn.Hardsigmoid(), nn.GELU(),
                                   nn.GELU(approximate="tanh"), nn.ELU(0.7), nn.Sigmoid(), nn.Tanh(),
                                   nn.Softmax(dim=1), nn.LogSoftmax(dim=1)])

    def forward(self, x):
        y = self.conv(x) * 3
        return torch.cat([act(y) for act in self.acts], dim=1)


class Upsampling(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.nearest = nn.Upsample(scale_factor=2, mode="nearest")
        self.bilinear = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.corners = nn.Upsample(size=(9, 11), mode="bilinear", align_corners=True)

    def forward(self, x):
        y = self.conv(x)
        return torch.cat([self.nearest(y), self.bilinear(y), self.corners(y)[:, :, :8, :10]], dim=1)


class TransposedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return torch.relu(self.bn(self.up(x)))


class Conv1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(4, 8, 5, padding=2), nn.BatchNorm1d(8), nn.ReLU(), nn.MaxPool1d(2),
                                  nn.Conv1d(8, 8, 3, groups=8, dilation=2), nn.AvgPool1d(2, ceil_mode=True))

    def forward(self, x):
        return self.body(x)


class Slicing(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        return torch.cat([y[:, 1:3, ::2, 1:], torch.narrow(y, 1, 4, 3)[..., ::2, 1:], y[:, :2, 1::2, :-1]], dim=1)


class Sequence(nn.Module):
    """A token MLP: Linear on [N,T,D], LayerNorm over D, GELU, residual, and a pooled head."""

    def __init__(self):
        super().__init__()
        self.fc1, self.norm, self.fc2 = nn.Linear(12, 16), nn.LayerNorm(16), nn.Linear(16, 12)

    def forward(self, x):
        y = x + self.fc2(nn.functional.gelu(self.norm(self.fc1(x))))
        return torch.softmax(y.mean(dim=1), dim=-1)


CONV_NETS = {
    "conv_net": (ConvNet, (1, 3, 32, 32)),
    "flatten_linear": (FlattenLinear, (1, 2, 5, 6)),
    "view_linear": (ViewLinear, (1, 2, 5, 6)),
    "activations": (Activations, (1, 3, 6, 7)),
    "upsampling": (Upsampling, (1, 3, 4, 5)),
    "transposed_conv": (TransposedConv, (1, 3, 5, 4)),
    "conv1d": (Conv1d, (1, 4, 20)),
    "slicing": (Slicing, (1, 3, 6, 7)),
}


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("name", sorted(CONV_NETS))
def test_conv_net_matches_torch_with_transposes_only_at_edges(name, opset):
    cls, shape = CONV_NETS[name]
    _assert_transposes_only_at_edges(_check(cls(), shape, opset))


@pytest.mark.parametrize("opset", OPSETS)
def test_flattened_feature_map_feeds_fully_connected_without_transpose(opset):
    model = _check(FlattenLinear(), (1, 2, 5, 6), opset)
    assert "TRANSPOSE" not in {op.opcode.name for op in model.operators[1:]}


@pytest.mark.parametrize("opset", OPSETS)
def test_dynamic_batch_is_fixed_to_one(opset):
    model = _check(ViewLinear(), (1, 2, 5, 6), opset, dynamic_batch=True)
    assert model.tensors[model.inputs[0]].shape == (1, 2, 5, 6)


@pytest.mark.parametrize("opset", OPSETS)
def test_gelu_and_hard_swish_patterns_become_single_ops(opset):
    ops = [op.opcode.name for op in _check(Activations(), (1, 3, 6, 7), opset).operators]
    assert ops.count("GELU") == 2 and ops.count("HARD_SWISH") == 1
    assert "TANH" in ops and ops.count("TANH") == 1  # the Tanh activation itself, not GELU's


@pytest.mark.parametrize("opset", OPSETS)
def test_layer_norm_sequence_model(opset):
    assert {"LAYER_NORM", "GELU", "FULLY_CONNECTED", "MEAN", "SOFTMAX"} <= _opcodes(_check(Sequence(), (1, 5, 12),
                                                                                          opset))


def test_exported_metadata_is_kept():
    model = _randomized(FlattenLinear())
    data = _export(model, torch.randn(1, 2, 5, 6), 13)
    proto = onnx.load_from_string(data)
    converted = convert(data)
    assert converted.metadata.producer == proto.producer_name == "pytorch"
    assert converted.metadata.producer_version == proto.producer_version
    assert converted.metadata.input_names == ["x"] and converted.metadata.output_names == ["y"]
