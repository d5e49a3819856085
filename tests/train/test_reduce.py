"""sum, mean, max over axes (keepdims), including max with ties (gradient split evenly, like torch.amax)."""
import numpy as np
import pytest
import torch

from tensorlet.train import functional as F

from autodiff_checks import check_grads, check_torch

AXES = [None, 0, -1, (0, 2), (1,), (0, 1, 2)]


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reductions(name, axis, keepdims):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    ours = getattr(F, name)
    dims = tuple(range(3)) if axis is None else axis
    theirs = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[name]
    check_grads(lambda t: ours(t, axis, keepdims), x)
    check_torch(lambda t: ours(t, axis, keepdims), lambda t: theirs(t, dim=dims, keepdim=keepdims), x)


def test_max_ties_split_gradient_like_torch():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 0.0, 5.0]])
    check_torch(lambda t: F.max(t, axis=1), lambda t: torch.amax(t, dim=1), x)
    check_torch(lambda t: F.max(t, axis=0, keepdims=True), lambda t: torch.amax(t, dim=0, keepdim=True), x)
    check_torch(lambda t: t.max(), lambda t: t.max(), x)


def test_method_forms():
    x = np.random.default_rng(1).standard_normal((3, 4))
    check_torch(lambda t: t.sum(axis=0) + t.mean() + t.max(axis=1, keepdims=True).sum(),
                lambda t: t.sum(0) + t.mean() + t.amax(1, keepdim=True).sum(), x)
