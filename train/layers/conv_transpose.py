"""Conv2DTranspose: the transposed convolution (the gradient of Conv2D w.r.t. its input), NCHW, kernel
[C, filters, KH, KW] (PyTorch and ONNX layout).

padding: "valid" (output (H - 1) * stride + dilation * (KH - 1) + 1), "same" (output H * stride: the gradient
of a "same" Conv2D, its output_padding derived), an int, (ph, pw) or (top, bottom, left, right) cropped from the
full output; output_padding adds rows/columns at the bottom/right.
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


def _same_axis(kernel: int, stride: int, dilation: int) -> tuple[int, int, int]:
    """(pad before, pad after, output_padding) so that the output is exactly input * stride."""
    total = dilation * (kernel - 1) + 1 - stride
    if total >= 0:
        return total // 2, total - total // 2, 0
    return 0, 0, -total


class Conv2DTranspose(Layer):
    """x [N, C, H, W] -> activation(conv_transpose(x, kernel [C, filters, KH, KW]) + bias [filters])."""

    def __init__(self, filters: int, kernel_size: int | tuple[int, int], strides: int | tuple[int, int] = 1,
                 padding: str | int | tuple = "valid", output_padding: int | tuple[int, int] = 0,
                 dilation_rate: int | tuple[int, int] = 1, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", name: str | None = None,
                 seed: int | None = None):
        super().__init__(name, seed)
        self.filters = int(filters)
        self.kernel_size, self.strides, self.dilation = pair(kernel_size), pair(strides), pair(dilation_rate)
        self.padding, self.output_padding = padding, pair(output_padding)
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.pads: Pads = (0, 0, 0, 0)

    def build(self, input_shapes: list[Shape], rng: np.random.Generator) -> None:
        shape = input_shapes[0]
        if len(shape) != 3:
            raise LayerShapeError(f"layer {self.name!r} takes images [C, H, W] per sample, got {shape}")
        if self.padding == "same":
            axes = [_same_axis(k, s, d) for k, s, d in zip(self.kernel_size, self.strides, self.dilation)]
            self.pads = (axes[0][0], axes[0][1], axes[1][0], axes[1][1])
            self.output_padding = (axes[0][2], axes[1][2])
        else:
            self.pads = conv_pads(self.padding, self.kernel_size, self.strides, self.dilation, shape[1:])
        self.add_param("kernel", (shape[0], self.filters) + self.kernel_size, self.kernel_initializer, rng, "io")
        if self.use_bias:
            self.add_param("bias", (self.filters,), self.bias_initializer, rng)

    def forward(self, inputs: list[Tensor], training: bool, rng: np.random.Generator | None) -> Tensor:
        y = F.conv_transpose2d(inputs[0], self.params["kernel"], self.params.get("bias"), self.strides, self.pads,
                               self.output_padding, self.dilation)
        return activate(self.activation, y)

    def to_onnx(self, graph: "OnnxGraph", inputs: list[str]) -> str:
        t, b, l, r = self.pads
        kernel = self.params["kernel"].data
        args = [inputs[0], graph.constant(f"{self.name}/kernel", kernel)]
        if self.use_bias:
            args.append(graph.constant(f"{self.name}/bias", self.params["bias"].data))
        y = graph.node("ConvTranspose", args, f"{self.name}/linear" if self.activation else self.name,
                       kernel_shape=list(kernel.shape[2:]), strides=list(self.strides), pads=[t, l, b, r],
                       dilations=list(self.dilation),
                       output_padding=list(self.output_padding) if any(self.output_padding) else None)
        return activate_onnx(self.activation, graph, y, self.name)
