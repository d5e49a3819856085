"""tensorlet.train: a numpy autodiff library with Keras-like layers that trains models and exports ONNX.

Core: `Tensor` (a numpy array with reverse-mode autodiff), `no_grad`, and `functional` (every op, imported as F).

    from tensorlet.train import Tensor, functional as F
    w = Tensor(np.random.default_rng(0).standard_normal((784, 10)) * 0.01, requires_grad=True)
    loss = F.softmax_cross_entropy(Tensor(x) @ w, labels)   # x [N, 784] float, labels [N] int
    loss.backward()                                          # w.grad: [784, 10] float32

Conventions: float32 unless float64 is asked for explicitly; images are NCHW and conv weights OIHW, like PyTorch
and ONNX; each op's forward and backward sit side by side in the module of its family (elementwise, linalg,
reduce, shape, activations, nn_conv, nn_pool, nn_norm, nn_dropout, losses); a new op is one function that calls
Tensor.from_op(data, parents, backward).
"""
from . import functional
from .tensor import Tensor, as_tensor, is_grad_enabled, no_grad

__all__ = ["Tensor", "as_tensor", "functional", "is_grad_enabled", "no_grad"]
