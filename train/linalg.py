"""Matrix multiplication with numpy's matmul semantics (batched, broadcast batch dims, 1-D operands)."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, TensorLike, as_pair


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """a [..., n, k] @ b [..., k, m] -> [..., n, m]; 1-D a counts as [1, k] and 1-D b as [k, 1] (axis dropped after)."""
    a, b = as_pair(a, b)
    x, y = a.data, b.data

    def backward(g):
        x2 = x[None, :] if x.ndim == 1 else x          # [..., n, k]
        y2 = y[:, None] if y.ndim == 1 else y          # [..., k, m]
        shape = list(g.shape) + ([1] if y.ndim == 1 else [])
        if x.ndim == 1:
            shape.insert(len(shape) - 1, 1)
        g2 = g.reshape(shape)                          # [..., n, m]
        ga = gb = None
        if a.requires_grad:
            ga = np.matmul(g2, np.swapaxes(y2, -1, -2))  # [..., n, k]
            ga = ga[..., 0, :] if x.ndim == 1 else ga
        if b.requires_grad:
            if y2.ndim == 2 and x2.ndim > 2:  # one weight matrix shared by a batch: a single GEMM
                gb = x2.reshape(-1, x2.shape[-1]).T @ g2.reshape(-1, g2.shape[-1])
            else:
                gb = np.matmul(np.swapaxes(x2, -1, -2), g2)  # [..., k, m]
            gb = gb[..., 0] if y.ndim == 1 else gb
        return ga, gb
    return Tensor.from_op(np.matmul(x, y), (a, b), backward)
