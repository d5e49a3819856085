"""Semantic validation of a Model: every index, size, dtype, shape, op arity and the memory plan.

The reader runs it on every file and the writer before writing, so an invalid model never reaches a runtime.
"""
from __future__ import annotations

import math

from tensorlet.converter.ir import ARENA_ALIGNMENT, FORMAT_VERSION, NUMPY_DTYPES, DType, Model, Tensor
from tensorlet.converter.planner import lifetimes
from tensorlet.converter.reference.ops import OPS
from tensorlet.errors import FormatError

MAX_TENSOR_BYTES = (1 << 31) - 1
_DTYPE_RANGES = {DType.INT8: (-128, 127), DType.UINT8: (0, 255), DType.INT16: (-32768, 32767),
                 DType.INT32: (-(1 << 31), (1 << 31) - 1)}


def _check_quantization(index: int, t: Tensor) -> None:
    q = t.quantization
    if q is None:
        return
    what = f"tensor {index} ({t.name!r})"
    if len(q.scale) == 0 or len(q.scale) != len(q.zero_point):
        raise FormatError(f"{what} has {len(q.scale)} scales and {len(q.zero_point)} zero points")
    if q.axis >= 0:
        if q.axis >= len(t.shape) or len(q.scale) not in (1, t.shape[q.axis]):
            raise FormatError(f"{what} is quantized along axis {q.axis} with {len(q.scale)} scales, "
                              f"which does not fit shape {list(t.shape)}")
    elif len(q.scale) != 1:
        raise FormatError(f"{what} has {len(q.scale)} scales but no quantized axis")
    for s in q.scale:
        if not (math.isfinite(s) and s > 0):
            raise FormatError(f"{what} has scale {s}; scales must be finite and positive")
    lo, hi = _DTYPE_RANGES.get(t.dtype, (None, None))
    if lo is None:
        raise FormatError(f"{what} is {t.dtype.name} but carries quantization parameters")
    for z in q.zero_point:
        if not lo <= z <= hi:
            raise FormatError(f"{what} has zero point {z} outside the {t.dtype.name} range [{lo}, {hi}]")


def _check_tensors(model: Model) -> None:
    for i, t in enumerate(model.tensors):
        what = f"tensor {i} ({t.name!r})"
        if t.dtype not in NUMPY_DTYPES:
            raise FormatError(f"{what} has unsupported dtype {t.dtype}")
        if any(d < 1 or d > MAX_TENSOR_BYTES for d in t.shape):
            raise FormatError(f"{what} has shape {list(t.shape)}; every dimension must be >= 1")
        if math.prod(t.shape) * NUMPY_DTYPES[t.dtype].itemsize > MAX_TENSOR_BYTES:
            raise FormatError(f"{what} of shape {list(t.shape)} is larger than 2 GiB")
        _check_quantization(i, t)
        if t.is_constant:
            if t.arena_offset != -1:
                raise FormatError(f"{what} is a constant but also has arena offset {t.arena_offset}")
            if tuple(t.data.shape) != tuple(t.shape) or t.data.dtype != NUMPY_DTYPES[t.dtype]:
                raise FormatError(f"{what} data is {t.data.dtype}{list(t.data.shape)}, "
                                  f"declared {t.dtype.name}{list(t.shape)}")
            continue
        if t.arena_offset < 0 or t.arena_offset % ARENA_ALIGNMENT:
            raise FormatError(f"{what} is an activation with arena offset {t.arena_offset}; "
                              f"it needs a non-negative offset aligned to {ARENA_ALIGNMENT} bytes")
        if t.arena_offset + t.nbytes > model.arena_bytes:
            raise FormatError(f"{what} occupies arena bytes [{t.arena_offset}, {t.arena_offset + t.nbytes}) "
                              f"past arena_bytes {model.arena_bytes}")


def _check_index(model: Model, index: int, what: str) -> Tensor:
    if not 0 <= index < len(model.tensors):
        raise FormatError(f"{what} refers to tensor {index}, but the model has {len(model.tensors)} tensors")
    return model.tensors[index]


