"""How close a quantized model stays to its float model: per-layer SQNR and cosine similarity between the float
activations and the dequantized int8 activations (matched by tensor name), and the end-to-end output error.

Matching: for each activation of the float model, the quantized model's tensor "<name>/int8" when present (the
quantized copy of a tensor kept float at a model edge), else the tensor named "<name>". SQNR is
10 log10(sum f^2 / sum (f - q)^2) with both sums taken over all samples (i.e. the ratio of the mean powers); cosine
similarity is averaged over the samples.
"""
from __future__ import annotations

import math

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.quantize.calibration import iter_samples
from tensorlet.converter.quantize.params import dequantize_array, quantize_array
from tensorlet.converter.reference import trace

CLASSIFIER_OPS = (ir.OpCode.SOFTMAX, ir.OpCode.LOG_SOFTMAX)


def _as_float(tensor: ir.Tensor, value: np.ndarray) -> np.ndarray:
    """A tensor's value as float64 real numbers (int8 dequantized with its per-tensor parameters)."""
    if tensor.dtype == ir.DType.INT8 and tensor.quantization is not None:
        q = tensor.quantization
        value = dequantize_array(value, q.scale[0], q.zero_point[0])
    return np.asarray(value, np.float64)


def _model_inputs(model: ir.Model, sample: list[np.ndarray]) -> list[np.ndarray]:
    """Float sample -> the model's input arrays (quantized for int8 inputs)."""
    out = []
    for i, x in zip(model.inputs, sample):
        t = model.tensors[i]
        if t.dtype == ir.DType.INT8:
            x = quantize_array(x, t.quantization.scale[0], t.quantization.zero_point[0])
        out.append(x)
    return out


def _sqnr_db(signal: float, noise: float) -> float:
    if noise == 0.0:
        return math.inf
    if signal == 0.0:
        return -math.inf
    return 10.0 * math.log10(signal / noise)


def _cosine(f: np.ndarray, q: np.ndarray) -> float:
    nf, nq = float(np.linalg.norm(f)), float(np.linalg.norm(q))
    if nf == 0.0 and nq == 0.0:
        return 1.0
    if nf == 0.0 or nq == 0.0:
        return 0.0
    return float(np.dot(f.ravel(), q.ravel()) / (nf * nq))


class _Accumulator:
    """Signal/noise power sums and per-sample cosines of one compared tensor."""

    def __init__(self) -> None:
        self.signal = self.noise = 0.0
        self.cosines: list[float] = []
        self.max_abs = self.abs_sum = 0.0
        self.count = 0

    def add(self, f: np.ndarray, q: np.ndarray) -> None:
        diff = f - q
        self.signal += float(np.sum(f * f))
        self.noise += float(np.sum(diff * diff))
        self.cosines.append(_cosine(f, q))
        self.max_abs = max(self.max_abs, float(np.abs(diff).max(initial=0.0)))
        self.abs_sum += float(np.abs(diff).sum())
        self.count += diff.size

    def sqnr_db(self) -> float:
        return _sqnr_db(self.signal, self.noise)

    def cosine(self) -> float:
        return float(np.mean(self.cosines)) if self.cosines else 1.0


def _producers(model: ir.Model) -> dict[int, str]:
    names = {i: "INPUT" for i in model.inputs}
    for op in model.operators:
        for i in op.outputs:
            names[i] = op.opcode.name
    return names


def _is_classifier(model: ir.Model, index: int) -> bool:
    """An output produced by SOFTMAX/LOG_SOFTMAX (through RESHAPEs), or whose last dim matches the labels."""
    shape = model.tensors[index].shape
    if len(shape) == 0 or shape[-1] < 2:
        return False
    if model.metadata.labels and len(model.metadata.labels) == shape[-1]:
        return True
    producer = {o: op for op in model.operators for o in op.outputs}
    op = producer.get(index)
    while op is not None and op.opcode == ir.OpCode.RESHAPE:
        op = producer.get(op.inputs[0])
    return op is not None and op.opcode in CLASSIFIER_OPS


def _match(quantized: ir.Model) -> dict[str, int]:
    by_name: dict[str, int] = {}
    for i, t in enumerate(quantized.tensors):
        if not t.is_constant:
            by_name.setdefault(t.name, i)
    return by_name


