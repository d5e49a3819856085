"""The IR under construction and the value table the lowerings read and write: constants, activations and the
layouts they are stored in; moving a value between layouts emits a RESHAPE where memory order allows, else a TRANSPOSE.

Activations of a QDQ graph may be stored as int8 (the tensor carries the quantization). Ops that only move data keep
their input's dtype and quantization. Outside an int8 lowering (`int8` False) a lowering reading an int8 activation
gets its float value, a DEQUANTIZE made once.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.layout import (Layout, expanded, identity, inverse, is_pure_reshape,
                                                    transpose_between)
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.converter.reference.ops import OPS

if TYPE_CHECKING:
    from tensorlet.converter.onnx_import.weights import Weights

Operand = Activation | np.ndarray
MOVEMENT = (ir.OpCode.RESHAPE, ir.OpCode.TRANSPOSE, ir.OpCode.SLICE, ir.OpCode.PAD)  # keep dtype and quantization


class Builder:
    """Tensors and operators of the IR model being built, and every ONNX value bound so far."""

    def __init__(self, constants: dict[str, np.ndarray]):
        self.tensors: list[ir.Tensor] = []
        self.operators: list[ir.Operator] = []
        self.inputs: list[int] = []
        self.constants = constants
        self.activations: dict[str, Activation] = {}
        self._names: set[str] = set()
        self._converted: dict[tuple[int, Layout], int] = {}  # (source tensor, target layout) -> tensor
        self._outputs: set[int] = set()
        self.views: dict[int, int] = {}  # tensor -> a tensor of another shape holding it in the same memory order
        self.int8 = False  # lowerings read int8 activations as stored (an int8 lowering, or a layout op on them)
        self.integers: dict[str, np.dtype] = {}  # ONNX int8/uint8 activations (QuantizeLinear outputs) -> type
        self.quantized_constants: dict[str, Weights] = {}  # DequantizeLinear'd constants, as integers and scales
        self._dequantized: dict[int, Activation] = {}  # int8 tensor -> its float value

    # values

    def is_constant(self, name: str) -> bool:
        return name in self.constants

    def constant(self, name: str) -> np.ndarray:
        return self.constants[name]

    def activation(self, name: str) -> Activation:
        """The activation `name` (its float value unless `int8`); ValueError when it is a constant (the lowering
        needs a run-time value there)."""
        if name not in self.activations:
            raise ValueError(f"{name!r} is a constant where only a value computed at run time is supported")
        value = self.activations[name]
        return value if self.int8 or not self.is_quantized(value) else self.dequantized(value)

    def value(self, name: str) -> Operand:
        return self.constants[name] if name in self.constants else self.activation(name)

    @contextmanager
    def int8_reads(self) -> Iterator[None]:
        """Inside, lowerings read int8 activations as stored (no DEQUANTIZE)."""
        self.int8 = True
        try:
            yield
        finally:
            self.int8 = False

    def is_quantized(self, value: Activation) -> bool:
        """True when the activation is stored as int8."""
        return self.tensors[value.stored[value.primary]].dtype == ir.DType.INT8

    def quantization(self, value: Activation) -> ir.Quantization | None:
        """The quantization of an int8 activation (None for float32)."""
        return self.tensors[value.stored[value.primary]].quantization

    def bind(self, name: str, value: Operand) -> None:
        """Make ONNX value `name` refer to `value` (an alias shares the stored tensors)."""
        if isinstance(value, Activation):
            self.activations[name] = Activation(name, value.shape, value.stored)
        else:
            self.constants[name] = np.asarray(value)

    def add_input(self, name: str, shape: tuple[int, ...], dtype: ir.DType = ir.DType.FLOAT32,
                  quantization: ir.Quantization | None = None) -> Activation:
        """A model input, stored as the user feeds it (identity layout)."""
        index = self.new_tensor(name, shape, dtype=dtype, quantization=quantization)
        self.inputs.append(index)
        self.activations[name] = Activation(name, shape, {identity(len(shape)): index})
        return self.activations[name]

    # tensors and operators

    def new_tensor(self, name: str, shape: tuple[int, ...], data: np.ndarray | None = None,
                   dtype: ir.DType = ir.DType.FLOAT32, quantization: ir.Quantization | None = None) -> int:
        """A new IR tensor (a constant when `data` is given) under a name not used before."""
        unique, count = name, 1
        while unique in self._names:
            count += 1
            unique = f"{name}#{count}"
        self._names.add(unique)
        self.tensors.append(ir.Tensor(unique, tuple(int(d) for d in shape), dtype, quantization, data))
        return len(self.tensors) - 1

    def constant_tensor(self, name: str, array: np.ndarray) -> int:
        data = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
        return self.new_tensor(name, data.shape, data)

    def emit(self, opcode: ir.OpCode, inputs: list[int], stored_shape: tuple[int, ...], name: str,
             options: object | None = None, quantization: ir.Quantization | None = None) -> int:
        """Append an operator writing a new tensor `name` of `stored_shape`; its index. The output is int8 with
        `quantization` when given, else it has the input's dtype and quantization for a MOVEMENT op, else float32."""
        dtype = ir.DType.INT8 if quantization is not None else ir.DType.FLOAT32
        if quantization is None and opcode in MOVEMENT:
            dtype, quantization = self.tensors[inputs[0]].dtype, self.tensors[inputs[0]].quantization
        output = self.new_tensor(name, stored_shape, dtype=dtype, quantization=quantization)
        self.operators.append(ir.Operator(opcode, list(inputs), [output], options))
        return output

    def produce(self, opcode: ir.OpCode, inputs: list[int], name: str, shape: tuple[int, ...], layout: Layout,
                options: object | None = None, quantization: ir.Quantization | None = None) -> Activation:
        """Append an operator computing an activation of logical `shape`, stored in `layout` (see emit)."""
        label = name if layout.is_identity else f"{name}/{layout.tag}"
        index = self.emit(opcode, inputs, layout.stored_shape(shape), label, options, quantization)
        return Activation(name, tuple(shape), {layout: index})

    def prepare(self, op: ir.Operator) -> None:
        """Set an int8 op's QuantParams from its tensors (the reference op's prepare)."""
        ins = [self.tensors[i] if i >= 0 else None for i in op.inputs]
        op.quant_params = OPS[op.opcode].prepare(op, ins, [self.tensors[i] for i in op.outputs])

    # quantized values

    def quantized(self, value: Activation, quantization: ir.Quantization, name: str) -> Activation:
        """`value` (float32, or int8 of another quantization) as int8 with `quantization`: a QUANTIZE where it is
        stored."""
        layout = value.primary
        result = self.produce(ir.OpCode.QUANTIZE, [value.stored[layout]], name, value.shape, layout,
                              quantization=quantization)
        self.prepare(self.operators[-1])
        return result

    def dequantized(self, value: Activation) -> Activation:
        """The float value of an int8 activation: a DEQUANTIZE where it is stored, made once."""
        layout = value.primary
        index = value.stored[layout]
        if index not in self._dequantized:
            self._dequantized[index] = self.produce(ir.OpCode.DEQUANTIZE, [index], f"{value.name}/dequantized",
                                                    value.shape, layout)
        return self._dequantized[index]

    # layouts

    def operand(self, value: Operand, layout: Layout, name: str) -> int:
        """The tensor of an activation in `layout`, or a constant rearranged for it (float32)."""
        if isinstance(value, Activation):
            return self.tensor(value, layout)
        return self.constant_tensor(name, layout.store(np.asarray(value, dtype=np.float32)))

    def tensor(self, value: Activation, layout: Layout) -> int:
        """The tensor holding `value` in `layout` (whose rank may exceed the value's: leading unit axes are added),
        materializing it with RESHAPE/TRANSPOSE ops the first time."""
        if layout in value.stored:
            return value.stored[layout]
        extra = layout.rank - value.rank
        if not value.axis_layouts():
            self._unflatten(value)
        source = min(value.axis_layouts(), key=lambda s: self._conversion_cost(value, s, layout))
        index, shape = value.stored[source], value.shape
        if extra:
            key = (index, expanded(source, extra))
            if key not in self._converted:
                self._converted[key] = self.emit(ir.OpCode.RESHAPE, [index], key[1].stored_shape((1,) * extra + shape),
                                                 f"{value.name}/rank{layout.rank}")
            index, source, shape = self._converted[key], key[1], (1,) * extra + shape
        key = (index, layout)
        if key not in self._converted:
            self._converted[key] = self._convert(index, shape, source, layout, value.name)
        if not extra:
            value.stored[layout] = self._converted[key]
        return self._converted[key]

    def _convert(self, index: int, shape: tuple[int, ...], source: Layout, target: Layout, name: str) -> int:
        """TRANSPOSE (or the equivalent RESHAPE) of tensor `index` from one axis layout to another."""
        perm = transpose_between(source, target)
        label = name if target.is_identity else f"{name}/{target.tag}"
        stored = source.stored_shape(shape)
        if is_pure_reshape(stored, perm):
            return self.emit(ir.OpCode.RESHAPE, [index], target.stored_shape(shape), label)
        return self.emit(ir.OpCode.TRANSPOSE, [index], target.stored_shape(shape), label,
                         ir.TransposeOptions(perm=perm))

    def _unflatten(self, value: Activation) -> None:
        """Store a value held only in a flat layout in its identity layout (RESHAPE, TRANSPOSE, RESHAPE)."""
        flat = value.primary
        lead = value.rank - 1
        block = tuple(flat.flat_dims[p] for p in flat.flat_perm)
        split = self.emit(ir.OpCode.RESHAPE, [value.stored[flat]], value.shape[:lead] + block, f"{value.name}/split")
        perm = tuple(range(lead)) + tuple(lead + p for p in inverse(flat.flat_perm))
        ordered = self.emit(ir.OpCode.TRANSPOSE, [split], value.shape[:lead] + flat.flat_dims,
                            f"{value.name}/ordered", ir.TransposeOptions(perm=perm))
        value.stored[identity(value.rank)] = self.emit(ir.OpCode.RESHAPE, [ordered], value.shape, value.name)

    def _conversion_cost(self, value: Activation, source: Layout, target: Layout) -> float:
        """0 when stored already, 1 for a RESHAPE, 2 for a TRANSPOSE (3 when only a flat layout exists)."""
        if target in value.stored:
            return 0
        if target.is_flat:
            return math.inf
        if source.is_flat:
            return 3
        extra = target.rank - value.rank
        start = expanded(source, extra) if extra else source
        shape = (1,) * extra + value.shape
        return 1 if is_pure_reshape(start.stored_shape(shape), transpose_between(start, target)) else 2

    def cost(self, value: Activation, target: Layout) -> float:
        """The cheapest way to have `value` in `target` (see _conversion_cost)."""
        return min(self._conversion_cost(value, s, target) for s in value.stored)

    def choose_layout(self, values: list[Activation], rank: int, allow_flat: bool = True) -> Layout:
        """The layout of rank `rank` that the activations reach most cheaply; ties go to a channels-last
        (non-identity) layout, as a following conv wants it."""
        candidates: list[Layout] = []
        for value in values:
            for layout in value.stored:
                if layout.is_flat:
                    if allow_flat and value.rank == rank:
                        candidates.append(layout)
                    continue
                candidates.append(expanded(layout, rank - value.rank) if rank > value.rank else layout)
        candidates = list(dict.fromkeys(candidates + [identity(rank)]))
        return min(candidates, key=lambda c: (sum(self.cost(v, c) for v in values), c.is_identity))

    # the model

    def model(self, outputs: list[int], metadata: ir.Metadata) -> ir.Model:
        """The IR model computing `outputs`: operators nothing reads (layouts made speculatively) are dropped and
        the remaining tensors renumbered."""
        needed, kept = set(outputs), []
        for op in reversed(self.operators):
            if needed.intersection(op.outputs):
                kept.append(op)
                needed.update(i for i in op.inputs if i >= 0)
        kept.reverse()
        used = sorted(set(self.inputs) | set(outputs) | {i for op in kept for i in op.inputs + op.outputs if i >= 0})
        number = {old: new for new, old in enumerate(used)}
        for op in kept:
            op.inputs = [number[i] if i >= 0 else -1 for i in op.inputs]
            op.outputs = [number[i] for i in op.outputs]
        return ir.Model([self.tensors[i] for i in used], kept, [number[i] for i in self.inputs],
                        [number[i] for i in outputs], metadata)

    def output(self, name: str) -> int:
        """The tensor of graph output `name` in the identity layout, named `name`: a RESHAPE copy where the tensor
        is a model input or another output, else the tensor itself (renamed if need be)."""
        value = self.activations[name]
        index = self.tensor(value, identity(value.rank))
        if index in self.inputs or index in self._outputs:
            index = self.emit(ir.OpCode.RESHAPE, [index], value.shape, name)
        if self.tensors[index].name != name:
            for k, tensor in enumerate(self.tensors):
                if tensor.name == name and k not in self.inputs:
                    tensor.name = f"{name}#internal"
            self.tensors[index].name = name
        self._outputs.add(index)
        return index
