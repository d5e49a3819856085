"""Calibration data: samples for a model's inputs, from arrays in memory, .npy/.npz files or a directory of images.

A sample is a list with one float32 array per model input, each of that input's exact shape.
  .npy        one input: samples along the first axis (each slice reshaped to the input's shape).
  .npz        one array per input, matched by input tensor name, metadata input name, or in file order; all
              arrays hold the same number of samples along their first axis.
  directory   PNG/JPEG images (Pillow), sorted by file name: grayscale or RGB per the input's channel count,
              resized (bilinear) to the input's H and W, laid out NHWC or NCHW as the input is, and preprocessed
              with the model's metadata: x' = (x * scale - mean[c]) / std[c] on raw 0..255 pixel values.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from tensorlet.converter import ir
from tensorlet.errors import ShapeError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _input_tensors(model: ir.Model) -> list[ir.Tensor]:
    return [model.tensors[i] for i in model.inputs]


def _fit(array: np.ndarray, tensor: ir.Tensor, what: str) -> np.ndarray:
    """array -> float32 of the tensor's shape (a reshape of equal size, e.g. without the batch dim of 1)."""
    array = np.asarray(array, dtype=np.float32)
    if array.size != tensor.size:
        raise ShapeError(f"{what} has shape {list(array.shape)} ({array.size} values); input {tensor.name!r} "
                         f"takes shape {list(tensor.shape)} ({tensor.size} values)")
    return np.ascontiguousarray(array.reshape(tensor.shape))


def as_sample(model: ir.Model, item) -> list[np.ndarray]:
    """One calibration item (an array for a one-input model, a list/tuple in input order, or a dict by input
    name) -> [float32 array per model input, each of the input's shape]."""
    tensors = _input_tensors(model)
    if isinstance(item, Mapping):
        names = [t.name for t in tensors]
        aliases = dict(zip(model.metadata.input_names, names)) if model.metadata.input_names else {}
        item = {aliases.get(k, k): v for k, v in item.items()}
        missing = [n for n in names if n not in item]
        if missing:
            raise ShapeError(f"calibration sample lacks inputs {missing}; the model takes {names}")
        item = [item[n] for n in names]
    elif isinstance(item, np.ndarray) or not isinstance(item, (list, tuple)):
        item = [item]
    if len(item) != len(tensors):
        raise ShapeError(f"calibration sample holds {len(item)} arrays, the model takes {len(tensors)} inputs")
    return [_fit(a, t, f"calibration array for {t.name!r}") for a, t in zip(item, tensors)]


def iter_samples(model: ir.Model, calibration) -> Iterator[list[np.ndarray]]:
    """Samples from an iterable of items (see as_sample) or a path (see load_calibration)."""
    if isinstance(calibration, (str, Path)):
        calibration = load_calibration(calibration, model)
    if not isinstance(calibration, Iterable):
        raise TypeError(f"calibration must be an iterable of samples or a path, got {type(calibration).__name__}")
    for item in calibration:
        yield as_sample(model, item)


def _split(array: np.ndarray, tensor: ir.Tensor, what: str) -> list[np.ndarray]:
    """[N, ...] -> N arrays of the tensor's shape; an array of exactly one sample's size is one sample."""
    array = np.asarray(array)
    if array.size == tensor.size:
        return [_fit(array, tensor, what)]
    if array.ndim == 0 or array.size != array.shape[0] * tensor.size:
        raise ShapeError(f"{what} has shape {list(array.shape)}: expected N samples of {tensor.size} values "
                         f"(input {tensor.name!r} of shape {list(tensor.shape)}) along the first axis")
    return [_fit(a, tensor, what) for a in array]


def _from_npy(path: Path, model: ir.Model) -> list[list[np.ndarray]]:
    tensors = _input_tensors(model)
    if len(tensors) != 1:
        raise ShapeError(f"{path.name}: an .npy file feeds one input, the model takes {len(tensors)}; use .npz")
    return [[x] for x in _split(np.load(path, allow_pickle=False), tensors[0], path.name)]


def _from_npz(path: Path, model: ir.Model) -> list[list[np.ndarray]]:
    tensors = _input_tensors(model)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    names = [t.name for t in tensors]
    meta = list(model.metadata.input_names) or names
    if all(n in arrays for n in names):
        chosen = [arrays[n] for n in names]
    elif all(n in arrays for n in meta):
        chosen = [arrays[n] for n in meta]
    elif len(arrays) == len(tensors):
        chosen = list(arrays.values())
    else:
        raise ShapeError(f"{path.name} holds arrays {sorted(arrays)}; the model takes inputs {names}")
    per_input = [_split(a, t, f"{path.name}[{t.name}]") for a, t in zip(chosen, tensors)]
    counts = {len(p) for p in per_input}
    if len(counts) != 1:
        raise ShapeError(f"{path.name}: the inputs hold different numbers of samples {sorted(counts)}")
    return [list(sample) for sample in zip(*per_input)]


