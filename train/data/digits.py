"""scikit-learn's bundled handwritten digits (1,797 8x8 images, 10 classes), no download needed."""
from __future__ import annotations

import numpy as np

from .errors import DatasetNotFoundError


def load_digits(images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 in [0, 1]: [1797, 64], or [1797, 1, 8, 8] with images=True; y int64 [1797])."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as e:
        raise DatasetNotFoundError("the digits dataset ships with scikit-learn, which is not installed: "
                                   "`pip install scikit-learn` (or `pip install -e .[dev]`)") from e
    bunch = sklearn_digits()
    x = (bunch.data / 16).astype(np.float32)
    return (x.reshape(-1, 1, 8, 8) if images else x), bunch.target.astype(np.int64)