def quantization_report(float_model: ir.Model, int8_model: ir.Model, samples, worst: int = 5,
                        classifier: bool | None = None) -> dict:
    """Compare `int8_model` with `float_model` over `samples` (float inputs, as for quantize_model's calibration).

    Returns a JSON-ready dict:
      samples: count; layers: [{name, op, shape, sqnr_db, cosine}] for each float activation matched by name, in
      execution order; worst: the names of the `worst` layers of lowest SQNR; outputs: per model output {name,
      max_abs, mean_abs, sqnr_db, top1_agreement (None unless classifier-shaped; `classifier` forces it)}.
    """
    by_name = _match(int8_model)
    producers = _producers(float_model)
    order = list(float_model.inputs) + [i for op in float_model.operators for i in op.outputs]
    pairs = []
    for i in dict.fromkeys(order):
        name = float_model.tensors[i].name
        j = by_name.get(f"{name}/int8", by_name.get(name))
        if j is not None:
            pairs.append((i, j))
    layers = {i: _Accumulator() for i, _ in pairs}
    outputs = [_Accumulator() for _ in float_model.outputs]
    agree = [[0, 0] for _ in float_model.outputs]
    count = 0
    for sample in iter_samples(float_model, samples):
        f_values = trace(float_model, sample)
        q_values = trace(int8_model, _model_inputs(int8_model, sample))
        for i, j in pairs:
            layers[i].add(_as_float(float_model.tensors[i], f_values[i]),
                          _as_float(int8_model.tensors[j], q_values[j]))
        for k, (i, j) in enumerate(zip(float_model.outputs, int8_model.outputs)):
            f = _as_float(float_model.tensors[i], f_values[i])
            q = _as_float(int8_model.tensors[j], q_values[j]).reshape(f.shape)
            outputs[k].add(f, q)
            if f.ndim and f.shape[-1] > 1:
                same = np.argmax(f, axis=-1) == np.argmax(q, axis=-1)
                agree[k][0] += int(same.sum())
                agree[k][1] += same.size
        count += 1
    rows = [{"name": float_model.tensors[i].name, "op": producers.get(i, "?"),
             "shape": list(float_model.tensors[i].shape), "sqnr_db": layers[i].sqnr_db(),
             "cosine": layers[i].cosine()} for i, _ in pairs]
    ranked = sorted(rows, key=lambda r: r["sqnr_db"])
    output_rows = []
    for k, i in enumerate(float_model.outputs):
        acc = outputs[k]
        is_classifier = _is_classifier(float_model, i) if classifier is None else classifier
        output_rows.append({
            "name": float_model.tensors[i].name,
            "max_abs": acc.max_abs,
            "mean_abs": acc.abs_sum / acc.count if acc.count else 0.0,
            "sqnr_db": acc.sqnr_db(),
            "top1_agreement": agree[k][0] / agree[k][1] if is_classifier and agree[k][1] else None,
        })
    return {"samples": count, "layers": rows, "worst": [r["name"] for r in ranked[:worst]], "outputs": output_rows}


def _short(name: str, width: int) -> str:
    """A TFLite-style 'a;b;c' name cut to its first part, then to `width` characters."""
    name = name.split(";")[0]
    return name if len(name) <= width else "..." + name[-(width - 3):]


def _number(value: float, digits: int) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:.{digits}f}"


def format_report(report: dict, name_width: int = 48) -> str:
    """The report as an aligned text table: one row per layer (worst layers marked), then the outputs."""
    worst = set(report["worst"])
    header = f"{'#':>3}  {'layer':<{name_width}}  {'op':<18}  {'shape':<16}  {'SQNR dB':>8}  {'cosine':>8}"
    lines = [f"quantization report over {report['samples']} sample(s)", header, "-" * len(header)]
    for n, row in enumerate(report["layers"]):
        shape = "x".join(str(d) for d in row["shape"])
        mark = "  <- worst" if row["name"] in worst else ""
        lines.append(f"{n:>3}  {_short(row['name'], name_width):<{name_width}}  {row['op']:<18}  {shape:<16}  "
                     f"{_number(row['sqnr_db'], 2):>8}  {_number(row['cosine'], 5):>8}{mark}")
    lines.append("")
    out_header = f"{'output':<{name_width}}  {'max abs':>10}  {'mean abs':>10}  {'SQNR dB':>8}  {'top-1':>7}"
    lines += [out_header, "-" * len(out_header)]
    for row in report["outputs"]:
        top1 = "-" if row["top1_agreement"] is None else f"{100.0 * row['top1_agreement']:.1f}%"
        lines.append(f"{_short(row['name'], name_width):<{name_width}}  {row['max_abs']:>10.4g}  "
                     f"{row['mean_abs']:>10.4g}  {_number(row['sqnr_db'], 2):>8}  {top1:>7}")
    return "\n".join(lines)
