"""Elementwise ops: broadcasting gradients against finite differences, forward/backward against PyTorch."""
import numpy as np
import pytest
import torch

from tensorlet.train import Tensor, functional as F

from autodiff_checks import check_grads, check_torch

SHAPE_PAIRS = [((3, 1, 4), (4,)), ((2, 3), ()), ((5,), (5,)), ((2, 1), (1, 3)), ((), (2, 2))]
BINARY = {
    "add": (F.add, torch.add),
    "sub": (F.sub, torch.sub),
    "mul": (F.mul, torch.mul),
    "div": (F.div, torch.div),
    "maximum": (F.maximum, torch.maximum),
    "minimum": (F.minimum, torch.minimum),
    "pow": (F.pow, torch.pow),
}


def _operands(name, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    if name == "div":
        b = np.sign(b) * (np.abs(b) + 0.5)
    if name == "pow":
        a = np.abs(a) + 0.5
    return a, b


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
def test_binary_grads(name, shapes):
    a, b = _operands(name, shapes, np.random.default_rng(1))
    check_grads(BINARY[name][0], a, b)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
def test_binary_matches_torch(name, shapes):
    a, b = _operands(name, shapes, np.random.default_rng(2))
    check_torch(*BINARY[name], a, b)


@pytest.mark.parametrize("op", ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                                "__rtruediv__", "__pow__", "__rpow__"])
def test_operators_with_python_scalars(op):
    x = np.random.default_rng(3).uniform(0.5, 2.0, (2, 3))
    check_torch(lambda t: getattr(t, op)(1.7), lambda t: getattr(t, op)(1.7), x)


UNARY = {
    "neg": (F.neg, torch.neg),
    "exp": (F.exp, torch.exp),
    "log": (F.log, torch.log),
    "sqrt": (F.sqrt, torch.sqrt),
    "abs": (F.abs, torch.abs),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4))
    if name in ("log", "sqrt"):
        x = np.abs(x) + 0.1
    check_grads(UNARY[name][0], x)
    check_torch(*UNARY[name], x)


def test_maximum_minimum_ties_split_the_gradient_like_torch():
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]])
    b = np.array([1.0, 0.0, 3.0])
    check_torch(F.maximum, torch.maximum, a, b)
    check_torch(F.minimum, torch.minimum, a, b)
    check_torch(lambda t: F.maximum(t, 0.0), lambda t: torch.maximum(t, torch.tensor(0.0)), a)


def test_pow_tensor_exponent_at_zero_base():
    a, b = np.array([0.0, 2.0, 0.0]), np.array([2.0, 0.5, 3.0])
    check_torch(F.pow, torch.pow, a, b)


def test_where():
    rng = np.random.default_rng(5)
    cond = rng.standard_normal((3, 1, 4)) > 0
    a, b = rng.standard_normal((3, 2, 4)), rng.standard_normal((4,))
    check_grads(lambda x, y: F.where(cond, x, y), a, b)
    check_torch(lambda x, y: F.where(cond, x, y), lambda x, y: torch.where(torch.from_numpy(cond), x, y), a, b)
    check_torch(lambda x: F.where(cond, x, 0.0), lambda x: torch.where(torch.from_numpy(cond), x, 0.0), a)


def test_cast_to_integer_is_not_differentiable():
    x = Tensor([1.7, -2.2], requires_grad=True)
    y = F.cast(x, np.int32)
    assert y.dtype == np.int32 and not y.requires_grad
