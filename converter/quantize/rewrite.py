"""Build the int8 model from a float source model and its QuantPlan.

Every source activation has a native version, the dtype its producer computes (int8 for int8 ops, float32 for
float-only ops and DEQUANTIZE, the `io` dtype for model inputs), and gets its other version on demand: a QUANTIZE
(float -> int8) or DEQUANTIZE (int8 -> float) emitted right before the first op that needs it. A CONCATENATION input
marked for requantization is read through an int8 -> int8 QUANTIZE. Model inputs and outputs take the `io` dtype
(a source tensor that is already int8 stays int8).

Names: the version that is a model input/output keeps the source name, otherwise the native version does; the other
version is named "<name>/int8" or "<name>/float", a requantized copy "<name>/requantized". Constants: conv-like
weights become per-channel symmetric int8, biases int32 (one per distinct input scale), other constants read by int8
ops int8 with the plan's parameters; constants read by float ops stay float32.
"""
from __future__ import annotations

from tensorlet.converter import ir
from tensorlet.converter.quantize.groups import Params, QuantPlan
from tensorlet.converter.quantize.params import quantize_array, quantize_bias, quantize_weights, scales_for_bias
from tensorlet.converter.quantize.rules import BIAS, FLOAT, INT8, TO_FLOAT, WEIGHT_AXIS, WEIGHTS
from tensorlet.converter.reference.ops import OPS

FLOAT32, INT8_DTYPE = ir.DType.FLOAT32, ir.DType.INT8
KIND_OF = {FLOAT32: "float", INT8_DTYPE: "int8"}


def _quantization(params: Params) -> ir.Quantization:
    return ir.Quantization(scale=[float(params[0])], zero_point=[int(params[1])])


