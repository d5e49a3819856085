"""Run a .tlet model over a batch of samples on a chosen backend: the engine behind `tensorlet run`.

A batch holds N samples along its first axis; a model input of shape [1, ...] takes samples of shape [...].
Backends are registered in one table; each runs one sample (a list of arrays in model-input order).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from tensorlet.converter.ir import NUMPY_DTYPES, Model, Tensor
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run
from tensorlet.errors import DTypeError, ShapeError
from tensorlet.native import backends as _native_backends
from tensorlet.runtime import WasmBackend

# name -> callable(model, one sample's inputs) -> outputs; a backend that also has run_samples(model, samples) gets
# the whole batch in one call (the QEMU backends build and run one firmware / process for all samples).
BACKENDS: dict[str, Callable[[Model, list[np.ndarray]], list[np.ndarray]]] = {
    "reference": reference_run,
    "wasm": WasmBackend(),  # the WebAssembly runtime under wasmtime (tensorlet/runtime.py)
    **_native_backends(),  # native, cortex-m4, cortex-m7, cortex-m55, aarch64 (Pi 4), aarch64-a76 (Pi 5)
}


def sample_shape(tensor: Tensor) -> tuple[int, ...]:
    """The shape of one sample: the tensor's shape without a leading batch dimension of 1."""
    shape = tuple(tensor.shape)
    return shape[1:] if len(shape) > 1 and shape[0] == 1 else shape


def _as_batch(tensor: Tensor, array: np.ndarray) -> np.ndarray:
    """array: [N, *sample_shape] (or exactly the tensor's shape, N = 1) -> [N, *tensor.shape] of its dtype."""
    array = np.asarray(array)
    expected = NUMPY_DTYPES[tensor.dtype]
    if array.dtype == np.float64 and expected == np.float32:
        array = array.astype(np.float32)
    if array.dtype != expected:
        raise DTypeError(f"input {tensor.name!r} must be {expected.name}, got {array.dtype.name}")
    if tuple(array.shape) == tuple(tensor.shape):
        return array.reshape((1,) + tuple(tensor.shape))
    one = sample_shape(tensor)
    if tuple(array.shape[1:]) != one:
        raise ShapeError(f"input {tensor.name!r} takes samples of shape {list(one)} stacked along the first axis "
                         f"(or one array of shape {list(tensor.shape)}), got {list(array.shape)}")
    return array.reshape((array.shape[0],) + tuple(tensor.shape))


def _bind(model: Model, inputs) -> list[np.ndarray]:
    tensors = [model.tensors[i] for i in model.inputs]
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    if isinstance(inputs, Mapping):
        names = [t.name for t in tensors]
        if set(inputs) != set(names):
            if len(inputs) == len(names) and all(k.startswith("arr_") for k in inputs):
                inputs = [inputs[f"arr_{k}"] for k in range(len(names))]
            else:
                raise ShapeError(f"inputs named {sorted(inputs)}, but the model takes {names}")
        else:
            inputs = [inputs[n] for n in names]
    if not isinstance(inputs, Sequence) or len(inputs) != len(tensors):
        raise ShapeError(f"the model takes {len(tensors)} input(s): {[t.name for t in tensors]}")
    batches = [_as_batch(t, a) for t, a in zip(tensors, inputs)]
    if len({len(b) for b in batches}) != 1:
        raise ShapeError(f"inputs hold different sample counts: {[len(b) for b in batches]}")
    return batches


def samples_of(model: Model, inputs) -> list[list[np.ndarray]]:
    """The samples of a batch (inputs as run_batch takes them): per sample, its arrays in model-input order, each of
    the input tensor's full shape."""
    batches = _bind(model, inputs)
    return [[b[n] for b in batches] for n in range(len(batches[0]))]


def run_batch(model: Model | bytes, inputs, backend: str = "reference") -> list[np.ndarray]:
    """Run every sample; returns one array per model output, samples stacked along the first axis.

    inputs: an array, a list in model-input order, or a mapping by input name (an .npz's arr_0.. work too).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    model = from_bytes(model) if isinstance(model, (bytes, bytearray)) else model
    samples = samples_of(model, inputs)
    runner = BACKENDS[backend]
    if hasattr(runner, "run_samples"):
        outputs = runner.run_samples(model, samples)
    else:
        outputs = [runner(model, sample) for sample in samples]
    return [np.stack([sample[k].reshape(sample_shape(model.tensors[i])) for sample in outputs])
            for k, i in enumerate(model.outputs)]
