"""Tensor: a numpy array with reverse-mode autodiff (graph recording, the one backward driver, no_grad).

Ops live in the sibling modules (elementwise, reduce, shape, ...); each builds its output with Tensor.from_op.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Sequence, Union

import numpy as np

BackwardFn = Callable[[np.ndarray], Sequence[Union[np.ndarray, None]]]
TensorLike = Union["Tensor", np.ndarray, float, int]


class _GradMode:
    """Whether ops record the graph (process-wide, switched by no_grad)."""
    enabled = True


def is_grad_enabled() -> bool:
    """True unless inside a no_grad block."""
    return _GradMode.enabled


class no_grad(contextlib.ContextDecorator):
    """Context manager (or decorator): ops inside record no graph; their outputs have requires_grad=False."""

    def __init__(self) -> None:
        self._saved: list[bool] = []  # a stack: one instance may be entered again (a decorated recursive function)

    def __enter__(self) -> "no_grad":
        self._saved.append(_GradMode.enabled)
        _GradMode.enabled = False
        return self

    def __exit__(self, *exc_info) -> None:
        _GradMode.enabled = self._saved.pop()


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum grad, the gradient of a broadcast result, back over the broadcast axes to `shape`."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


class Tensor:
    """An n-d array (float32 by default) that records the ops applied to it, for backward().

    `data` is the numpy array, `grad` the accumulated gradient (a numpy array of data's shape and dtype, or None),
    owned by this tensor: backward() adds into it in place.
    Only floating tensors can require grad; integer/bool tensors are plain data (labels, indices, masks).
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_retain")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data: TensorLike, requires_grad: bool = False, dtype: np.dtype | type | None = None):
        """Wrap data without copying when it is already an ndarray of the target dtype.

        dtype None: any floating input becomes float32 (pass dtype=np.float64 for float64); ints and bools keep
        numpy's dtype.
        """
        array = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=dtype)
        if dtype is None and array.dtype.kind == "f" and array.dtype != np.float32:
            array = array.astype(np.float32)
        if requires_grad and array.dtype.kind != "f":
            raise ValueError(f"only floating tensors can require grad, not {array.dtype}")
        self._init(array, requires_grad)

    def _init(self, array: np.ndarray, requires_grad: bool) -> None:
        self.data = array
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self._parents: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self._retain = False

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool = False) -> "Tensor":
        """A Tensor around array as is (no dtype conversion)."""
        out = cls.__new__(cls)
        out._init(array if isinstance(array, np.ndarray) else np.asarray(array), requires_grad)
        return out

    @staticmethod
    def from_op(data: np.ndarray | np.generic, parents: tuple["Tensor", ...], backward: BackwardFn) -> "Tensor":
        """The output of an op: data plus, when grad is enabled and some parent requires grad, its graph node.

        backward(g) receives dL/d(out) (out's shape; read-only: never modify it in place) and returns one
        gradient per parent, in order: None, or an array of the parent's shape, or of any shape that broadcasting
        the parent produced (the driver sums it back). Each returned array must be new or a view of g (the driver
        may keep it as a leaf's .grad and add into it later), never an array the op keeps. The closure must not
        capture the output Tensor (no reference cycles: the graph frees itself when the output is dropped).
        """
        if _GradMode.enabled and any(p.requires_grad for p in parents):
            out = Tensor._wrap(data, True)
            out._parents = parents
            out._backward = backward
            return out
        return Tensor._wrap(data)

    # --- autodiff -------------------------------------------------------------------------------------------

    def backward(self, grad: TensorLike | None = None) -> None:
        """Accumulate dself/dleaf into .grad of every leaf (and retain_grad tensor) that requires grad.

        grad: dL/dself, of self's shape; None means ones, allowed only for a single-element tensor.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without grad needs a single-element tensor, not shape {self.shape}")
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(f"grad shape {seed.shape} differs from tensor shape {self.shape}")
        grads = {id(self): seed}
        handed_out = {id(seed): 2}  # how often each gradient array was handed to a tensor; the seed is the caller's
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None or node._retain:
                node._accumulate(g, node._backward is None and handed_out.get(id(g), 0) <= 1 and g.flags.owndata)
            if node._backward is None:
                continue
            for parent, pg in zip(node._parents, node._backward(g)):
                if pg is None or not parent.requires_grad:
                    continue
                pg = np.asarray(pg)
                if pg.shape != parent.data.shape:
                    pg = unbroadcast(pg, parent.data.shape)
                if pg.dtype != parent.data.dtype:
                    pg = pg.astype(parent.data.dtype)
                handed_out[id(pg)] = handed_out.get(id(pg), 0) + 1
                previous = grads.get(id(parent))
                grads[id(parent)] = pg if previous is None else previous + pg

    def _accumulate(self, g: np.ndarray, sole_owner: bool) -> None:
        """Add g into .grad, in place once the tensor owns a gradient buffer; g is kept as that buffer without a
        copy only when nothing else refers to it (sole_owner)."""
        if self.grad is None:
            self.grad = g if sole_owner else g.copy()
        else:
            np.add(self.grad, g, out=self.grad)

    def zero_grad(self) -> None:
        """Drop the accumulated gradient (.grad = None), like PyTorch's zero_grad(set_to_none=True)."""
        self.grad = None

    def retain_grad(self) -> "Tensor":
        """Also keep .grad on this non-leaf tensor during backward; returns self."""
        self._retain = True
        return self

    def detach(self) -> "Tensor":
        """The same data (shared, not copied) cut from the graph."""
        return Tensor._wrap(self.data)

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor was produced by a recorded op."""
        return self._backward is None

    # --- array facts ----------------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> float | int | bool:
        """The value of a single-element tensor as a Python scalar."""
        return self.data.item()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.array(self.data, dtype=dtype, copy=copy)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        suffix = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}, dtype={self.dtype}{suffix})"

    # --- operators and method forms of the ops ---------------------------------------------------------------

    def __add__(self, other: TensorLike) -> "Tensor":
        return _ew.add(self, other)

    def __radd__(self, other: TensorLike) -> "Tensor":
        return _ew.add(other, self)

    def __sub__(self, other: TensorLike) -> "Tensor":
        return _ew.sub(self, other)

    def __rsub__(self, other: TensorLike) -> "Tensor":
        return _ew.sub(other, self)

    def __mul__(self, other: TensorLike) -> "Tensor":
        return _ew.mul(self, other)

    def __rmul__(self, other: TensorLike) -> "Tensor":
        return _ew.mul(other, self)

    def __truediv__(self, other: TensorLike) -> "Tensor":
        return _ew.div(self, other)

    def __rtruediv__(self, other: TensorLike) -> "Tensor":
        return _ew.div(other, self)

    def __pow__(self, other: TensorLike) -> "Tensor":
        return _ew.pow(self, other)

    def __rpow__(self, other: TensorLike) -> "Tensor":
        return _ew.pow(other, self)

    def __neg__(self) -> "Tensor":
        return _ew.neg(self)

    def __matmul__(self, other: TensorLike) -> "Tensor":
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: TensorLike) -> "Tensor":
        return _linalg.matmul(other, self)

    def __getitem__(self, index) -> "Tensor":
        return _shape.getitem(self, index)

    def astype(self, dtype: np.dtype | type) -> "Tensor":
        """A cast copy; differentiable between floating dtypes (the gradient is cast back)."""
        return _ew.cast(self, dtype)

    def exp(self) -> "Tensor":
        return _ew.exp(self)

    def log(self) -> "Tensor":
        return _ew.log(self)

    def sqrt(self) -> "Tensor":
        return _ew.sqrt(self)

    def abs(self) -> "Tensor":
        return _ew.abs(self)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        return _reduce.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        return _reduce.mean(self, axis, keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        return _reduce.max(self, axis, keepdims)

    def reshape(self, *shape: int | tuple[int, ...]) -> "Tensor":
        return _shape.reshape(self, *shape)

    def transpose(self, *axes: int | tuple[int, ...]) -> "Tensor":
        return _shape.transpose(self, *axes)

    @property
    def T(self) -> "Tensor":
        return _shape.transpose(self)


def as_tensor(x: TensorLike, like: Tensor | None = None) -> Tensor:
    """x itself if a Tensor; else constant data, floating values taking like's floating dtype (else float32)."""
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if array.dtype.kind in "fiub" and like is not None and like.dtype.kind == "f":
        return Tensor._wrap(array.astype(like.dtype, copy=False))
    return Tensor(array)


def as_pair(a: TensorLike, b: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors; a non-Tensor operand takes the other's floating dtype."""
    if not isinstance(a, Tensor):
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if not isinstance(b, Tensor):
        b = as_tensor(b, like=a)
    return a, b


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor requiring grad that root depends on, each after all of its parents (iterative DFS)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in visited)
    return order


# The op modules import Tensor from here, so they are bound after it exists.
from . import elementwise as _ew  # noqa: E402
from . import linalg as _linalg  # noqa: E402
from . import reduce as _reduce  # noqa: E402
from . import shape as _shape  # noqa: E402
