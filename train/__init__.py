"""tensorlet.train: a numpy autodiff library with Keras-like layers that trains models and exports ONNX.

Core: `Tensor` (a numpy array with reverse-mode autodiff), `no_grad`, and `functional` (every op, imported as F).

    from tensorlet.train import Tensor, functional as F
    w = Tensor(np.random.default_rng(0).standard_normal((784, 10)) * 0.01, requires_grad=True)
    loss = F.softmax_cross_entropy(Tensor(x) @ w, labels)   # x [N, 784] float, labels [N] int
    loss.backward()                                          # w.grad: [784, 10] float32

Models: `layers` (Dense, Conv2D, BatchNorm, ...), `Input` + `Model` (functional graphs) or `Sequential`, then
compile/fit/evaluate/predict, save/load checkpoints and export_onnx; `optim` (SGD, Adam, AdamW, RMSprop,
schedules, clipping), `objectives` (losses), `metrics`, `callbacks`, `data` (batches, splits, augmentation,
dataset loaders), `recipes` (the models behind `tensorlet train`).

    model = Sequential([Conv2D(16, 3, padding="same", activation="relu"), MaxPool2D(), Flatten(), Dense(10)],
                       input_shape=(1, 28, 28))
    model.compile("adam", "softmax_cross_entropy", ["accuracy"])
    model.fit(x, y, epochs=3, batch_size=64); model.export_onnx("model.onnx")

Conventions: float32 unless float64 is asked for explicitly; images are NCHW and conv weights OIHW, like PyTorch
and ONNX; each op's forward and backward sit side by side in the module of its family (elementwise, linalg,
reduce, shape, activations, nn_conv, nn_pool, nn_norm, nn_dropout, losses); a new op is one function that calls
Tensor.from_op(data, parents, backward).
"""
from . import callbacks, data, functional, layers, metrics, objectives, optim
from .layers import Input
from .model import Model, Sequential
from .seeding import set_seed
from .tensor import Tensor, as_tensor, is_grad_enabled, no_grad

__all__ = ["Input", "Model", "Sequential", "Tensor", "as_tensor", "callbacks", "data", "functional",
           "is_grad_enabled", "layers", "metrics", "no_grad", "objectives", "optim", "set_seed"]
