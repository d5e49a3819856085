"""Every layer against PyTorch: same weights, same input -> same output, input gradient and weight gradients."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import Tensor, set_seed
from tensorlet.train.layers import (Activation, Add, AvgPool2D, BatchNorm, Concatenate, Conv2D, Conv2DTranspose,
                                    Dense, DepthwiseConv2D, Dropout, Flatten, GlobalAvgPool2D, LayerNorm, MaxPool2D,
                                    Reshape, SeparableConv2D)

torch.set_num_threads(1)
TOL = dict(rtol=1e-5, atol=1e-5)


def compare(layer, reference, *shapes, weights=None, training=False, seed=0):
    """layer on random inputs of shapes (batch first) against reference(torch inputs, torch weights by param
    name); weights maps param name -> how torch holds it (a function of our array); grads are compared too."""
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    mine = [Tensor(x, requires_grad=True) for x in xs]
    out = layer(*mine, training=training)
    ref_x = [torch.tensor(x, requires_grad=True) for x in xs]
    ref_w = {k: torch.tensor((weights or {}).get(k, lambda a: a)(t.data), requires_grad=True)
             for k, t in layer.params.items()}
    expected = reference(*ref_x, **ref_w)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **TOL)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    expected.backward(torch.from_numpy(g))
    for m, r in zip(mine, ref_x):
        np.testing.assert_allclose(m.grad, r.grad.numpy(), **TOL)
    for k, t in layer.params.items():
        back = (weights or {}).get(k, lambda a: a)
        np.testing.assert_allclose(back(t.grad) if k in (weights or {}) else t.grad, ref_w[k].grad.numpy(), **TOL)
    return out


def test_dense_with_activation():
    compare(Dense(7, activation="tanh"), lambda x, kernel, bias: torch.tanh(x @ kernel + bias), (5, 4))
    compare(Dense(3, use_bias=False), lambda x, kernel: x @ kernel, (2, 6, 4))


@pytest.mark.parametrize("kwargs, torch_pads, torch_kwargs", [
    ({"padding": "valid"}, (0, 0, 0, 0), {}),
    ({"padding": "same", "strides": 2}, (0, 1, 0, 1), {"stride": 2}),        # 8 -> 4: pad (0, 1) each axis
    ({"padding": 1, "dilation_rate": 2}, (1, 1, 1, 1), {"dilation": 2}),
    ({"padding": "same", "groups": 2}, (1, 1, 1, 1), {"groups": 2}),
])
def test_conv2d(kwargs, torch_pads, torch_kwargs):
    layer = Conv2D(6, 3, activation="relu", **kwargs)
    compare(layer, lambda x, kernel, bias: torch.relu(TF.conv2d(TF.pad(x, torch_pads), kernel, bias, **torch_kwargs)),
            (2, 4, 8, 8))


def test_depthwise_and_separable_conv2d():
    compare(DepthwiseConv2D(3, padding="same", depth_multiplier=2),
            lambda x, kernel, bias: TF.conv2d(x, kernel, bias, padding=1, groups=3), (2, 3, 6, 7))
    compare(SeparableConv2D(5, 3, strides=2, padding="valid", activation="relu6"),
            lambda x, depthwise_kernel, pointwise_kernel, bias: TF.relu6(
                TF.conv2d(TF.conv2d(x, depthwise_kernel, stride=2, groups=3), pointwise_kernel, bias)), (2, 3, 9, 9))


@pytest.mark.parametrize("kwargs, torch_kwargs, crop", [
    ({"strides": 2, "padding": "same"}, {"stride": 2}, 10),  # 5 -> 10: the gradient of a "same" conv 10 -> 5
    ({"strides": 2, "padding": "valid"}, {"stride": 2}, 11),
    ({"strides": 2, "padding": 1, "output_padding": 1}, {"stride": 2, "padding": 1, "output_padding": 1}, 10),
    ({"kernel_size": 2, "strides": 3, "padding": "same"}, {"stride": 3, "output_padding": 1}, 15),
])
def test_conv2d_transpose(kwargs, torch_kwargs, crop):
    layer = Conv2DTranspose(4, **{"kernel_size": 3, **kwargs})
    out = compare(layer, lambda x, kernel, bias: TF.conv_transpose2d(x, kernel, bias, **torch_kwargs)[
        :, :, :crop, :crop], (2, 3, 5, 5))
    assert out.shape == (2, 4, crop, crop)


@pytest.mark.parametrize("layer, reference", [
    (lambda: MaxPool2D(2), lambda x: TF.max_pool2d(x, 2)),
    (lambda: MaxPool2D(3, strides=2, padding=1), lambda x: TF.max_pool2d(x, 3, 2, padding=1)),
    (lambda: MaxPool2D(2, padding="same"), lambda x: TF.max_pool2d(TF.pad(x, (0, 1, 0, 1), value=-np.inf), 2)),
    (lambda: AvgPool2D(2), lambda x: TF.avg_pool2d(x, 2)),
    (lambda: AvgPool2D(3, strides=1, padding="same"),
     lambda x: TF.avg_pool2d(x, 3, 1, padding=1, count_include_pad=False)),
    (lambda: AvgPool2D(2, padding="same"), lambda x: TF.avg_pool2d(x, 2, ceil_mode=True)),  # 7 -> 4, overhang
    (lambda: GlobalAvgPool2D(), lambda x: x.mean(dim=(2, 3))),
    (lambda: GlobalAvgPool2D(keepdims=True), lambda x: x.mean(dim=(2, 3), keepdim=True)),
])
def test_pooling(layer, reference):
    compare(layer(), reference, (2, 3, 7, 7))


def test_batch_norm_training_steps_and_inference():
    layer = BatchNorm(momentum=0.2)
    reference = torch.nn.BatchNorm2d(3, momentum=0.2)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = (rng.standard_normal((4, 3, 5, 5)) * 2 + step).astype(np.float32)
        out = layer(x, training=True)
        np.testing.assert_allclose(out.data, reference(torch.from_numpy(x)).detach().numpy(), **TOL)
    np.testing.assert_allclose(layer.buffers["moving_mean"], reference.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(layer.buffers["moving_var"], reference.running_var.numpy(), **TOL)
    reference.eval()
    with torch.no_grad():
        reference.weight.copy_(torch.tensor([0.5, 1.5, -1.0]))
        reference.bias.copy_(torch.tensor([0.1, 0.2, 0.3]))
    layer.params["gamma"].data[:] = [0.5, 1.5, -1.0]
    layer.params["beta"].data[:] = [0.1, 0.2, 0.3]
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(layer(x).data, reference(torch.from_numpy(x)).detach().numpy(), **TOL)


def test_batch_norm_on_features_and_layer_norm():
    compare(BatchNorm(), lambda x, gamma, beta: TF.batch_norm(x, None, None, gamma, beta, training=True), (6, 4),
            training=True)
    compare(LayerNorm(), lambda x, gamma, beta: TF.layer_norm(x, (5,), gamma, beta), (3, 4, 5))
    compare(LayerNorm(axes=3), lambda x, gamma, beta: TF.layer_norm(x, (2, 3, 4), gamma, beta), (2, 2, 3, 4))


@pytest.mark.parametrize("name, reference", [
    ("relu", torch.relu), ("relu6", TF.relu6), ("leaky_relu", TF.leaky_relu), ("elu", TF.elu), ("gelu", TF.gelu),
    ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("hard_sigmoid", TF.hardsigmoid),
    ("hard_swish", TF.hardswish), ("softmax", lambda x: torch.softmax(x, 1)),
    ("log_softmax", lambda x: torch.log_softmax(x, 1)),
])
def test_activations(name, reference):
    compare(Activation(name), reference, (3, 4, 2))


def test_shape_and_merge_layers():
    compare(Flatten(), lambda x: x.flatten(1), (2, 3, 4, 5))
    compare(Reshape((4, -1)), lambda x: x.reshape(2, 4, 15), (2, 3, 4, 5))
    compare(Add(), lambda a, b, c: a + b + c, (2, 3, 4), (2, 3, 4), (2, 3, 4))
    compare(Concatenate(), lambda a, b: torch.cat([a, b], 1), (2, 3, 4, 4), (2, 5, 4, 4))
    compare(Concatenate(axis=-1), lambda a, b: torch.cat([a, b], -1), (2, 3, 4), (2, 3, 2))


def test_dropout_scales_in_training_and_is_identity_in_inference():
    layer = Dropout(0.25)
    x = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(layer(x).data, x)
    out = layer(x, training=True, rng=np.random.default_rng(0)).data
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.02


def test_initializers_are_seeded_and_scaled():
    set_seed(3)
    a, b = Dense(300), Conv2D(64, 3, kernel_initializer="he_normal", seed=7)
    a(np.zeros((1, 400), np.float32))
    b(np.zeros((1, 32, 5, 5), np.float32))
    set_seed(3)
    c = Dense(300)
    c(np.zeros((1, 400), np.float32))
    np.testing.assert_array_equal(a.params["kernel"].data, c.params["kernel"].data)  # the same draw after set_seed
    limit = np.sqrt(6 / 700)  # glorot uniform: fan_in 400, fan_out 300
    kernel = a.params["kernel"].data
    assert kernel.max() <= limit and kernel.min() >= -limit and abs(kernel.std() - limit / np.sqrt(3)) < 0.01 * limit
    assert abs(b.params["kernel"].data.std() - np.sqrt(2 / (32 * 9))) < 0.05 * np.sqrt(2 / (32 * 9))  # He normal
    assert not a.params["bias"].data.any()
