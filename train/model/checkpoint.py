"""Checkpoints: one .npz holding every layer's params and buffers (keyed by layer position), the optimizer state
when the model is compiled, and a JSON "meta" entry (format, layer names and types, epochs done, optimizer)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import TensorletError

if TYPE_CHECKING:
    from .model import Model

FORMAT = "tensorlet.train.checkpoint/1"


class CheckpointError(TensorletError):
    """A checkpoint that is not one, or that does not fit the model it is loaded into."""


def save(model: "Model", path: str | Path) -> None:
    """Write model's checkpoint to path (exactly that name)."""
    arrays: dict[str, np.ndarray] = {}
    for i, layer in enumerate(model.layers):
        arrays.update({f"layers/{i}/params/{k}": t.data for k, t in layer.params.items()})
        arrays.update({f"layers/{i}/buffers/{k}": b for k, b in layer.buffers.items()})
    optimizer = None
    if model.compiled is not None:
        optimizer = type(model.compiled.optimizer).__name__
        arrays.update({f"optimizer/{k}": v for k, v in model.compiled.optimizer.state_dict().items()})
    meta = {"format": FORMAT, "epochs_done": model.epochs_done, "optimizer": optimizer,
            "layers": [[layer.name, type(layer).__name__] for layer in model.layers]}
    arrays["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _meta(arrays, path) -> dict:
    try:
        meta = json.loads(str(arrays["meta"]))
    except (KeyError, ValueError) as e:
        raise CheckpointError(f"{path} is not a tensorlet.train checkpoint (no meta entry)") from e
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {meta.get('format')!r}, expected {FORMAT!r}")
    return meta


def load(model: "Model", path: str | Path) -> int:
    """Restore path into model (in place, so a bound optimizer keeps its parameters); returns the epochs done."""
    with np.load(path, allow_pickle=False) as arrays:
        meta = _meta(arrays, path)
        types = [t for _, t in meta["layers"]]
        if types != [type(layer).__name__ for layer in model.layers]:
            raise CheckpointError(f"{path} holds layers {types}, the model has "
                                  f"{[type(layer).__name__ for layer in model.layers]}")
        for i, layer in enumerate(model.layers):
            targets = {f"params/{k}": t.data for k, t in layer.params.items()}
            targets.update({f"buffers/{k}": b for k, b in layer.buffers.items()})
            for key, target in targets.items():
                name = f"layers/{i}/{key}"
                if name not in arrays.files or arrays[name].shape != target.shape:
                    found = arrays[name].shape if name in arrays.files else "nothing"
                    raise CheckpointError(f"{path}: layer {i} ({layer.name}) {key} {target.shape} found {found}")
                target[...] = arrays[name]
        if model.compiled is not None and meta["optimizer"] is not None:
            optimizer = model.compiled.optimizer
            if type(optimizer).__name__ != meta["optimizer"]:
                raise CheckpointError(f"{path} holds {meta['optimizer']} state, the model is compiled with "
                                      f"{type(optimizer).__name__}")
            try:
                optimizer.load_state_dict({k[len("optimizer/"):]: arrays[k] for k in arrays.files
                                           if k.startswith("optimizer/")})
            except ValueError as e:
                raise CheckpointError(f"{path}: {e}") from e
    model.epochs_done = int(meta["epochs_done"])
    return model.epochs_done
