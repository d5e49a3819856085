"""Tensorlet: train a network, convert it to a small exact .tlet file, run it in a browser or on a microcontroller.

Subpackages: `tensorlet.train` (the trainer), `tensorlet.converter` (format, converter, reference interpreter).
"""
from tensorlet.errors import DTypeError, FormatError, ShapeError, TensorletError, UnsupportedOpError

__version__ = "0.1.0"
__all__ = ["DTypeError", "FormatError", "Runtime", "ShapeError", "TensorletError", "UnsupportedOpError",
           "__version__"]


def __getattr__(name: str):
    """tensorlet.Runtime (the WebAssembly runtime over wasmtime), imported on first use."""
    if name == "Runtime":
        from tensorlet.runtime import Runtime
        return Runtime
    raise AttributeError(f"module 'tensorlet' has no attribute {name!r}")
