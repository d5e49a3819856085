"""Import a .tflite model (float, int8, or hybrid with int8 weights) into the IR, keeping its quantization exactly.

TFLite's op set is close to ours: each supported builtin maps to one of our ops through a small lowering below
(one entry per op in LOWERINGS). Int8 parameters are recomputed by each op's prepare(), as TFLite Micro does.
"""
from __future__ import annotations

import numpy as np
import tflite

from tensorlet.converter import ir
from tensorlet.converter.reference.ops import OPS
from tensorlet.errors import FormatError, UnsupportedOpError

_BUILTIN_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_DTYPES = {tflite.TensorType.FLOAT32: ir.DType.FLOAT32, tflite.TensorType.INT8: ir.DType.INT8,
           tflite.TensorType.UINT8: ir.DType.UINT8, tflite.TensorType.INT16: ir.DType.INT16,
           tflite.TensorType.INT32: ir.DType.INT32}
_ACTIVATIONS = {tflite.ActivationFunctionType.NONE: ir.Activation.NONE,
                tflite.ActivationFunctionType.RELU: ir.Activation.RELU,
                tflite.ActivationFunctionType.RELU6: ir.Activation.RELU6}


class _Op:
    """One TFLite operator being lowered: its name, options table and tensors."""

    def __init__(self, model, graph, op, importer: "_Importer"):
        code = model.OperatorCodes(op.OpcodeIndex())
        self.builtin = _BUILTIN_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
        self.op, self.importer = op, importer
        self.inputs = [int(i) for i in op.InputsAsNumpy()] if op.InputsLength() else []
        self.outputs = [int(i) for i in op.OutputsAsNumpy()]
        self.name = graph.Tensors(self.outputs[0]).Name().decode() if self.outputs else "?"

    def options(self, cls):
        table = self.op.BuiltinOptions()
        opts = cls()
        if table is not None:
            opts.Init(table.Bytes, table.Pos)
        return opts

    def activation(self, opts) -> ir.Activation:
        kind = opts.FusedActivationFunction()
        if kind not in _ACTIVATIONS:
            raise UnsupportedOpError(f"node {self.name!r} ({self.builtin}) has fused activation {kind}; "
                                     "supported: NONE, RELU, RELU6")
        return _ACTIVATIONS[kind]

    def constant(self, position: int) -> np.ndarray:
        tensor = self.importer.tensors[self.inputs[position]]
        if tensor.data is None:
            raise UnsupportedOpError(f"node {self.name!r} ({self.builtin}) needs input {position} to be a constant")
        return tensor.data

    def shape(self, position: int, output: bool = False) -> tuple[int, ...]:
        return self.importer.tensors[(self.outputs if output else self.inputs)[position]].shape


def _same_pads(size: int, kernel: int, stride: int, dilation: int, out: int) -> tuple[int, int]:
    """TFLite SAME padding: the total split with the extra pixel after."""
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _pads(padding: int, in_hw, k_hw, strides, dilations, out_hw) -> dict:
    if padding == tflite.Padding.VALID:
        return dict(pad_top=0, pad_bottom=0, pad_left=0, pad_right=0)
    top, bottom = _same_pads(in_hw[0], k_hw[0], strides[0], dilations[0], out_hw[0])
    left, right = _same_pads(in_hw[1], k_hw[1], strides[1], dilations[1], out_hw[1])
    return dict(pad_top=top, pad_bottom=bottom, pad_left=left, pad_right=right)


def _conv(op: _Op):
    o = op.options(tflite.Conv2DOptions)
    x, w, y = op.shape(0), op.shape(1), op.shape(0, output=True)
    strides, dilations = (o.StrideH(), o.StrideW()), (o.DilationHFactor(), o.DilationWFactor())
    return ir.OpCode.CONV_2D, op.inputs[:3], ir.Conv2DOptions(
        stride_h=strides[0], stride_w=strides[1], dilation_h=dilations[0], dilation_w=dilations[1],
        activation=op.activation(o), **_pads(o.Padding(), x[1:3], w[1:3], strides, dilations, y[1:3]))


def _depthwise(op: _Op):
    o = op.options(tflite.DepthwiseConv2DOptions)
    x, w, y = op.shape(0), op.shape(1), op.shape(0, output=True)
    strides, dilations = (o.StrideH(), o.StrideW()), (o.DilationHFactor(), o.DilationWFactor())
    return ir.OpCode.DEPTHWISE_CONV_2D, op.inputs[:3], ir.DepthwiseConv2DOptions(
        stride_h=strides[0], stride_w=strides[1], dilation_h=dilations[0], dilation_w=dilations[1],
        activation=op.activation(o), depth_multiplier=w[3] // x[3],
        **_pads(o.Padding(), x[1:3], w[1:3], strides, dilations, y[1:3]))


