"""Float16 weight compression: every float32 constant an op reads is stored as a FLOAT16 constant and widened back to
float32 by a DEQUANTIZE right in front of each consumer; all arithmetic stays float32. Also the inverse used before
int8 quantization: fold such DEQUANTIZE ops back into float32 constants.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.validate import validate

FLOAT16_MAX = float(np.finfo(np.float16).max)


def copy_metadata(metadata: ir.Metadata, **extra: str) -> ir.Metadata:
    """A copy of metadata (lists and dicts copied) with `extra` added to metadata.extra."""
    copied = dataclasses.replace(metadata, input_names=list(metadata.input_names),
                                 output_names=list(metadata.output_names), labels=list(metadata.labels),
                                 extra={**metadata.extra, **extra})
    if metadata.preprocessing is not None:
        p = metadata.preprocessing
        copied.preprocessing = dataclasses.replace(p, mean=list(p.mean), std=list(p.std))
    return copied


class _Graph:
    """A new model's tensors and operators, copying source tensors on first use (so unused ones drop out)."""

    def __init__(self, source: ir.Model) -> None:
        self.source = source
        self.tensors: list[ir.Tensor] = []
        self.index: dict[int, int] = {}
        self.names = {t.name for t in source.tensors}

    def add(self, tensor: ir.Tensor) -> int:
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def copy(self, i: int) -> int:
        if i < 0:
            return -1
        if i not in self.index:
            t = self.source.tensors[i]
            self.index[i] = self.add(dataclasses.replace(t, shape=tuple(t.shape), arena_offset=-1))
        return self.index[i]

    def unique(self, name: str) -> str:
        candidate, k = name, 2
        while candidate in self.names:
            candidate, k = f"{name}/{k}", k + 1
        self.names.add(candidate)
        return candidate


def widen_float16(model: ir.Model) -> ir.Model:
    """`model` with each DEQUANTIZE of a FLOAT16 constant folded into a float32 constant (not memory-planned)."""
    graph = _Graph(model)
    folded: dict[int, int] = {}
    operators = []
    for op in model.operators:
        x = model.tensors[op.inputs[0]] if op.inputs and op.inputs[0] >= 0 else None
        if op.opcode == ir.OpCode.DEQUANTIZE and x is not None and x.is_constant and x.dtype == ir.DType.FLOAT16:
            out = model.tensors[op.outputs[0]]
            folded[op.outputs[0]] = graph.add(ir.Tensor(out.name, tuple(out.shape), ir.DType.FLOAT32, None,
                                                        data=x.data.astype(np.float32)))
            continue
        inputs = [folded[i] if i in folded else graph.copy(i) for i in op.inputs]
        operators.append(dataclasses.replace(op, inputs=inputs, outputs=[graph.copy(i) for i in op.outputs]))
    inputs = [graph.copy(i) for i in model.inputs]
    outputs = [folded[i] if i in folded else graph.copy(i) for i in model.outputs]
    return ir.Model(graph.tensors, operators, inputs, outputs, copy_metadata(model.metadata), version=model.version)


def quantize_float16(model: ir.Model) -> ir.Model:
    """`model` with its float32 constants stored as FLOAT16 (values past +/-65504 clipped to it), each consumer
    reading them through its own DEQUANTIZE to float32; memory-planned and validated."""
    graph = _Graph(model)
    halves: dict[int, int] = {}
    operators = []
    inputs = [graph.copy(i) for i in model.inputs]
    for op in model.operators:
        new_inputs = []
        for i in op.inputs:
            t = model.tensors[i] if i >= 0 else None
            if t is None or not t.is_constant or t.dtype != ir.DType.FLOAT32:
                new_inputs.append(graph.copy(i))
                continue
            if i not in halves:
                data = np.clip(t.data, -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)
                halves[i] = graph.add(ir.Tensor(t.name, tuple(t.shape), ir.DType.FLOAT16, None, data=data))
            widened = graph.add(ir.Tensor(graph.unique(f"{t.name}/dequantized"), tuple(t.shape)))
            operators.append(ir.Operator(ir.OpCode.DEQUANTIZE, [halves[i]], [widened]))
            new_inputs.append(widened)
        operators.append(dataclasses.replace(op, inputs=new_inputs, outputs=[graph.copy(i) for i in op.outputs]))
    outputs = [graph.copy(i) for i in model.outputs]
    result = ir.Model(graph.tensors, operators, inputs, outputs,
                      copy_metadata(model.metadata, quantization="float16 weights"), version=model.version)
    apply_plan(result)
    validate(result)
    return result
