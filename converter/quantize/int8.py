"""Post-training int8 quantization of a float32 model, following the TFLite quantization spec.

quantize_model: calibrate activation ranges on sample inputs (observers.py), decide every tensor's quantization
(groups.py), rewrite the model with int8 tensors, per-channel weights, int32 biases and each op's QuantParams from
its module's prepare() (rewrite.py), then plan the arena and validate.
"""
from __future__ import annotations

from collections.abc import Callable

from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.quantize.collect import collect_ranges
from tensorlet.converter.quantize.float16 import copy_metadata, widen_float16
from tensorlet.converter.quantize.groups import plan_quantization
from tensorlet.converter.quantize.observers import DEFAULT_PERCENTILE, METHODS
from tensorlet.converter.quantize.rewrite import build_int8_model
from tensorlet.converter.validate import validate
from tensorlet.errors import UnsupportedOpError

IO_MODES = ("float", "int8")


def _check_source(model: ir.Model) -> None:
    for t in model.tensors:
        if t.is_constant and t.dtype != ir.DType.FLOAT32:
            raise UnsupportedOpError(f"constant {t.name!r} is {t.dtype.name}; the quantizer takes float32 models "
                                     f"(float16 constants only behind DEQUANTIZE)")


def quantize_model(model: ir.Model, calibration, method: str = "minmax", io: str = "float",
                   progress: Callable | None = None, *, percentile: float = DEFAULT_PERCENTILE) -> ir.Model:
    """The int8 version of float32 `model`, memory-planned and validated.

    calibration: an iterable of samples (per sample one array per model input: an array, a list in input order or
        a dict by name) or a path to .npy/.npz/an image directory (calibration.load_calibration).
    method: "minmax", "percentile" (clip at `percentile` of |values|) or "mse" (MSE-optimal clipping).
    io: "float" keeps float32 model inputs/outputs (QUANTIZE after each input, DEQUANTIZE before each output);
        "int8" makes them the int8 tensors, their quantization on the tensors.
    progress: advanced once per calibration sample (a callable taking 1, or a tqdm bar).
    Raises ValueError for an unknown method/io or empty calibration, UnsupportedOpError for a model it cannot
    quantize (int8 constants, conflicting fixed quantizations).
    """
    if method not in METHODS:
        raise ValueError(f"unknown calibration method {method!r}; expected one of {', '.join(METHODS)}")
    if io not in IO_MODES:
        raise ValueError(f"io must be one of {', '.join(IO_MODES)}, got {io!r}")
    source = widen_float16(model)
    _check_source(source)
    ranges = collect_ranges(source, calibration, method, percentile, progress)
    plan = plan_quantization(source, ranges)
    result = build_int8_model(source, plan, io)
    result.metadata = copy_metadata(source.metadata, quantization=f"int8 post-training ({method}), io {io}")
    result.version = source.version
    apply_plan(result)
    validate(result)
    return result
