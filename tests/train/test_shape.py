"""reshape, transpose, indexing (basic and advanced, repeated indices), concat, stack, pad."""
import numpy as np
import pytest
import torch

from tensorlet.train import Tensor, functional as F

from autodiff_checks import check_grads, check_torch


def test_reshape_and_transpose():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    check_grads(lambda t: t.reshape(4, -1), x)
    check_torch(lambda t: t.reshape((3, 8)), lambda t: t.reshape(3, 8), x)
    for perm in [(2, 0, 1), (1, 0, 2), (0, 2, 1)]:
        check_grads(lambda t: F.transpose(t, perm), x)
        check_torch(lambda t: t.transpose(*perm), lambda t: t.permute(*perm), x)
    check_torch(lambda t: t.T, lambda t: t.permute(2, 1, 0), x)


INDICES = [
    1, -1, slice(1, None), (slice(None), 2), (None, 0, slice(1, 3)), (slice(None), None, slice(None, None, 2), 1),
    np.array([0, 1, 0, 0]), (np.array([1, 0, 1]), slice(None), np.array([3, 3, 0])),
    (Ellipsis, np.array([[0, 2], [2, 2]])), [1, 1],
]


def _torch_index(index):
    """The same index for a torch tensor (arrays and lists become tensors)."""
    items = index if isinstance(index, tuple) else (index,)
    return tuple(torch.as_tensor(np.asarray(i)) if isinstance(i, (np.ndarray, list)) else i for i in items)


@pytest.mark.parametrize("index", INDICES, ids=range(len(INDICES)))
def test_getitem(index):
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    check_grads(lambda t: t[index], x)
    check_torch(lambda t: t[index], lambda t: t[_torch_index(index)], x)


def test_getitem_negative_step():
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    check_grads(lambda t: t[..., ::-2], x)
    check_torch(lambda t: t[..., ::-2], lambda t: t.flip(-1)[..., ::2], x)


def test_getitem_with_bool_mask_and_tensor_index():
    x = np.random.default_rng(2).standard_normal((4, 3))
    mask = np.array([True, False, True, True])
    check_grads(lambda t: t[mask], x)
    labels = Tensor(np.array([2, 0, 1, 2]))
    check_torch(lambda t: t[np.arange(4), labels], lambda t: t[torch.arange(4), torch.tensor([2, 0, 1, 2])], x)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_and_stack(axis):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    c = rng.standard_normal((2, 2)) if axis != 0 else rng.standard_normal((1, 3))
    check_grads(lambda x, y, z: F.concat([x, y, z], axis), a, b, c)
    check_torch(lambda x, y, z: F.concat([x, y, z], axis), lambda x, y, z: torch.cat([x, y, z], axis), a, b, c)
    check_grads(lambda x, y: F.stack([x, y], axis), a, b)
    check_torch(lambda x, y: F.stack([x, y], axis), lambda x, y: torch.stack([x, y], axis), a, b)


def test_pad():
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    pads = [(0, 1), (2, 0), (1, 3)]
    check_grads(lambda t: F.pad(t, pads, value=0.5), x)
    check_torch(lambda t: F.pad(t, pads, value=0.5),
                lambda t: torch.nn.functional.pad(t, (1, 3, 2, 0, 0, 1), value=0.5), x)
    with pytest.raises(ValueError):
        F.pad(Tensor(x), [(1, 1)])