def _transpose_conv(op: _Op):
    o = op.options(tflite.TransposeConvOptions)
    x, w, y = op.shape(2), op.shape(1), op.shape(0, output=True)
    full = ((x[1] - 1) * o.StrideH() + w[1], (x[2] - 1) * o.StrideW() + w[2])
    top, left = (full[0] - y[1]) // 2, (full[1] - y[2]) // 2
    activation = op.activation(o) if hasattr(o, "FusedActivationFunction") else ir.Activation.NONE
    bias = op.inputs[3:4] or [-1]
    return ir.OpCode.TRANSPOSE_CONV, [op.inputs[2], op.inputs[1]] + bias, ir.TransposeConvOptions(
        stride_h=o.StrideH(), stride_w=o.StrideW(), pad_top=top, pad_bottom=full[0] - y[1] - top, pad_left=left,
        pad_right=full[1] - y[2] - left, activation=activation)


def _fully_connected(op: _Op):
    o = op.options(tflite.FullyConnectedOptions)
    return ir.OpCode.FULLY_CONNECTED, op.inputs[:3], ir.FullyConnectedOptions(activation=op.activation(o))


def _binary(opcode, options_cls):
    def lower(op: _Op):
        return opcode, op.inputs[:2], ir.BinaryOptions(activation=op.activation(op.options(options_cls)))
    return lower


def _pool(opcode):
    def lower(op: _Op):
        o = op.options(tflite.Pool2DOptions)
        x, y = op.shape(0), op.shape(0, output=True)
        k, strides = (o.FilterHeight(), o.FilterWidth()), (o.StrideH(), o.StrideW())
        return opcode, op.inputs[:1], ir.Pool2DOptions(
            filter_h=k[0], filter_w=k[1], stride_h=strides[0], stride_w=strides[1], activation=op.activation(o),
            **_pads(o.Padding(), x[1:3], k, strides, (1, 1), y[1:3]))
    return lower


def _mean(op: _Op):
    o = op.options(tflite.ReducerOptions)
    rank = len(op.shape(0))
    axes = tuple(sorted(int(a) % rank for a in op.constant(1).ravel()))
    return ir.OpCode.MEAN, op.inputs[:1], ir.MeanOptions(axes=axes, keep_dims=bool(o.KeepDims()))


def _reshape(op: _Op):
    return ir.OpCode.RESHAPE, op.inputs[:1], None


def _concatenation(op: _Op):
    o = op.options(tflite.ConcatenationOptions)
    rank = len(op.shape(0))
    return ir.OpCode.CONCATENATION, op.inputs, ir.ConcatenationOptions(axis=o.Axis() % rank,
                                                                      activation=op.activation(o))


def _pad(op: _Op):
    paddings = tuple(int(p) for p in op.constant(1).ravel())
    value = 0.0
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        constant = op.importer.tensors[op.inputs[2]]
        raw = float(op.constant(2).ravel()[0])
        value = raw if constant.quantization is None else \
            (raw - constant.quantization.zero_point[0]) * constant.quantization.scale[0]
    return ir.OpCode.PAD, op.inputs[:1], ir.PadOptions(paddings=paddings, value=value)


def _softmax(opcode):
    def lower(op: _Op):
        beta = op.options(tflite.SoftmaxOptions).Beta() if opcode == ir.OpCode.SOFTMAX else 1.0
        return opcode, op.inputs[:1], ir.SoftmaxOptions(beta=beta)
    return lower


def _unary(opcode):
    def lower(op: _Op):
        return opcode, op.inputs[:1], None
    return lower


def _leaky_relu(op: _Op):
    return ir.OpCode.LEAKY_RELU, op.inputs[:1], ir.LeakyReluOptions(alpha=op.options(tflite.LeakyReluOptions).Alpha())


def _gelu(op: _Op):
    return ir.OpCode.GELU, op.inputs[:1], ir.GeluOptions(approximate=bool(op.options(tflite.GeluOptions).Approximate()))


def _resize(opcode, options_cls):
    def lower(op: _Op):
        o = op.options(options_cls)
        return opcode, op.inputs[:1], ir.ResizeOptions(align_corners=bool(o.AlignCorners()),
                                                       half_pixel_centers=bool(o.HalfPixelCenters()))
    return lower


