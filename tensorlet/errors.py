"""Tensorlet's exception types: each names what went wrong, so callers can catch exactly that."""


class TensorletError(Exception):
    """Base class of every error Tensorlet raises on bad input."""


class FormatError(TensorletError):
    """A .tlet file (or an in-memory model about to be written) violates the format."""


class ShapeError(TensorletError):
    """An input array has the wrong shape for the model."""


class DTypeError(TensorletError):
    """An input array has the wrong dtype for the model."""


class UnsupportedOpError(TensorletError):
    """A source model uses an op, attribute or dtype outside what Tensorlet supports; the message names the node,
    the op and the supported list."""
