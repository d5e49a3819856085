"""Every differentiable op in one namespace, like torch.nn.functional: `from tensorlet.train import functional as F`."""
from __future__ import annotations

from .activations import (elu, gelu, hard_sigmoid, hard_swish, leaky_relu, log_softmax, relu, relu6, sigmoid,
                          softmax, tanh)
from .elementwise import abs, add, cast, div, exp, log, maximum, minimum, mul, neg, pow, sqrt, sub, where
from .linalg import matmul
from .losses import binary_cross_entropy_with_logits, mae, mse, softmax_cross_entropy
from .nn_conv import conv2d, conv_transpose2d
from .nn_dropout import dropout
from .nn_norm import batch_norm, layer_norm
from .nn_pool import avg_pool2d, global_avg_pool2d, max_pool2d
from .reduce import max, mean, sum
from .shape import concat, getitem, pad, reshape, stack, transpose

__all__ = [
    "abs", "add", "avg_pool2d", "batch_norm", "binary_cross_entropy_with_logits", "cast", "concat", "conv2d",
    "conv_transpose2d", "div", "dropout", "elu", "exp", "gelu", "getitem", "global_avg_pool2d", "hard_sigmoid",
    "hard_swish", "layer_norm", "leaky_relu", "log", "log_softmax", "mae", "matmul", "max", "max_pool2d", "maximum",
    "mean", "minimum", "mse", "mul", "neg", "pad", "pow", "relu", "relu6", "reshape", "sigmoid", "softmax",
    "softmax_cross_entropy", "sqrt", "stack", "sub", "sum", "tanh", "transpose", "where",
]
