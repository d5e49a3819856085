"""Inverted dropout: identity in eval, seeded masks, scaled survivors, gradient through the same mask."""
import numpy as np
import pytest

from tensorlet.train import Tensor, functional as F


def test_eval_and_p_zero_are_identity():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0, training=True) is x


def test_training_mask_scale_and_gradient():
    x = Tensor(np.full((200, 50), 2.0), requires_grad=True)
    y = F.dropout(x, 0.3, training=True, rng=np.random.default_rng(0))
    kept = y.data != 0
    assert y.dtype == np.float32
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.data[kept], 2.0 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.7, rtol=1e-6)


def test_seeded_masks_repeat_and_p_one_zeros():
    x = Tensor(np.ones((4, 5)))
    a = F.dropout(x, 0.5, training=True, rng=np.random.default_rng(7)).data
    b = F.dropout(x, 0.5, training=True, rng=np.random.default_rng(7)).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(F.dropout(x, 1.0, training=True, rng=np.random.default_rng(0)).data, 0)
    with pytest.raises(ValueError):
        F.dropout(x, 0.5, training=True)
    with pytest.raises(ValueError):
        F.dropout(x, 1.5, training=True, rng=np.random.default_rng(0))