LOWERINGS = {
    "CONV_2D": _conv,
    "DEPTHWISE_CONV_2D": _depthwise,
    "TRANSPOSE_CONV": _transpose_conv,
    "FULLY_CONNECTED": _fully_connected,
    "ADD": _binary(ir.OpCode.ADD, tflite.AddOptions),
    "SUB": _binary(ir.OpCode.SUB, tflite.SubOptions),
    "MUL": _binary(ir.OpCode.MUL, tflite.MulOptions),
    "AVERAGE_POOL_2D": _pool(ir.OpCode.AVERAGE_POOL_2D),
    "MAX_POOL_2D": _pool(ir.OpCode.MAX_POOL_2D),
    "MEAN": _mean,
    "RESHAPE": _reshape,
    "SQUEEZE": _reshape,
    "EXPAND_DIMS": _reshape,
    "CONCATENATION": _concatenation,
    "PAD": _pad,
    "PADV2": _pad,
    "SOFTMAX": _softmax(ir.OpCode.SOFTMAX),
    "LOG_SOFTMAX": _softmax(ir.OpCode.LOG_SOFTMAX),
    "LOGISTIC": _unary(ir.OpCode.LOGISTIC),
    "TANH": _unary(ir.OpCode.TANH),
    "RELU": _unary(ir.OpCode.RELU),
    "RELU6": _unary(ir.OpCode.RELU6),
    "LEAKY_RELU": _leaky_relu,
    "HARD_SWISH": _unary(ir.OpCode.HARD_SWISH),
    "ELU": _unary(ir.OpCode.ELU),
    "GELU": _gelu,
    "RESIZE_NEAREST_NEIGHBOR": _resize(ir.OpCode.RESIZE_NEAREST, tflite.ResizeNearestNeighborOptions),
    "RESIZE_BILINEAR": _resize(ir.OpCode.RESIZE_BILINEAR, tflite.ResizeBilinearOptions),
    "QUANTIZE": _unary(ir.OpCode.QUANTIZE),
    "DEQUANTIZE": _unary(ir.OpCode.DEQUANTIZE),
}