def input_layout(model: ir.Model, tensor: ir.Tensor) -> str:
    """"NHWC" or "NCHW" for an image input [N,H,W,C] / [N,C,H,W] (or [H,W,C] / [C,H,W]): from the shape when
    only one end holds 1 or 3 channels, else from metadata.preprocessing.layout, else NHWC."""
    shape = tuple(tensor.shape)
    if len(shape) == 3:
        shape = (1,) + shape
    if len(shape) != 4:
        raise ShapeError(f"input {tensor.name!r} of shape {list(tensor.shape)} is not an image ([N,H,W,C] or "
                         f"[N,C,H,W])")
    last, first = shape[3] in (1, 3), shape[1] in (1, 3)
    if last != first:
        return "NHWC" if last else "NCHW"
    pre = model.metadata.preprocessing
    layout = (pre.layout if pre is not None else "").upper()
    if layout in ("NHWC", "NCHW"):
        return layout
    if not last:
        raise ShapeError(f"input {tensor.name!r} of shape {list(tensor.shape)} has neither 1 nor 3 channels")
    return "NHWC"


def _preprocess(pixels: np.ndarray, pre: ir.Preprocessing | None) -> np.ndarray:
    """pixels: float32 [H,W,C] in 0..255 -> (x * scale - mean[c]) / std[c], float32 [H,W,C]."""
    if pre is None:
        return pixels
    channels = pixels.shape[2]
    mean = np.asarray(pre.mean or [0.0], np.float32)
    std = np.asarray(pre.std or [1.0], np.float32)
    for name, v in (("mean", mean), ("std", std)):
        if v.size not in (1, channels):
            raise ShapeError(f"preprocessing {name} has {v.size} values for an image of {channels} channels")
    if np.any(std == 0):
        raise ShapeError("preprocessing std holds 0")
    return ((pixels * np.float32(pre.scale) - mean) / std).astype(np.float32)


def load_image(path: Path, model: ir.Model, tensor: ir.Tensor) -> np.ndarray:
    """One image file -> float32 array of the input's shape (layout, size, channels and preprocessing applied)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("loading calibration images needs Pillow (pip install pillow)") from None
    layout = input_layout(model, tensor)
    shape = tuple(tensor.shape) if len(tensor.shape) == 4 else (1,) + tuple(tensor.shape)
    h, w, c = (shape[1], shape[2], shape[3]) if layout == "NHWC" else (shape[2], shape[3], shape[1])
    if c not in (1, 3):
        raise ShapeError(f"input {tensor.name!r} has {c} channels; images load as grayscale (1) or RGB (3)")
    with Image.open(path) as image:
        image = image.convert("L" if c == 1 else "RGB").resize((w, h), Image.BILINEAR)
        pixels = np.asarray(image, np.float32).reshape(h, w, c)
    x = _preprocess(pixels, model.metadata.preprocessing)
    if layout == "NCHW":
        x = x.transpose(2, 0, 1)
    return np.ascontiguousarray(x.reshape(tensor.shape))


def _from_images(directory: Path, model: ir.Model) -> list[list[np.ndarray]]:
    tensors = _input_tensors(model)
    if len(tensors) != 1:
        raise ShapeError(f"an image directory feeds one input, the model takes {len(tensors)}")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise FileNotFoundError(f"{directory} holds no {'/'.join(IMAGE_SUFFIXES)} images")
    return [[load_image(p, model, tensors[0])] for p in files]


def load_calibration(path, model: ir.Model, limit: int | None = None) -> list[list[np.ndarray]]:
    """Samples for `model` from an .npy or .npz file or an image directory (see the module docstring), at most
    `limit` of them. Raises ShapeError when the data does not fit the model's inputs."""
    path = Path(path)
    if path.is_dir():
        samples = _from_images(path, model)
    elif path.suffix.lower() == ".npy":
        samples = _from_npy(path, model)
    elif path.suffix.lower() == ".npz":
        samples = _from_npz(path, model)
    else:
        raise ValueError(f"{path}: calibration data must be an .npy or .npz file or a directory of images")
    return samples if limit is None else samples[:limit]
