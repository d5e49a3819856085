"""Fashion-MNIST from IDX files, as Debian's dataset-fashion-mnist package installs them."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import DatasetFormatError, DatasetNotFoundError
from .idx import read_idx

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")


def _find(directory: Path, stem: str) -> Path:
    for name in (f"{stem}.gz", stem):
        if (directory / name).is_file():
            return directory / name
    raise DatasetNotFoundError(f"Fashion-MNIST not found: no {stem}[.gz] in {directory}; install it with "
                               "`apt-get install dataset-fashion-mnist` (or pass the folder holding the IDX files)")


def load_images_and_labels(directory: Path, images: str, labels: str) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 [N, 1, H, W] in [0, 1], y int64 [N]) from an IDX image file and its label file."""
    x, y = read_idx(_find(directory, images)), read_idx(_find(directory, labels))
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise DatasetFormatError(f"{directory}: images {x.shape} and labels {y.shape} do not pair up")
    return (x[:, None].astype(np.float32) / 255), y.astype(np.int64)


def load_fashion_mnist(directory: str | Path = FASHION_MNIST_DIR) -> tuple[tuple[np.ndarray, np.ndarray],
                                                                           tuple[np.ndarray, np.ndarray]]:
    """((x_train [60000, 1, 28, 28], y_train), (x_test [10000, 1, 28, 28], y_test)), pixels in [0, 1]."""
    directory = Path(directory)
    return (load_images_and_labels(directory, *FILES["train"]), load_images_and_labels(directory, *FILES["test"]))
