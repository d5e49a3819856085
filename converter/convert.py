"""The conversion pipeline behind `tensorlet convert`: import (ONNX or TFLite), optimize, quantize, plan, write.

Float sources are optimized, then kept float, quantized to int8 with calibration data, or stored with fp16
weights; already-quantized sources (int8 .tflite, QDQ ONNX) keep their own quantization exactly.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tensorlet.converter import ir
from tensorlet.converter.optimize import optimize
from tensorlet.converter.planner import MemoryPlan, apply_plan
from tensorlet.converter.quantize import load_calibration, quantization_report, quantize_float16, quantize_model
from tensorlet.converter.quantize.int8 import IO_MODES
from tensorlet.converter.quantize.observers import METHODS as CALIBRATION_METHODS
from tensorlet.converter.tflite_import import import_tflite
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import TensorletError

QUANTIZE_MODES = ("none", "int8", "float16")
REPORT_SAMPLES = 32


@dataclass
class Conversion:
    """What a conversion produced: the final model, its .tlet bytes, its memory plan, and for int8 the report."""

    model: ir.Model
    data: bytes
    plan: MemoryPlan
    source_format: str
    seconds: float
    report: dict | None = None
    notes: list[str] = field(default_factory=list)


def import_model(source: bytes) -> tuple[ir.Model, str]:
    """(float or quantized IR, "tflite" | "onnx") of a source model's bytes, recognized by content."""
    if len(source) >= 8 and source[4:8] == b"TFL3":
        return import_tflite(source), "tflite"
    from tensorlet.converter.onnx_import import import_onnx
    return import_onnx(source), "onnx"


def is_quantized(model: ir.Model) -> bool:
    """True when some activation of the model is int8 (an int8 .tflite or a QDQ ONNX import)."""
    return any(t.dtype == ir.DType.INT8 and not t.is_constant for t in model.tensors)


def convert(source: str | Path | bytes, quantize: str = "none", calibration: str | Path | None = None,
            method: str = "minmax", io: str = "float", calibration_limit: int | None = None,
            progress: Callable[[], None] | None = None) -> Conversion:
    """Convert a source model (path or bytes) to .tlet; `progress` is called once per calibration sample."""
    if quantize not in QUANTIZE_MODES or io not in IO_MODES or method not in CALIBRATION_METHODS:
        raise TensorletError(f"quantize must be one of {QUANTIZE_MODES}, io one of {IO_MODES}, method one of "
                             f"{CALIBRATION_METHODS}")
    start = time.perf_counter()
    data = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    model, source_format = import_model(bytes(data))
    notes, report = [], None
    model = optimize(model)
    if is_quantized(model):
        notes.append("the source is already quantized: its int8 parameters are kept as they are")
    else:
        if quantize == "int8":
            if calibration is None:
                raise TensorletError("int8 quantization of a float model needs calibration data (--calibration "
                                     "X.npy|X.npz|IMAGE_DIR)")
            samples = load_calibration(calibration, model, limit=calibration_limit)
            float_model = model
            model = quantize_model(float_model, samples, method=method, io=io, progress=progress)
            report = quantization_report(float_model, model, samples[:REPORT_SAMPLES])
        elif quantize == "float16":
            model = quantize_float16(model)
    plan = apply_plan(model)
    encoded = to_bytes(model)
    return Conversion(model=model, data=encoded, plan=plan, source_format=source_format,
                      seconds=time.perf_counter() - start, report=report, notes=notes)
