"""matmul: numpy semantics (batched, broadcast batch dims, 1-D operands) against finite differences and PyTorch."""
import numpy as np
import pytest
import torch

from tensorlet.train import functional as F

from autodiff_checks import check_grads, check_torch

SHAPES = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
          ((5, 1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)), ((2, 4, 3), (3,))]


@pytest.mark.parametrize("a_shape, b_shape", SHAPES)
def test_matmul(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    check_grads(F.matmul, a, b)
    check_torch(F.matmul, torch.matmul, a, b)
    check_torch(lambda x, y: x @ y, lambda x, y: x @ y, a, b)


def test_matmul_with_constant_operand():
    rng = np.random.default_rng(1)
    a, w = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((3, 2))
    check_torch(lambda x: a @ x, lambda x: torch.from_numpy(a) @ x, w)
