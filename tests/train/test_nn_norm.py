"""batch_norm (training with running statistics, eval) and layer_norm against PyTorch and finite differences."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tensorlet.train import Tensor, functional as F

from autodiff_checks import check_grads, check_torch


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 6), (5, 2, 7)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_matches_torch_and_updates_running_stats(shape, affine):
    rng = np.random.default_rng(0)
    c = shape[1]
    x = rng.standard_normal(shape) * 3 + 1
    params = [rng.standard_normal(c), rng.standard_normal(c)] if affine else []
    ours_mean, ours_var = np.zeros(c, np.float32), np.ones(c, np.float32)
    torch_mean, torch_var = torch.zeros(c), torch.ones(c)
    for step in range(2):
        check_torch(lambda t, w=None, b=None: F.batch_norm(t, ours_mean, ours_var, w, b, training=True, momentum=0.2),
                    lambda t, w=None, b=None: TF.batch_norm(t, torch_mean, torch_var, w, b, training=True,
                                                            momentum=0.2), x + step, *params, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours_mean, torch_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours_var, torch_var.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 6)])
def test_batch_norm_eval_uses_running_stats(shape):
    rng = np.random.default_rng(1)
    c = shape[1]
    x, w, b = rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c)
    mean, var = rng.standard_normal(c).astype(np.float32), rng.uniform(0.5, 2, c).astype(np.float32)
    check_torch(lambda t, w, b: F.batch_norm(t, mean, var, w, b, training=False),
                lambda t, w, b: TF.batch_norm(t, torch.from_numpy(mean), torch.from_numpy(var), w, b, training=False),
                x, w, b)
    before = mean.copy()
    F.batch_norm(Tensor(x), Tensor(mean), Tensor(var), training=False)
    np.testing.assert_array_equal(mean, before)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_grads(training):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(2), rng.standard_normal(2)
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2, 2)
    check_grads(lambda t, w, b: F.batch_norm(t, mean.copy(), var.copy(), w, b, training=training), x, w, b)
    check_grads(lambda t, b: F.batch_norm(t, mean.copy(), var.copy(), None, b, training=training), x, b)


def test_batch_norm_eval_needs_running_stats():
    with pytest.raises(ValueError):
        F.batch_norm(Tensor(np.ones((2, 3))), None, None, training=False)


@pytest.mark.parametrize("shape, normalized", [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5)), ((3, 7), 7)])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(shape, normalized, affine):
    rng = np.random.default_rng(3)
    norm_shape = (normalized,) if isinstance(normalized, int) else normalized
    x = rng.standard_normal(shape) * 2 + 0.5
    params = [rng.standard_normal(norm_shape), rng.standard_normal(norm_shape)] if affine else []
    check_torch(lambda t, w=None, b=None: F.layer_norm(t, normalized, w, b),
                lambda t, w=None, b=None: TF.layer_norm(t, norm_shape, w, b), x, *params, rtol=1e-4, atol=1e-5)
    check_grads(lambda t, w=None, b=None: F.layer_norm(t, normalized, w, b), x[:2], *params)
