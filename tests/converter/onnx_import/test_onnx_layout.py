"""The layout algebra of the ONNX importer against numpy: what a stored tensor holds for each layout, and which
reshapes and transposes keep memory order."""
from __future__ import annotations

import numpy as np
import pytest

from tensorlet.converter.onnx_import.layout import (NHWC, Layout, expanded, flattened, identity, is_pure_reshape,
                                                    moved_last, reshaped, transpose_between)

NCHW_SHAPE = (2, 3, 4, 5)


def _stored(logical: np.ndarray, layout: Layout) -> np.ndarray:
    return np.transpose(logical, layout.perm)


def test_stored_shape_and_store_follow_the_permutation():
    x = np.arange(120).reshape(NCHW_SHAPE)
    layout = Layout(NHWC)
    assert layout.stored_shape(NCHW_SHAPE) == (2, 4, 5, 3)
    np.testing.assert_array_equal(layout.store(x), _stored(x, layout))
    bias = np.arange(3).reshape(3, 1, 1)
    np.testing.assert_array_equal(layout.store(bias), bias.reshape(1, 1, 1, 3))


@pytest.mark.parametrize("source, target", [((0, 1, 2, 3), NHWC), (NHWC, (0, 1, 2, 3)), ((0, 3, 1, 2), (2, 1, 3, 0))])
def test_transpose_between_layouts(source, target):
    x = np.arange(120).reshape(NCHW_SHAPE)
    perm = transpose_between(Layout(source), Layout(target))
    np.testing.assert_array_equal(np.transpose(_stored(x, Layout(source)), perm), _stored(x, Layout(target)))


@pytest.mark.parametrize("shape, perm, pure", [((1, 1, 4, 5), (0, 2, 3, 1), True), ((1, 3, 1, 1), (0, 2, 3, 1), True),
                                               ((1, 3, 4, 5), (0, 2, 3, 1), False), ((2, 1, 3), (1, 0, 2), True)])
def test_pure_reshape_detection(shape, perm, pure):
    x = np.arange(np.prod(shape)).reshape(shape)
    assert is_pure_reshape(shape, perm) == pure
    if pure:
        np.testing.assert_array_equal(np.transpose(x, perm).ravel(), x.ravel())


@pytest.mark.parametrize("target", [(2, 3, 20), (1, 2, 3, 20), (2, 3, 4, 5, 1), (2, 1, 3, 20), (2, 3, 2, 2, 5)])
def test_reshape_of_nhwc_storage_that_keeps_memory_order(target):
    x = np.arange(120).reshape(NCHW_SHAPE)
    layout = reshaped(Layout(NHWC), NCHW_SHAPE, target)
    assert layout is not None
    stored = _stored(x, Layout(NHWC)).reshape(layout.stored_shape(target))
    np.testing.assert_array_equal(stored, _stored(x.reshape(target), layout))


@pytest.mark.parametrize("target", [(2, 60), (2, 12, 5), (120,), (6, 4, 5)])
def test_reshape_of_nhwc_storage_needing_another_order(target):
    assert reshaped(Layout(NHWC), NCHW_SHAPE, target) is None


def test_flattened_layout_orders_the_last_axis_like_the_stored_block():
    x = np.arange(120).reshape(NCHW_SHAPE)
    layout = flattened(Layout(NHWC), NCHW_SHAPE, (2, 60))
    stored = _stored(x, Layout(NHWC)).reshape(2, 60)
    logical = x.reshape(2, 60)
    np.testing.assert_array_equal(stored, logical[:, layout.order()])
    weights = np.arange(60 * 7).reshape(7, 60)
    np.testing.assert_array_equal(stored @ weights[:, layout.order()].T, logical @ weights.T)
    np.testing.assert_array_equal(layout.store(np.arange(60)), np.arange(60)[layout.order()].reshape(1, 60))
    assert flattened(Layout(NHWC), NCHW_SHAPE, (6, 20)) is None


def test_expanded_and_moved_last():
    assert expanded(Layout((1, 0)), 2) == Layout((0, 1, 3, 2))
    assert moved_last(Layout(NHWC), 3) == Layout((0, 2, 1, 3))
    assert identity(3).is_identity and not Layout(NHWC).is_identity
    assert Layout(NHWC).tag == "nhwc"
