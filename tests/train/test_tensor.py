"""Tensor and the backward driver: construction, accumulation, no_grad, detach, graph order, a micrograd expression."""
import numpy as np
import pytest
import torch

from tensorlet.train import Tensor, functional as F, is_grad_enabled, no_grad
from tensorlet.train.tensor import unbroadcast

torch.set_num_threads(1)


def test_micrograd_expression_matches_torch():
    def expression(a, b, relu):
        c = a + b
        d = a * b + b ** 3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e ** 2
        g = f / 2.0
        g = g + 10.0 / f
        return g

    a, b = Tensor(-4.0, requires_grad=True, dtype=np.float64), Tensor(2.0, requires_grad=True, dtype=np.float64)
    g = expression(a, b, F.relu)
    g.backward()
    at = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    gt = expression(at, bt, torch.relu)
    gt.backward()
    assert g.item() == pytest.approx(gt.item(), rel=1e-12)
    assert a.grad == pytest.approx(at.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(bt.grad.item(), rel=1e-12)


def test_dtypes():
    assert Tensor([1.5, 2.0]).dtype == np.float32
    assert Tensor(np.zeros(3)).dtype == np.float32
    assert Tensor(np.zeros(3), dtype=np.float64).dtype == np.float64
    assert Tensor(np.arange(3)).dtype.kind == "i"
    with pytest.raises(ValueError):
        Tensor(np.arange(3), requires_grad=True)
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    assert (x * 2).dtype == np.float32 and (x + np.float64(1)).dtype == np.float32
    assert (x * np.ones(3)).dtype == np.float32
    y = x.astype(np.float64)
    y.sum().backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float32


def test_array_facts():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
    assert x.numpy() is x.data
    assert x[1, 2].item() == 5.0
    assert np.asarray(x).shape == (2, 3)
    assert "Tensor(" in repr(x)


def test_gradients_accumulate_across_backward_calls():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 3)
    buffer = x.grad
    (x * 5).sum().backward()
    assert x.grad is buffer  # accumulated in place
    np.testing.assert_allclose(x.grad, 2 * x.data + 8)
    x.zero_grad()
    assert x.grad is None


def test_second_backward_through_the_same_graph_counts_once():
    x = Tensor([1.0, -2.0], requires_grad=True)
    h = x * x
    y = (h + h).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 4 * x.data)


def test_shared_subexpression_order():
    x = Tensor(3.0, requires_grad=True, dtype=np.float64)
    a = x * 2
    b = a * x            # 2x^2
    c = b + a            # 2x^2 + 2x
    (c * a).backward()   # 4x^3 + 4x^2: 12x^2 + 8x
    assert x.grad == pytest.approx(12 * 9 + 8 * 3)


def test_retain_grad_keeps_intermediate_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert not h.is_leaf and x.is_leaf


def test_backward_needs_grad_for_non_scalar():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.backward()
    with pytest.raises(ValueError):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [2.0, 20.0])
    with pytest.raises(RuntimeError):
        Tensor([1.0]).backward()


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf

    @no_grad()
    def double(t):
        return t * 2
    assert not double(x).requires_grad
    assert (x * 2).requires_grad

    @no_grad()
    def countdown(n):
        return countdown(n - 1) if n else is_grad_enabled()
    assert countdown(3) is False and is_grad_enabled()


def test_detach_shares_data_and_stops_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad
    y = (x * d).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, d.data)
    assert x.detach().data is x.data


def test_numpy_operand_on_the_left():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x + np.array([1.0, 1.0])
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_leaf_gradient_is_not_aliased_between_parents():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10
    np.testing.assert_allclose(b.grad, [1.0, 1.0])


@pytest.mark.parametrize("op", [lambda t: t, lambda t: t + 0.0, lambda t: t.reshape(2), lambda t: t.astype(np.float32)])
def test_leaf_gradient_never_aliases_the_callers_seed(op):
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0], np.float32)
    op(x).backward(seed)
    x.grad *= 3
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_deep_graph_has_no_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("grad_shape, shape", [((2, 3, 4), (3, 1)), ((2, 3, 4), ()), ((5,), (5,)), ((2, 1, 4), (1, 4))])
def test_unbroadcast(grad_shape, shape):
    g = np.random.default_rng(0).standard_normal(grad_shape)
    expected = torch.from_numpy(g).sum_to_size(shape).numpy() if shape else g.sum()
    np.testing.assert_allclose(unbroadcast(g, shape), expected)


def test_plain_sgd_learns_a_small_classification_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 2)).astype(np.float32)
    labels = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR of signs: needs the hidden layer
    params = [Tensor(rng.standard_normal((2, 16)) * 0.5, requires_grad=True), Tensor(np.zeros(16), requires_grad=True),
              Tensor(rng.standard_normal((16, 2)) * 0.5, requires_grad=True), Tensor(np.zeros(2), requires_grad=True)]
    w1, b1, w2, b2 = params
    for _ in range(300):
        loss = F.softmax_cross_entropy(F.tanh(Tensor(x) @ w1 + b1) @ w2 + b2, labels)
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data -= 0.5 * p.grad
    with no_grad():
        accuracy = ((F.tanh(Tensor(x) @ w1 + b1) @ w2 + b2).data.argmax(1) == labels).mean()
    assert loss.item() < 0.2 and accuracy > 0.95
