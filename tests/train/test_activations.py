"""Activations and softmax/log_softmax against PyTorch (including kinks and both GELUs) and finite differences."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import functional as F

from autodiff_checks import check_grads, check_torch

ACTIVATIONS = {
    "relu": (F.relu, torch.relu),
    "relu6": (F.relu6, TF.relu6),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.1), lambda t: TF.leaky_relu(t, 0.1)),
    "elu": (lambda t: F.elu(t, 0.7), lambda t: TF.elu(t, 0.7)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda t: F.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "hard_sigmoid": (F.hard_sigmoid, TF.hardsigmoid),
    "hard_swish": (F.hard_swish, TF.hardswish),
}
KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 7.0, -40.0, 40.0, -100.0, 100.0])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name):
    x = np.concatenate([np.random.default_rng(0).standard_normal(60) * 4, KINKS]).reshape(6, 12)
    check_torch(*ACTIVATIONS[name], x)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_grads(name):
    x = np.random.default_rng(1).standard_normal((3, 5)) * 4
    check_grads(ACTIVATIONS[name][0], x, rtol=1e-5 if name != "gelu" else 1e-4)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax(name, axis):
    x = np.random.default_rng(2).standard_normal((3, 4, 5)) * 3
    check_grads(lambda t: getattr(F, name)(t, axis), x)
    check_torch(lambda t: getattr(F, name)(t, axis), lambda t: getattr(torch, name)(t, axis), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_is_stable_for_large_logits(name):
    x = np.array([[1000.0, 0.0, -1000.0], [5e4, 5e4, 5e4]])
    out = check_torch(lambda t: getattr(F, name)(t), lambda t: getattr(torch, name)(t, -1), x)
    assert np.isfinite(out.data).all()
