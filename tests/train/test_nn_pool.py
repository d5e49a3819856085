"""max_pool2d (ceil_mode, padding, ties), avg_pool2d (count_include_pad both ways, ceil_mode), global average."""
import numpy as np
import pytest
import torch.nn.functional as TF

from tensorlet.train import functional as F

from autodiff_checks import check_grads, check_torch

POOL_CASES = [  # (x shape, kwargs)
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((1, 2, 7, 7), {"kernel_size": 2, "ceil_mode": True}),
    ((1, 2, 8, 7), {"kernel_size": (2, 3), "stride": (2, 1), "ceil_mode": True}),
    ((2, 2, 6, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((1, 2, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1}),
]


@pytest.mark.parametrize("shape, kwargs", POOL_CASES)
def test_max_pool2d(shape, kwargs):
    x = np.random.default_rng(0).standard_normal(shape)
    check_torch(lambda t: F.max_pool2d(t, **kwargs), lambda t: TF.max_pool2d(t, **kwargs), x)
    check_grads(lambda t: F.max_pool2d(t, **kwargs), x[:1, :1])


@pytest.mark.parametrize("shape, kwargs", POOL_CASES)
def test_max_pool2d_ties_go_to_the_first_maximum_like_torch(shape, kwargs):
    x = np.random.default_rng(1).integers(0, 3, shape).astype(np.float32)
    check_torch(lambda t: F.max_pool2d(t, **kwargs), lambda t: TF.max_pool2d(t, **kwargs), x)


@pytest.mark.parametrize("shape, kwargs", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(shape, kwargs, count_include_pad):
    x = np.random.default_rng(2).standard_normal(shape)
    check_torch(lambda t: F.avg_pool2d(t, count_include_pad=count_include_pad, **kwargs),
                lambda t: TF.avg_pool2d(t, count_include_pad=count_include_pad, **kwargs), x)
    check_grads(lambda t: F.avg_pool2d(t, count_include_pad=count_include_pad, **kwargs), x[:1, :1])


def test_global_avg_pool2d():
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5))
    check_torch(F.global_avg_pool2d, lambda t: TF.adaptive_avg_pool2d(t, 1), x)
    check_grads(F.global_avg_pool2d, x[:, :2])
