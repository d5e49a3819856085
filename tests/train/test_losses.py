"""Losses vs PyTorch: cross-entropy (labels, probabilities, label smoothing, spatial), BCE with logits, MSE, MAE."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import Tensor, functional as F

from autodiff_checks import check_grads, check_torch

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 3)])
def test_cross_entropy_with_labels(shape, smoothing, reduction):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal(shape) * 3
    labels = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    check_torch(lambda z, y: F.softmax_cross_entropy(z, y, smoothing, reduction),
                lambda z, y: TF.cross_entropy(z, y, label_smoothing=smoothing, reduction=reduction), logits, labels)
    check_grads(lambda z: F.softmax_cross_entropy(z, labels[:2], smoothing, reduction), logits[:2])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_probabilities(smoothing, reduction):
    rng = np.random.default_rng(1)
    logits, target = rng.standard_normal((5, 4)), rng.dirichlet(np.ones(4), 5)
    check_torch(lambda z, p: F.softmax_cross_entropy(z, p, smoothing, reduction),
                lambda z, p: TF.cross_entropy(z, p, label_smoothing=smoothing, reduction=reduction),
                logits, target, differentiable=[True, False])


def test_cross_entropy_is_stable_and_one_hot_equals_labels():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 3e4, 0.0]], np.float32)
    loss = F.softmax_cross_entropy(Tensor(logits), np.array([2, 1]))
    expected = TF.cross_entropy(torch.from_numpy(logits), torch.tensor([2, 1]))
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(expected.item(), rel=1e-6)
    z = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    labels = np.array([0, 2, 1, 2])
    a = F.softmax_cross_entropy(Tensor(z), labels, 0.1)
    b = F.softmax_cross_entropy(Tensor(z), np.eye(3, dtype=np.float32)[labels], 0.1)
    assert a.item() == pytest.approx(b.item(), rel=1e-6)
    with pytest.raises(ValueError):
        F.softmax_cross_entropy(Tensor(z), labels, reduction="avg")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal(10) * 4, [80.0, -80.0]]).reshape(3, 4)
    t = rng.uniform(0, 1, (3, 4))
    check_torch(lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction),
                lambda z, y: TF.binary_cross_entropy_with_logits(z, y, reduction=reduction), x, t,
                differentiable=[True, False])
    check_grads(lambda z: F.binary_cross_entropy_with_logits(z, t, reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "mae"])
def test_regression_losses(name, reduction):
    rng = np.random.default_rng(4)
    p, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    theirs = {"mse": TF.mse_loss, "mae": TF.l1_loss}[name]
    check_torch(lambda a, b: getattr(F, name)(a, b, reduction), lambda a, b: theirs(a, b, reduction=reduction), p, t)
    check_grads(lambda a: getattr(F, name)(a, t, reduction), p)