def _check_io(model: Model) -> None:
    for kind, indices in (("input", model.inputs), ("output", model.outputs)):
        if not indices:
            raise FormatError(f"the model has no {kind}s")
        if len(set(indices)) != len(indices):
            raise FormatError(f"model {kind}s {indices} repeat a tensor")
        for i in indices:
            if _check_index(model, i, f"model {kind}").is_constant:
                raise FormatError(f"model {kind} tensor {i} is a constant")
    meta = model.metadata
    for kind, names, indices in (("input", meta.input_names, model.inputs), ("output", meta.output_names,
                                                                             model.outputs)):
        if names and len(names) != len(indices):
            raise FormatError(f"metadata names {len(names)} {kind}s, the model has {len(indices)}")


def _check_operators(model: Model) -> None:
    produced = set(model.inputs)
    for n, op in enumerate(model.operators):
        what = f"operator {n} ({op.opcode.name})"
        definition = OPS.get(op.opcode)
        if definition is None:
            raise FormatError(f"{what}: opcode {int(op.opcode)} has no kernel")
        low, high = definition.INPUTS
        if not low <= len(op.inputs) <= high:
            raise FormatError(f"{what} has {len(op.inputs)} inputs, expected {low}..{high}")
        if len(op.outputs) != definition.OUTPUTS:
            raise FormatError(f"{what} has {len(op.outputs)} outputs, expected {definition.OUTPUTS}")
        ins = []
        for k, index in enumerate(op.inputs):
            if index == -1 and k in definition.OPTIONAL:
                ins.append(None)
                continue
            t = _check_index(model, index, f"{what} input {k}")
            if not t.is_constant and index not in produced:
                raise FormatError(f"{what} reads tensor {index} ({t.name!r}) before any operator writes it")
            ins.append(t)
        outs = []
        for index in op.outputs:
            t = _check_index(model, index, f"{what} output")
            if t.is_constant:
                raise FormatError(f"{what} writes constant tensor {index} ({t.name!r})")
            if index in produced:
                raise FormatError(f"{what} writes tensor {index} ({t.name!r}), which is already written")
            produced.add(index)
            outs.append(t)
        expected = definition.OPTIONS
        if (expected is None) != (op.options is None) or (expected is not None and type(op.options) is not expected):
            got = type(op.options).__name__ if op.options is not None else "none"
            raise FormatError(f"{what} has options {got}, expected {expected.__name__ if expected else 'none'}")
        try:
            definition.check(op, ins, outs)
        except FormatError as e:
            raise FormatError(f"{what}: {e}") from None
        except (IndexError, ValueError, TypeError, ArithmeticError) as e:  # a shape no rule anticipated
            raise FormatError(f"{what}: malformed operands ({type(e).__name__}: {e})") from None
    for i in model.outputs:
        if i not in produced:
            raise FormatError(f"model output tensor {i} is never written")


def _check_arena(model: Model) -> None:
    """Activations whose lifetimes overlap must not share arena bytes."""
    spans = sorted((first, last, i) for i, (first, last) in lifetimes(model).items())
    active: list[tuple[int, int]] = []
    for first, last, i in spans:
        active = [(end, j) for end, j in active if end >= first]
        a = model.tensors[i]
        for _, j in active:
            b = model.tensors[j]
            if a.arena_offset < b.arena_offset + b.nbytes and b.arena_offset < a.arena_offset + a.nbytes:
                raise FormatError(f"tensors {j} ({b.name!r}) and {i} ({a.name!r}) are live at the same time "
                                  f"but overlap in the arena")
        active.append((last, i))


def validate(model: Model) -> None:
    """Raise FormatError naming the first violation in `model`."""
    if model.version != FORMAT_VERSION:
        raise FormatError(f"format version {model.version} is not supported (expected {FORMAT_VERSION})")
    _check_tensors(model)
    _check_io(model)
    _check_operators(model)
    _check_arena(model)
