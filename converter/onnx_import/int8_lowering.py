"""A node lowered to int8 ops inside a QDQ island: its float lowering runs reading the int8 activations as stored
(weights.py gives it int8 filters and an int32 bias), then every op it emitted becomes int8.

Outputs take the island's output quantization (the QuantizeLinear's), except where our int8 ops demand another:
data movement, pools and resizes keep their input's quantization; SOFTMAX, LOG_SOFTMAX, LOGISTIC and TANH have fixed
output quantizations; CONCATENATION first requantizes every input to its output's. Where the node's result then
differs from the island's quantization, a QUANTIZE (int8 -> int8) requantizes it. A Relu/Clip folded into the node
(Node.clamp) becomes the fused activation of the op computing the result. Float constants an op reads (a constant
addend, say) are quantized per tensor: with the quantization of a DequantizeLinear'd input when it represents them
exactly, else over their range. Every op's QuantParams come from the reference op's prepare().
"""
from __future__ import annotations

import dataclasses
import math
from types import ModuleType

import numpy as np

from tensorlet.converter import ir
from tensorlet.converter.onnx_import.builder import MOVEMENT, Builder
from tensorlet.converter.onnx_import.graph import Node
from tensorlet.converter.onnx_import.values import Activation
from tensorlet.converter.onnx_import.weights import quantization as symmetric_quantization
from tensorlet.converter.reference.fixedpoint import tflite_round
from tensorlet.converter.reference.ops import OPS, log_softmax, logistic, softmax, tanh
from tensorlet.converter.reference.ops.common import INT8_MAX, INT8_MIN, int8_activation_range
from tensorlet.converter.reference.ops.dequantize import dequantize
from tensorlet.converter.reference.ops.quantize import affine_quantize
from tensorlet.errors import FormatError

# ONNX ops with an int8 lowering (the others stay float inside a QDQ island, dequantized and quantized around it)
INT8_OP_TYPES = frozenset({
    "Conv", "ConvTranspose", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "AveragePool", "MaxPool",
    "GlobalAveragePool", "ReduceMean", "Concat", "Pad", "Softmax", "LogSoftmax", "Sigmoid", "Tanh", "Relu", "Clip",
    "LeakyRelu", "HardSwish", "Elu", "Gelu", "Resize",
})
KEEP_INPUT_QUANTIZATION = frozenset(MOVEMENT) | {ir.OpCode.AVERAGE_POOL_2D, ir.OpCode.MAX_POOL_2D,
                                                 ir.OpCode.RESIZE_NEAREST, ir.OpCode.RESIZE_BILINEAR}
FIXED_OUTPUT = {module.OPCODE: (module.OUTPUT_SCALE, module.OUTPUT_ZERO_POINT)
                for module in (softmax, log_softmax, logistic, tanh)}
FUSABLE = (ir.Activation.NONE, ir.Activation.RELU, ir.Activation.RELU6)


def _per_tensor(scale: float, zero_point: int) -> ir.Quantization:
    return ir.Quantization(scale=[float(np.float32(scale))], zero_point=[int(zero_point)])


def _constant_quantization(data: np.ndarray, candidates: list[ir.Quantization]) -> ir.Quantization:
    """The first candidate representing `data` exactly (quantize then dequantize gives it back), else the
    asymmetric per-tensor quantization of its range widened to hold 0."""
    values = np.asarray(data, np.float32)
    for q in candidates:
        restored = dequantize(affine_quantize(values, q.scale[0], q.zero_point[0]), q.scale[0], q.zero_point[0])
        if np.array_equal(restored, values):
            return q
    lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    scale = float(np.float32((hi - lo) / (INT8_MAX - INT8_MIN))) if hi > lo else 1.0
    return _per_tensor(scale, int(np.clip(round(INT8_MIN - lo / scale), INT8_MIN, INT8_MAX)))


def _quantize_constants(ctx: Builder, op: ir.Operator, output: ir.Quantization,
                        candidates: list[ir.Quantization]) -> None:
    """Turn the float constants `op` reads into int8 (a CONCATENATION's with its output quantization); filters
    and biases are int8/int32 already (weights.py)."""
    for index in op.inputs:
        tensor = ctx.tensors[index] if index >= 0 else None
        if tensor is None or not tensor.is_constant or tensor.dtype != ir.DType.FLOAT32:
            continue
        q = output if op.opcode == ir.OpCode.CONCATENATION else _constant_quantization(tensor.data, candidates)
        tensor.data = affine_quantize(tensor.data, q.scale[0], q.zero_point[0])
        tensor.dtype, tensor.quantization = ir.DType.INT8, q


def _requantized(ctx: Builder, index: int, quantization: ir.Quantization) -> int:
    """Tensor `index` (int8) with `quantization`: itself, or a new QUANTIZE (int8 -> int8) of it."""
    tensor = ctx.tensors[index]
    if tensor.quantization == quantization:
        return index
    result = ctx.emit(ir.OpCode.QUANTIZE, [index], tensor.shape, f"{tensor.name}/requantized",
                      quantization=quantization)
    ctx.prepare(ctx.operators[-1])
    return result


