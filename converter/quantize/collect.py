"""Run the float model over the calibration samples and observe the range of every activation tensor."""
from __future__ import annotations

from collections.abc import Callable

from tensorlet.converter import ir
from tensorlet.converter.quantize.calibration import iter_samples
from tensorlet.converter.quantize.observers import DEFAULT_PERCENTILE, make_observer
from tensorlet.converter.reference import trace


def _tick(progress) -> None:
    """Advance a progress callback: an object with update() (a tqdm bar) or a callable, called with 1."""
    if progress is None:
        return
    update = getattr(progress, "update", None)
    (update if callable(update) else progress)(1)


def activation_indices(model: ir.Model) -> list[int]:
    """Every non-constant tensor an operator reads or writes, plus the model inputs and outputs, sorted."""
    used = set(model.inputs) | set(model.outputs)
    for op in model.operators:
        used.update(i for i in list(op.inputs) + list(op.outputs) if i >= 0)
    return sorted(i for i in used if not model.tensors[i].is_constant)


def collect_ranges(model: ir.Model, calibration, method: str = "minmax", percentile: float = DEFAULT_PERCENTILE,
                   progress: Callable | None = None) -> dict[int, tuple[float, float]]:
    """{activation tensor index: (min, max) proposed by `method`} over the calibration samples of the float model.

    calibration: an iterable of samples (arrays, lists or dicts; see calibration.as_sample) or a path.
    progress: advanced once per sample (callable(1), or .update(1) of a tqdm bar). Raises ValueError when the
    calibration holds no sample.
    """
    indices = activation_indices(model)
    observers = {i: make_observer(method, percentile) for i in indices}
    count = 0
    for sample in iter_samples(model, calibration):
        values = trace(model, sample)
        for i in indices:
            observers[i].observe(values[i])
        count += 1
        _tick(progress)
    if count == 0:
        raise ValueError("calibration data holds no sample")
    return {i: observers[i].range() for i in indices}
