"""Convolution layers over NCHW images with OIHW kernels: Conv2D, DepthwiseConv2D, SeparableConv2D.

padding: "valid", "same" (output ceil(in / stride), the odd pixel at the bottom/right), an int, (ph, pw) or
(top, bottom, left, right); it is resolved to explicit pads when the layer is built, and exported as such.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from ..windows import Pads, conv_pads, pair
from .activation import activate, activate_onnx, get_activation
from .layer import Layer, LayerShapeError, Shape

if TYPE_CHECKING:
    from ..onnx_export.graph import OnnxGraph


class _Conv(Layer):
    """What the convolution layers share: window geometry, explicit pads, activation, the ONNX Conv node."""

    def __init__(self, kernel_size, strides, padding, dilation_rate, activation: str | None, use_bias: bool,
                 name: str | None, seed: int | None):
        super().__init__(name, seed)
        self.kernel_size, self.strides, self.dilation = pair(kernel_size), pair(strides), pair(dilation_rate)
        self.padding = padding
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.pads: Pads = (0, 0, 0, 0)

    def resolve_pads(self, input_shape: Shape) -> int:
        """Check the input is [C, H, W], fix the explicit pads for its H and W; returns C."""
        if len(input_shape) != 3:
            raise LayerShapeError(f"layer {self.name!r} takes images [C, H, W] per sample, got {input_shape}")
        self.pads = conv_pads(self.padding, self.kernel_size, self.strides, self.dilation, input_shape[1:])
        return input_shape[0]

    def conv(self, x: Tensor, kernel: Tensor, bias: Tensor | None, groups: int) -> Tensor:
        """x [N, C, H, W] convolved with kernel [O, C/groups, KH, KW] (+ bias [O]) -> [N, O, OH, OW]."""
        return F.conv2d(x, kernel, bias, self.strides, self.pads, self.dilation, groups)

    def conv_onnx(self, graph: "OnnxGraph", x: str, kernel: np.ndarray, bias: np.ndarray | None, groups: int,
                  hint: str) -> str:
        """An ONNX Conv node with this layer's geometry."""
        t, b, l, r = self.pads
        inputs = [x, graph.constant(f"{hint}/kernel", kernel)]
        if bias is not None:
            inputs.append(graph.constant(f"{hint}/bias", bias))
        return graph.node("Conv", inputs, hint, kernel_shape=list(kernel.shape[2:]), strides=list(self.strides),
                          pads=[t, l, b, r], dilations=list(self.dilation), group=groups)

    def linear_name(self) -> str:
        """The name of the output before the activation."""
        return f"{self.name}/linear" if self.activation else self.name


class Conv2D(_Conv):
    """x [N, C, H, W] -> activation(conv(x, kernel [filters, C/groups, KH, KW]) + bias [filters])."""

    def __init__(self, filters: int, kernel_size: int | tuple[int, int], strides: int | tuple[int, int] = 1,
                 padding: str | int | tuple = "valid", dilation_rate: int | tuple[int, int] = 1, groups: int = 1,
                 activation: str | None = None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", name: str | None = None, seed: int | None = None):
        super().__init__(kernel_size, strides, padding, dilation_rate, activation, use_bias, name, seed)
        self.filters, self.groups = int(filters), int(groups)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        channels = self.resolve_pads(input_shapes[0])
        if channels % self.groups or self.filters % self.groups:
            raise LayerShapeError(f"layer {self.name!r}: {channels} channels and {self.filters} filters do not "
                                  f"split into {self.groups} groups")
        self.add_param("kernel", (self.filters, channels // self.groups) + self.kernel_size, self.kernel_initializer,
                       rng)
        if self.use_bias:
            self.add_param("bias", (self.filters,), self.bias_initializer, rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        y = self.conv(inputs[0], self.params["kernel"], self.params.get("bias"), self.groups)
        return activate(self.activation, y)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        bias = self.params["bias"].data if self.use_bias else None
        y = self.conv_onnx(graph, inputs[0], self.params["kernel"].data, bias, self.groups, self.linear_name())
        return activate_onnx(self.activation, graph, y, self.name)


class DepthwiseConv2D(_Conv):
    """x [N, C, H, W] -> each channel convolved with its own depth_multiplier kernels: [N, C * m, OH, OW].

    kernel [C * m, 1, KH, KW] (output channel c * m + j reads input channel c), bias [C * m].
    """

    def __init__(self, kernel_size: int | tuple[int, int], strides: int | tuple[int, int] = 1,
                 padding: str | int | tuple = "valid", depth_multiplier: int = 1,
                 dilation_rate: int | tuple[int, int] = 1, activation: str | None = None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", name: str | None = None,
                 seed: int | None = None):
        super().__init__(kernel_size, strides, padding, dilation_rate, activation, use_bias, name, seed)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer, self.bias_initializer = depthwise_initializer, bias_initializer
        self.channels = 0

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        self.channels = self.resolve_pads(input_shapes[0])
        out = self.channels * self.depth_multiplier
        self.add_param("kernel", (out, 1) + self.kernel_size, self.depthwise_initializer, rng)
        if self.use_bias:
            self.add_param("bias", (out,), self.bias_initializer, rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        y = self.conv(inputs[0], self.params["kernel"], self.params.get("bias"), self.channels)
        return activate(self.activation, y)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        bias = self.params["bias"].data if self.use_bias else None
        y = self.conv_onnx(graph, inputs[0], self.params["kernel"].data, bias, self.channels, self.linear_name())
        return activate_onnx(self.activation, graph, y, self.name)


class SeparableConv2D(_Conv):
    """A depthwise conv (kernel [C * m, 1, KH, KW], no bias) then a pointwise 1x1 conv (kernel
    [filters, C * m, 1, 1], bias [filters]), then the activation: [N, C, H, W] -> [N, filters, OH, OW]."""

    def __init__(self, filters: int, kernel_size: int | tuple[int, int], strides: int | tuple[int, int] = 1,
                 padding: str | int | tuple = "valid", depth_multiplier: int = 1,
                 dilation_rate: int | tuple[int, int] = 1, activation: str | None = None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", name: str | None = None, seed: int | None = None):
        super().__init__(kernel_size, strides, padding, dilation_rate, activation, use_bias, name, seed)
        self.filters, self.depth_multiplier = int(filters), int(depth_multiplier)
        self.initializers = (depthwise_initializer, pointwise_initializer, bias_initializer)
        self.channels = 0

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        self.channels = self.resolve_pads(input_shapes[0])
        middle = self.channels * self.depth_multiplier
        self.add_param("depthwise_kernel", (middle, 1) + self.kernel_size, self.initializers[0], rng)
        self.add_param("pointwise_kernel", (self.filters, middle, 1, 1), self.initializers[1], rng)
        if self.use_bias:
            self.add_param("bias", (self.filters,), self.initializers[2], rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        depthwise = self.conv(inputs[0], self.params["depthwise_kernel"], None, self.channels)
        y = F.conv2d(depthwise, self.params["pointwise_kernel"], self.params.get("bias"))
        return activate(self.activation, y)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        depthwise = self.conv_onnx(graph, inputs[0], self.params["depthwise_kernel"].data, None, self.channels,
                                   f"{self.name}/depthwise")
        pointwise = [depthwise, graph.constant(f"{self.name}/pointwise_kernel", self.params["pointwise_kernel"].data)]
        if self.use_bias:
            pointwise.append(graph.constant(f"{self.name}/bias", self.params["bias"].data))
        y = graph.node("Conv", pointwise, self.linear_name(), kernel_shape=[1, 1])
        return activate_onnx(self.activation, graph, y, self.name)