class _Importer:
    def __init__(self, data: bytes):
        if len(data) < 8 or data[4:8] != b"TFL3":
            raise FormatError("not a .tflite file (identifier TFL3 missing)")
        self.model = tflite.Model.GetRootAs(data, 0)
        if self.model.SubgraphsLength() != 1:
            raise UnsupportedOpError(f"the model has {self.model.SubgraphsLength()} subgraphs; only 1 is supported")
        self.graph = self.model.Subgraphs(0)
        self.tensors = [self._tensor(i) for i in range(self.graph.TensorsLength())]

    def _tensor(self, index: int) -> ir.Tensor:
        t = self.graph.Tensors(index)
        name = t.Name().decode() if t.Name() else f"tensor_{index}"
        if t.Type() not in _DTYPES and t.Type() != tflite.TensorType.FLOAT16 and t.Type() != tflite.TensorType.INT64:
            raise UnsupportedOpError(f"tensor {name!r} has TFLite type {t.Type()}, which has no .tlet dtype")
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        shape = tuple(max(d, 1) for d in shape) or (1,)
        quantization = None
        q = t.Quantization()
        if q is not None and q.ScaleLength():
            axis = q.QuantizedDimension() if q.ScaleLength() > 1 else -1
            quantization = ir.Quantization(scale=[float(s) for s in q.ScaleAsNumpy()],
                                           zero_point=[int(z) for z in q.ZeroPointAsNumpy()], axis=axis)
        data = None
        buffer = self.model.Buffers(t.Buffer())
        if buffer is not None and buffer.DataLength():
            raw = buffer.DataAsNumpy().tobytes()
            np_dtype = {tflite.TensorType.FLOAT16: np.float16, tflite.TensorType.INT64: np.int64}.get(t.Type())
            data = np.frombuffer(raw, np_dtype or ir.NUMPY_DTYPES[_DTYPES[t.Type()]]).reshape(shape)
        dtype = _DTYPES.get(t.Type(), ir.DType.INT32 if t.Type() == tflite.TensorType.INT64 else ir.DType.FLOAT32)
        if data is not None and data.dtype in (np.float16, np.int64):
            data = data.astype(ir.NUMPY_DTYPES[dtype])
        return ir.Tensor(name, shape, dtype, quantization, data)

    def _fold_dequantize(self, op: _Op) -> bool:
        """DEQUANTIZE of a constant (fp16 or int8 weights): replace the output with float constant data."""
        source = self.tensors[op.inputs[0]]
        if op.builtin != "DEQUANTIZE" or source.data is None:
            return False
        values = source.data.astype(np.float32)
        if source.quantization is not None:
            q = source.quantization
            shape = [1] * len(source.shape)
            if q.axis >= 0:
                shape[q.axis] = -1
            values = ((values - np.reshape(q.zero_point, shape)) * np.reshape(q.scale, shape)).astype(np.float32)
        target = self.tensors[op.outputs[0]]
        self.tensors[op.outputs[0]] = ir.Tensor(target.name, target.shape, ir.DType.FLOAT32, None,
                                                values.reshape(target.shape))
        return True

    def _dequantize_hybrid_weights(self, op: ir.Operator) -> None:
        """A float op with int8 constant weights (TFLite hybrid models) computes on dequantized weights."""
        ins = [self.tensors[i] for i in op.inputs if i >= 0]
        if not any(t.dtype == ir.DType.FLOAT32 and t.data is None for t in ins):
            return
        for i in op.inputs:
            t = self.tensors[i] if i >= 0 else None
            if t is None or t.data is None or t.dtype == ir.DType.FLOAT32:
                continue
            q = t.quantization
            shape = [1] * len(t.shape)
            if q is not None and q.axis >= 0:
                shape[q.axis] = -1
            scale = np.reshape(q.scale, shape) if q is not None else 1.0
            zero = np.reshape(q.zero_point, shape) if q is not None else 0
            self.tensors[i] = ir.Tensor(t.name, t.shape, ir.DType.FLOAT32, None,
                                        ((t.data.astype(np.float32) - zero) * scale).astype(np.float32))

    def run(self) -> ir.Model:
        operators = []
        for n in range(self.graph.OperatorsLength()):
            op = _Op(self.model, self.graph, self.graph.Operators(n), self)
            if self._fold_dequantize(op):
                continue
            if op.builtin not in LOWERINGS:
                raise UnsupportedOpError(f"node {op.name!r}: TFLite op {op.builtin} is not supported; supported: "
                                         f"{', '.join(sorted(LOWERINGS))}")
            opcode, inputs, options = LOWERINGS[op.builtin](op)
            operators.append(ir.Operator(opcode, list(inputs), list(op.outputs), options))
        for op in operators:
            self._dequantize_hybrid_weights(op)
        return self._assemble(operators)

    def _assemble(self, operators: list[ir.Operator]) -> ir.Model:
        """Keep only referenced tensors, renumber, and compute each int8 op's parameters."""
        inputs = [int(i) for i in self.graph.InputsAsNumpy()]
        outputs = [int(i) for i in self.graph.OutputsAsNumpy()]
        used = sorted({i for op in operators for i in op.inputs + op.outputs if i >= 0} | set(inputs) | set(outputs))
        index = {old: new for new, old in enumerate(used)}
        tensors = [self.tensors[i] for i in used]
        for op in operators:
            op.inputs = [index[i] if i >= 0 else -1 for i in op.inputs]
            op.outputs = [index[i] for i in op.outputs]
            ins = [tensors[i] if i >= 0 else None for i in op.inputs]
            outs = [tensors[i] for i in op.outputs]
            if any(t is not None and t.data is None and t.dtype == ir.DType.INT8 for t in ins + outs):
                op.quant_params = OPS[op.opcode].prepare(op, ins, outs)
        description = self.model.Description()
        metadata = ir.Metadata(producer="tflite", producer_version=str(self.model.Version()),
                               description=description.decode() if description else "",
                               input_names=[tensors[index[i]].name for i in inputs],
                               output_names=[tensors[index[i]].name for i in outputs])
        return ir.Model(tensors, operators, [index[i] for i in inputs], [index[i] for i in outputs], metadata)


def import_tflite(data: bytes) -> ir.Model:
    """The IR of a .tflite model (not yet memory-planned). Raises UnsupportedOpError naming the first op or tensor
    outside the supported set, FormatError for a file that is not a readable .tflite."""
    try:
        return _Importer(data).run()
    except (FormatError, UnsupportedOpError):
        raise
    except Exception as e:  # the generated tflite reader does no bounds checks of its own
        raise FormatError(f"not a readable .tflite file: {type(e).__name__}: {e}") from None