class _Builder:
    def __init__(self, source: ir.Model, plan: QuantPlan, io: str) -> None:
        self.source, self.plan = source, plan
        self.io_dtype = INT8_DTYPE if io == "int8" else FLOAT32
        self.tensors: list[ir.Tensor] = []
        self.operators: list[ir.Operator] = []
        self.versions: dict[tuple, int] = {}     # (source index, "float"|"int8"|params) -> new index
        self.constants: dict[tuple, int] = {}
        self.names: set[str] = set()
        self.native = self._native_dtypes()
        self.owner = self._name_owners()

    # -- which version is computed, and which keeps the name --------------------------------------------------
    def _io_dtype_of(self, i: int) -> ir.DType:
        return INT8_DTYPE if self.source.tensors[i].dtype == INT8_DTYPE else self.io_dtype

    def _native_dtypes(self) -> dict[int, ir.DType]:
        native = {i: self._io_dtype_of(i) for i in self.source.inputs}
        for op, kind in zip(self.source.operators, self.plan.kinds):
            for i in op.outputs:
                native[i] = FLOAT32 if kind in (FLOAT, TO_FLOAT) else INT8_DTYPE
        return native

    def _name_owners(self) -> dict[int, ir.DType]:
        owner = dict(self.native)
        for i in list(self.source.inputs) + list(self.source.outputs):
            owner[i] = self._io_dtype_of(i)
        return owner

    def _name(self, i: int, dtype: ir.DType) -> str:
        name = self.source.tensors[i].name
        return name if self.owner.get(i) == dtype else f"{name}/{KIND_OF[dtype]}"

    def _unique(self, name: str) -> str:
        candidate, k = name, 2
        while candidate in self.names:
            candidate, k = f"{name}/{k}", k + 1
        return candidate

    def _add(self, tensor: ir.Tensor) -> int:
        self.names.add(tensor.name)
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    # -- activations -----------------------------------------------------------------------------------------
    def _new_activation(self, i: int, dtype: ir.DType) -> int:
        t = self.source.tensors[i]
        quant = _quantization(self.plan.params[i]) if dtype == INT8_DTYPE else None
        index = self._add(ir.Tensor(self._name(i, dtype), tuple(t.shape), dtype, quant))
        self.versions[(i, dtype)] = index
        return index

    def _emit(self, opcode: ir.OpCode, inputs: list[int], outputs: list[int], options=None) -> ir.Operator:
        op = ir.Operator(opcode, inputs, outputs, options)
        ins = [self.tensors[i] if i >= 0 else None for i in inputs]
        outs = [self.tensors[i] for i in outputs]
        if any(t is not None and not t.is_constant and t.dtype == INT8_DTYPE for t in ins + outs):
            op.quant_params = OPS[opcode].prepare(op, ins, outs)
        self.operators.append(op)
        return op

    def version(self, i: int, dtype: ir.DType) -> int:
        """The new index of source activation i as `dtype`, converting from the native version if needed."""
        if (i, dtype) in self.versions:
            return self.versions[(i, dtype)]
        other = self.versions[(i, self.native[i])]
        target = self._new_activation(i, dtype)
        opcode = ir.OpCode.QUANTIZE if dtype == INT8_DTYPE else ir.OpCode.DEQUANTIZE
        self._emit(opcode, [other], [target])
        return target

    def requantized(self, i: int, params: Params) -> int:
        """Source activation i as int8 with `params`, through an int8 -> int8 QUANTIZE when they differ."""
        base = self.version(i, INT8_DTYPE)
        if tuple(self.plan.params[i]) == tuple(params):
            return base
        key = (i, params)
        if key not in self.versions:
            t = self.source.tensors[i]
            name = self._unique(f"{t.name}/requantized")
            self.versions[key] = self._add(ir.Tensor(name, tuple(t.shape), INT8_DTYPE, _quantization(params)))
            self._emit(ir.OpCode.QUANTIZE, [base], [self.versions[key]])
        return self.versions[key]

    # -- constants -------------------------------------------------------------------------------------------
    def _constant(self, key: tuple, tensor: ir.Tensor) -> int:
        if key not in self.constants:
            tensor.name = self._unique(tensor.name)
            self.constants[key] = self._add(tensor)
        return self.constants[key]

    def float_constant(self, i: int) -> int:
        t = self.source.tensors[i]
        return self._constant((i, "float"), ir.Tensor(t.name, tuple(t.shape), FLOAT32, None, data=t.data))

    def int8_constant(self, i: int, params: Params) -> int:
        t = self.source.tensors[i]
        data = quantize_array(t.data, *params)
        return self._constant((i, params), ir.Tensor(t.name, tuple(t.shape), INT8_DTYPE, _quantization(params),
                                                     data=data))

    def weights_and_bias(self, op: ir.Operator, input_scale: float) -> tuple[int, int]:
        """New (weights, bias or -1) of an int8 conv-like op reading its input at input_scale."""
        axis = WEIGHT_AXIS[op.opcode]
        w = self.source.tensors[op.inputs[WEIGHTS]]
        b_index = op.inputs[BIAS] if len(op.inputs) > BIAS else -1
        bias = self.source.tensors[b_index].data if b_index >= 0 else None
        q, scales = quantize_weights(w.data, axis)
        needed = scales_for_bias(bias, input_scale, scales)
        if needed != scales:
            q, scales = quantize_weights(w.data, axis, needed)
        channel_axis = axis if len(scales) > 1 else -1
        w_quant = ir.Quantization(scale=scales, zero_point=[0] * len(scales), axis=channel_axis)
        w_new = self._constant((op.inputs[WEIGHTS], "weights", tuple(scales)),
                               ir.Tensor(w.name, tuple(w.shape), INT8_DTYPE, w_quant, data=q))
        if bias is None:
            return w_new, -1
        qb, b_scales = quantize_bias(bias, input_scale, scales)
        b = self.source.tensors[b_index]
        b_quant = ir.Quantization(scale=b_scales, zero_point=[0] * len(b_scales),
                                  axis=0 if len(b_scales) > 1 else -1)
        b_new = self._constant((b_index, "bias", tuple(b_scales)),
                               ir.Tensor(b.name, tuple(b.shape), ir.DType.INT32, b_quant, data=qb))
        return w_new, b_new

    # -- operators -------------------------------------------------------------------------------------------
    def _int8_inputs(self, n: int, op: ir.Operator) -> list[int]:
        inputs = []
        for k, i in enumerate(op.inputs):
            if i < 0:
                inputs.append(-1)
            elif (n, k) in self.plan.requantize:
                inputs.append(self.requantized(i, self.plan.requantize[(n, k)]))
            elif (n, k) in self.plan.constants:
                inputs.append(self.int8_constant(i, self.plan.constants[(n, k)]))
            elif self.source.tensors[i].is_constant:
                inputs.append(-2)           # conv-like weights and bias, filled below
            else:
                inputs.append(self.version(i, INT8_DTYPE))
        if op.opcode in WEIGHT_AXIS:
            input_scale = self.tensors[inputs[0]].quantization.scale[0]
            w_new, b_new = self.weights_and_bias(op, input_scale)
            inputs[WEIGHTS] = w_new
            if len(inputs) > BIAS:
                inputs[BIAS] = b_new
        return inputs

    def _float_inputs(self, op: ir.Operator) -> list[int]:
        return [-1 if i < 0 else self.float_constant(i) if self.source.tensors[i].is_constant
                else self.version(i, FLOAT32) for i in op.inputs]

    def operator(self, n: int, op: ir.Operator) -> None:
        kind = self.plan.kinds[n]
        if kind == INT8:
            inputs = self._int8_inputs(n, op)
        elif kind == FLOAT:
            inputs = self._float_inputs(op)
        elif kind == TO_FLOAT:
            inputs = [self.version(op.inputs[0], INT8_DTYPE)]
        else:  # CONVERT: a source QUANTIZE reads its input as computed
            inputs = [self.version(op.inputs[0], self.native[op.inputs[0]])]
        outputs = [self._new_activation(i, self.native[i]) for i in op.outputs]
        self._emit(op.opcode, inputs, outputs, op.options)

    def build(self) -> ir.Model:
        inputs = [self._new_activation(i, self.native[i]) for i in self.source.inputs]
        for n, op in enumerate(self.source.operators):
            self.operator(n, op)
        outputs = [self.version(i, self._io_dtype_of(i)) for i in self.source.outputs]
        return ir.Model(self.tensors, self.operators, inputs, outputs)


def build_int8_model(source: ir.Model, plan: QuantPlan, io: str) -> ir.Model:
    """The int8 model (not yet memory-planned, metadata not set) of `source` under `plan`."""
    return _Builder(source, plan, io).build()
