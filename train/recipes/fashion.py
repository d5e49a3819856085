"""The Fashion-MNIST recipe: the MNIST CNN trained on 60,000 clothing images, scored on the official 10,000-image
test set."""
from __future__ import annotations

from ..data.fashion_mnist import FASHION_MNIST_DIR, load_fashion_mnist
from .mnist import build_cnn
from .recipe import Recipe, Split


def load(data_dir: str | None) -> Split:
    """Train and test splits from data_dir (default: where dataset-fashion-mnist installs them)."""
    return load_fashion_mnist(data_dir or FASHION_MNIST_DIR)


FASHION_CNN = Recipe("fashion-cnn", "CNN on Fashion-MNIST (60,000 train / official 10,000 test)", load, build_cnn,
                     epochs=6, batch_size=64, lr=2e-3, target=0.90)
