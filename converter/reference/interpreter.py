"""Execute a validated Model with numpy, op by op: the golden oracle every runtime is compared against."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tensorlet.converter.ir import NUMPY_DTYPES, Model, Tensor
from tensorlet.converter.reference.ops import OPS
from tensorlet.errors import DTypeError, ShapeError


def _bind_inputs(model: Model, inputs) -> dict[int, np.ndarray]:
    """Match user arrays to the model inputs (one array, a list in order, or a dict by tensor name)."""
    tensors = [model.tensors[i] for i in model.inputs]
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    if isinstance(inputs, Mapping):
        names = [t.name for t in tensors]
        unknown = sorted(set(inputs) - set(names))
        missing = [n for n in names if n not in inputs]
        if unknown or missing:
            raise ShapeError(f"inputs by name: unknown {unknown}, missing {missing}; the model takes {names}")
        inputs = [inputs[n] for n in names]
    if not isinstance(inputs, Sequence) or len(inputs) != len(tensors):
        count = len(inputs) if isinstance(inputs, Sequence) else 1
        raise ShapeError(f"the model takes {len(tensors)} input(s), got {count}")
    bound = {}
    for index, tensor, array in zip(model.inputs, tensors, inputs):
        array = np.asarray(array)
        expected = NUMPY_DTYPES[tensor.dtype]
        if array.dtype != expected:
            raise DTypeError(f"input {tensor.name!r} must be {expected.name}, got {array.dtype.name}")
        if tuple(array.shape) != tuple(tensor.shape):
            raise ShapeError(f"input {tensor.name!r} must have shape {list(tensor.shape)}, got {list(array.shape)}")
        bound[index] = array
    return bound


def _checked(tensor: Tensor, value: np.ndarray, opcode) -> np.ndarray:
    if value.dtype != NUMPY_DTYPES[tensor.dtype] or tuple(value.shape) != tuple(tensor.shape):
        raise RuntimeError(f"reference kernel {opcode.name} produced {value.dtype}{list(value.shape)} for tensor "
                           f"{tensor.name!r}, declared {tensor.dtype.name}{list(tensor.shape)}")
    return value


def trace(model: Model, inputs) -> dict[int, np.ndarray]:
    """Run one inference and return every activation computed, by tensor index (model inputs included).

    `inputs`: an array, a list in model-input order, or a dict by input tensor name. Raises ShapeError or
    DTypeError for inputs that do not fit the model.
    """
    values = _bind_inputs(model, inputs)
    for op in model.operators:
        ins = [model.tensors[i] if i >= 0 else None for i in op.inputs]
        args = [None if t is None else (t.data if t.is_constant else values[i]) for i, t in zip(op.inputs, ins)]
        outs = [model.tensors[i] for i in op.outputs]
        results = OPS[op.opcode].run(op, ins, args, outs)
        for i, tensor, value in zip(op.outputs, outs, results):
            values[i] = _checked(tensor, value, op.opcode)
    return values


def run(model: Model, inputs) -> list[np.ndarray]:
    """Run one inference and return the model outputs in order (inputs as for `trace`)."""
    values = trace(model, inputs)
    return [values[i] for i in model.outputs]
