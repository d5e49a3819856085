"""Errors of the dataset loaders: a dataset that is not installed (the message names the command that installs
it) and a file that is not in the expected format."""
from __future__ import annotations

from ...errors import TensorletError


class DatasetNotFoundError(TensorletError):
    """A dataset is not installed where the loader looks; the message says how to install it."""


class DatasetFormatError(TensorletError):
    """A dataset file exists but does not hold what its format promises."""