def _output_quantization(ctx: Builder, op: ir.Operator, output: ir.Quantization) -> ir.Quantization:
    if op.opcode in KEEP_INPUT_QUANTIZATION:
        return ctx.tensors[op.inputs[0]].quantization
    if op.opcode in FIXED_OUTPUT:
        return _per_tensor(*FIXED_OUTPUT[op.opcode])
    return output


def _convert(node: Node, ctx: Builder, ops: list[ir.Operator], output: ir.Quantization,
             candidates: list[ir.Quantization]) -> None:
    """Append `ops` back to the model as int8 ops (QUANTIZE before a CONCATENATION's inputs where needed)."""
    computed: set[int] = set()  # tensors holding results of this node's ops (not moved inputs)
    for op in ops:
        reads_computed = any(i in computed for i in op.inputs)
        if reads_computed and op.opcode not in KEEP_INPUT_QUANTIZATION and op.opcode != ir.OpCode.CONCATENATION:
            raise node.error(f"its int8 form chains ops ({op.opcode.name} reads another op's result), but the QDQ "
                             "graph quantizes only the node's output")
        _quantize_constants(ctx, op, output, candidates)
        if op.opcode == ir.OpCode.CONCATENATION:
            op.inputs = [_requantized(ctx, i, output) for i in op.inputs]
        result = ctx.tensors[op.outputs[0]]
        result.dtype, result.quantization = ir.DType.INT8, _output_quantization(ctx, op, output)
        ctx.operators.append(op)
        if reads_computed or op.opcode not in MOVEMENT:
            computed.add(op.outputs[0])


def _clamp_activation(node: Node, tensor: ir.Tensor) -> ir.Activation:
    """The fused activation whose int8 clamp on `tensor` equals the folded Relu/Clip's."""
    lo, hi = node.clamp
    scale, zero_point = tensor.quantization.scale[0], tensor.quantization.zero_point[0]

    def quantized(value: float) -> int:
        if math.isinf(value):
            return INT8_MAX if value > 0 else INT8_MIN
        return zero_point + int(tflite_round(float(np.float32(value) / np.float32(scale))))

    wanted = (max(INT8_MIN, quantized(lo)), min(INT8_MAX, quantized(hi)))
    for activation in FUSABLE:
        if int8_activation_range(activation, tensor) == wanted:
            return activation
    raise node.error(f"its folded clamp [{lo}, {hi}] is [{wanted[0]}, {wanted[1]}] in the output's int8 domain, "
                     "which no fused activation (NONE, RELU, RELU6) gives")


def _fuse_clamp(node: Node, ctx: Builder, ops: list[ir.Operator], result: Activation) -> None:
    """Set the fused activation of the op computing the node's result (through data movement) from Node.clamp."""
    made_by = {output: op for op in ops for output in op.outputs}
    op = made_by.get(result.stored[result.primary])
    while op is not None and op.opcode in MOVEMENT:
        op = made_by.get(op.inputs[0])
    if op is None or not hasattr(op.options, "activation"):
        raise node.error("the Relu/Clip folded into it has no op with a fused activation to become")
    op.options = dataclasses.replace(op.options, activation=_clamp_activation(node, ctx.tensors[op.outputs[0]]))


def _prepare_and_check(node: Node, ctx: Builder, ops: list[ir.Operator]) -> None:
    for op in ops:
        ins = [ctx.tensors[i] if i >= 0 else None for i in op.inputs]
        outs = [ctx.tensors[i] for i in op.outputs]
        try:
            op.quant_params = OPS[op.opcode].prepare(op, ins, outs)
            OPS[op.opcode].check(op, ins, outs)
        except FormatError as e:
            raise node.error(f"its int8 {op.opcode.name} is not valid: {e}") from None


def lower_int8(node: Node, ctx: Builder, module: ModuleType, output: ir.Quantization) -> None:
    """Lower `node` (whose activation inputs are int8) to int8 ops whose result has quantization `output`."""
    first = len(ctx.operators)
    with ctx.int8_reads():
        module.lower(node, ctx)
    ops = ctx.operators[first:]
    del ctx.operators[first:]
    candidates = [symmetric_quantization(w.scale, -1) for name in node.inputs
                  if (w := ctx.quantized_constants.get(name)) is not None and w.axis < 0 and w.values.dtype == np.int8]
    _convert(node, ctx, ops, output, candidates)
    name = node.outputs[0]
    result = ctx.activations[name]
    if node.clamp is not None:
        _fuse_clamp(node, ctx, ops, result)
    _prepare_and_check(node, ctx, ctx.operators[first:])
    if ctx.quantization(result) != output:
        ctx.bind(name, ctx.quantized(result, output, name))
