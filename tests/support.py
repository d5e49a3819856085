"""Shared test helpers: build single-op models, quantize arrays, and run through the file format."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reference.fixedpoint import round_half_away
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.reference.ops import OPS
from tensorlet.converter.tflite_import import import_tflite
from tensorlet.converter.validate import validate
from tensorlet.converter.writer import to_bytes

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def act(name: str, shape, scale: float | None = None, zero_point: int = 0) -> ir.Tensor:
    """A float32 activation tensor, or an int8 one when scale (and zero_point) are given."""
    if scale is None:
        return ir.Tensor(name, tuple(shape))
    quant = ir.Quantization(scale=[float(np.float32(scale))], zero_point=[zero_point])
    return ir.Tensor(name, tuple(shape), ir.DType.INT8, quant)


def const(name: str, data: np.ndarray, scale=None, zero_point=None, axis: int = -1) -> ir.Tensor:
    """A constant tensor holding `data` (its dtype decides the tensor dtype); scale may be a list (per-channel)."""
    data = np.ascontiguousarray(data)
    quant = None
    if scale is not None:
        scales = [float(np.float32(s)) for s in np.atleast_1d(scale)]
        zps = [int(z) for z in np.atleast_1d(zero_point if zero_point is not None else 0)]
        zps = zps * len(scales) if len(zps) == 1 else zps
        quant = ir.Quantization(scale=scales, zero_point=zps, axis=axis if len(scales) > 1 else -1)
    return ir.Tensor(name, tuple(data.shape), ir.dtype_of(data), quant, data=data)


def single_op_model(opcode: ir.OpCode, inputs: list, output: ir.Tensor, options=None,
                    quant_params: ir.QuantParams | None = None) -> ir.Model:
    """A validated model of one op. `inputs` holds tensors (constants or activations) or None for absent
    optional inputs; int8 ops get their QuantParams from the op's prepare() unless given."""
    tensors, indices = [], []
    for t in inputs:
        if t is None:
            indices.append(-1)
        else:
            indices.append(len(tensors))
            tensors.append(t)
    tensors.append(output)
    op = ir.Operator(opcode, indices, [len(tensors) - 1], options, quant_params)
    int8 = any(t is not None and not t.is_constant and t.dtype == ir.DType.INT8 for t in list(inputs) + [output])
    if int8 and quant_params is None:
        op.quant_params = OPS[opcode].prepare(op, list(inputs), [output])
    model_inputs = [i for i, t in zip(indices, inputs) if t is not None and not t.is_constant]
    model = ir.Model(tensors, [op], model_inputs, [len(tensors) - 1])
    apply_plan(model)
    validate(model)
    return model


def run_through_file(model: ir.Model, *arrays: np.ndarray) -> np.ndarray:
    """Write the model to .tlet bytes, read it back, run the reference interpreter; the first output."""
    return run(from_bytes(to_bytes(model)), list(arrays))[0]


def quantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Float -> int8 with round-half-away-from-zero, as TFLite's quantizer."""
    quotient = (x / np.float32(scale)).astype(np.float64)
    q = round_half_away(quotient) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def srdhm_scalar(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul on Python ints, written from its definition."""
    if a == b == -(1 << 31):
        return (1 << 31) - 1
    product = a * b
    nudge = (1 << 30) if product >= 0 else 1 - (1 << 30)
    total = product + nudge
    return total // (1 << 31) if total >= 0 else -((-total) // (1 << 31))


def rdbpot_scalar(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT on Python ints: x / 2^exponent, round to nearest, ties away from zero."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mbqm_scalar(x: int, multiplier: int, shift: int) -> int:
    """TFLite MultiplyByQuantizedMultiplier (double rounding) on Python ints."""
    shifted = x * (1 << max(shift, 0))
    shifted = (shifted + (1 << 31)) % (1 << 32) - (1 << 31)
    return rdbpot_scalar(srdhm_scalar(shifted, multiplier), max(-shift, 0))


@lru_cache(maxsize=None)
def tflite_tlet(path: Path) -> bytes:
    """A .tflite imported, memory-planned and written as .tlet (no optimizer pass: the corpus model as it is),
    cached per path."""
    model = import_tflite(Path(path).read_bytes())
    apply_plan(model)
    return to_bytes(model)


def random_model_inputs(data: bytes, seed: int) -> list[np.ndarray]:
    """One sample for the model in .tlet bytes: uniform int8 for int8 inputs, uniform [0, 1) float32 otherwise."""
    model = from_bytes(data)
    rng = np.random.default_rng(seed)
    inputs = []
    for i in model.inputs:
        t = model.tensors[i]
        if t.dtype == ir.DType.INT8:
            inputs.append(rng.integers(-128, 128, t.shape).astype(np.int8))
        else:
            inputs.append(rng.random(t.shape).astype(np.float32))
    return inputs
