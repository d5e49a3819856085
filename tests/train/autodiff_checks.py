"""Shared checks for tensorlet.train tests: gradients against central differences (float64) and against PyTorch."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

from tensorlet.train import Tensor, no_grad

torch.set_num_threads(1)


def check_grads(fn: Callable[..., Tensor], *arrays: np.ndarray, seed: int = 0, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """The gradients backward() gives fn (Tensors -> Tensor) match central differences of sum(fn(...) * r)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    inputs = [Tensor(a.copy(), requires_grad=True, dtype=np.float64) for a in arrays]
    out = fn(*inputs)
    assert out.dtype == np.float64, "a float64 graph must stay float64"
    r = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(r)

    def objective() -> float:
        with no_grad():
            return float((fn(*[Tensor(a, dtype=np.float64) for a in arrays]).data * r).sum())

    for tensor, a in zip(inputs, arrays):
        numeric = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            original = a[index]
            a[index] = original + eps
            up = objective()
            a[index] = original - eps
            down = objective()
            a[index] = original
            numeric[index] = (up - down) / (2 * eps)
        assert tensor.grad is not None and tensor.grad.shape == a.shape
        np.testing.assert_allclose(tensor.grad, numeric, rtol=rtol, atol=atol)


def check_torch(ours: Callable[..., Tensor], theirs: Callable[..., torch.Tensor], *arrays: np.ndarray,
                seed: int = 0, rtol: float = 1e-5, atol: float = 1e-5,
                differentiable: Sequence[bool] | None = None) -> Tensor:
    """ours and theirs agree in float32 on the same inputs: the output, and each input's gradient for one random
    upstream gradient. Non-float arrays (and those marked False in differentiable) are passed without grad."""
    flags = differentiable or [np.asarray(a).dtype.kind == "f" for a in arrays]
    mine = [Tensor(np.asarray(a, np.float32), requires_grad=True) if f else Tensor(a) for a, f in zip(arrays, flags)]
    ref = [torch.tensor(np.asarray(a, np.float32), requires_grad=True) if f else torch.tensor(a)
           for a, f in zip(arrays, flags)]
    out, expected = ours(*mine), theirs(*ref)
    assert out.dtype == np.float32, f"a float32 graph produced {out.dtype}"
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    expected.backward(torch.from_numpy(g))
    for m, t, f in zip(mine, ref, flags):
        if f:
            assert m.grad is not None and m.grad.dtype == np.float32
            np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=rtol, atol=atol)
    return out
