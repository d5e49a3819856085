"""What a model is made of: per-op shapes, dtypes and MACs, totals, memory plan and metadata, as data and as text."""
from __future__ import annotations

import dataclasses

from tensorlet.converter.ir import Model
from tensorlet.converter.planner import plan
from tensorlet.converter.reference.ops import OPS


def _shape(model: Model, index: int) -> str:
    if index < 0:
        return "-"
    return "x".join(str(d) for d in model.tensors[index].shape) or "scalar"


def summarize(model: Model, file_size: int | None = None) -> dict:
    """A JSON-ready description of `model` (file_size: bytes of its .tlet file, when known)."""
    ops = []
    for n, op in enumerate(model.operators):
        ins = [model.tensors[i] if i >= 0 else None for i in op.inputs]
        outs = [model.tensors[i] for i in op.outputs]
        activations = [model.tensors[i] for i in op.inputs if i >= 0 and not model.tensors[i].is_constant]
        ops.append({
            "index": n,
            "op": op.opcode.name,
            "inputs": [_shape(model, i) for i in op.inputs if i < 0 or not model.tensors[i].is_constant],
            "outputs": [_shape(model, i) for i in op.outputs],
            "dtype": (activations[0] if activations else outs[0]).dtype.name.lower(),
            "macs": int(OPS[op.opcode].macs(op, ins, outs)),
        })
    constants = [t for t in model.tensors if t.is_constant]
    lower_bound = plan(model).lower_bound
    meta = dataclasses.asdict(model.metadata)
    return {
        "ops": ops,
        "totals": {
            "operators": len(model.operators),
            "parameters": sum(t.size for t in constants),
            "parameter_bytes": sum(t.nbytes for t in constants),
            "macs": sum(op["macs"] for op in ops),
            "file_bytes": file_size,
            "arena_bytes": model.arena_bytes,
            "arena_lower_bound": lower_bound,
            "arena_ratio": round(model.arena_bytes / lower_bound, 4) if lower_bound else 1.0,
        },
        "inputs": [{"name": model.tensors[i].name, "shape": list(model.tensors[i].shape),
                    "dtype": model.tensors[i].dtype.name.lower()} for i in model.inputs],
        "outputs": [{"name": model.tensors[i].name, "shape": list(model.tensors[i].shape),
                     "dtype": model.tensors[i].dtype.name.lower()} for i in model.outputs],
        "metadata": meta,
    }


def _human(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def format_summary(summary: dict) -> str:
    """The summary as an aligned text table followed by totals and metadata."""
    header = ("#", "op", "inputs", "outputs", "dtype", "MACs")
    rows = [(str(o["index"]), o["op"], ", ".join(o["inputs"]), ", ".join(o["outputs"]), o["dtype"],
             _human(o["macs"]) if o["macs"] else "-") for o in summary["ops"]]
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    t = summary["totals"]
    lines += [
        "",
        f"operators   {t['operators']}",
        f"parameters  {t['parameters']:,} ({t['parameter_bytes']:,} bytes)",
        f"MACs        {t['macs']:,}",
    ]
    if t["file_bytes"] is not None:
        lines.append(f"file        {t['file_bytes']:,} bytes")
    lines.append(f"arena       {t['arena_bytes']:,} bytes (lower bound {t['arena_lower_bound']:,}, "
                 f"ratio {t['arena_ratio']:.3f})")
    for kind in ("inputs", "outputs"):
        for io in summary[kind]:
            lines.append(f"{kind[:-1]:<11} {io['name']} {io['dtype']}[{','.join(map(str, io['shape']))}]")
    meta = summary["metadata"]
    for key, label in (("producer", "producer"), ("producer_version", "version"), ("description", "description")):
        if meta[key]:
            lines.append(f"{label:<11} {meta[key]}")
    if meta["labels"]:
        lines.append(f"labels      {', '.join(meta['labels'])}")
    if meta["preprocessing"]:
        p = meta["preprocessing"]
        lines.append(f"preprocess  scale {p['scale']:g}, mean {p['mean']}, std {p['std']}, layout {p['layout'] or '-'}")
    for key, value in meta["extra"].items():
        lines.append(f"{key:<11} {value}")
    return "\n".join(lines)
