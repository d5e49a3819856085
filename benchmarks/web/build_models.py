"""Prepare the web benchmark's models and inputs in benchmarks/web/models/ (not committed).

For every model of the benchmark (the four MLPerf Tiny models and the ONNX model zoo's MNIST CNN, mnist-8):

  <name>_int8.tlet / <name>_f32.tlet   Tensorlet's files (`tensorlet convert`: the int8 .tflite as it is, the float
                                      .tflite, or for MNIST the .onnx, int8 post-training quantized with a few samples)
  <name>.tfjs.json + .tfjs.bin         the float graph as a list of TF.js ops (NHWC) and its weights, for TF.js
  kws_f32.tflite                      the corpus's KWS float model is a hybrid one (int8 conv weights): its pure
                                      float twin, weights dequantized, for tfjs-tflite float
  mnist_f32.tflite / mnist_int8.tflite MNIST as TFLite files (the corpus has only the .onnx): written here from the
                                      ONNX weights, the int8 one quantized TFLite-style (per-channel conv weights,
                                      int32 biases, int8 I/O) from the same calibration samples
  <name>.input.f32                    the float input every runtime gets (int8 runtimes quantize it with their own
                                      input scale and zero point)
  manifest.json                       what the benchmark script reads

python benchmarks/web/build_models.py [--out DIR] [--corpus DIR]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import flatbuffers
import numpy as np
import onnx
import tflite
from onnx import numpy_helper

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = Path(os.environ.get("TENSORLET_CORPUS", "/work/shared/corpus"))

# name -> (label, float tflite, int8 tflite, float onnx, QDQ onnx) relative to mlperf_tiny/
MLPERF = {
    "kws": ("KWS DS-CNN", "kws/kws_ref_model_float32.tflite", "kws/kws_ref_model.tflite",
            "onnx/kws_ref_model_float32.onnx", "onnx/kws_ref_model.onnx"),
    "vww": ("VWW MobileNetV1-0.25", "vww/vww_96_float.tflite", "vww/vww_96_int8.tflite",
            "onnx/vww_96_float.onnx", "onnx/vww_96_int8.onnx"),
    "resnet8": ("ResNet-8 (IC)", "ic/pretrainedResnet.tflite", "ic/pretrainedResnet_quant.tflite",
                "onnx/pretrainedResnet.onnx", "onnx/pretrainedResnet_quant.onnx"),
    "ad": ("AD autoencoder", "ad/ad01_fp32.tflite", "ad/ad01_int8.tflite",
           "onnx/ad01_fp32.onnx", "onnx/ad01_int8.onnx"),
}

# ---- reading .tflite files ----

OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
TFL_DTYPES = {0: np.float32, 2: np.int32, 9: np.int8, 3: np.uint8, 4: np.int64, 7: np.int16}
ACTIVATIONS = {0: None, 1: "relu", 3: "relu6"}
PADDING = {0: "same", 1: "valid"}


def tfl_module(name: str):
    """The generated module tflite.<name> (the package's __init__ shadows modules with their classes)."""
    return importlib.import_module(f"tflite.{name}")


class TFLiteFile:
    def __init__(self, path: Path):
        self.path = path
        self.model = tflite.Model.GetRootAsModel(path.read_bytes(), 0)
        self.graph = self.model.Subgraphs(0)

    def tensor(self, index: int):
        return self.graph.Tensors(index)

    def array(self, index: int) -> np.ndarray | None:
        t = self.tensor(index)
        buf = self.model.Buffers(t.Buffer())
        if buf is None or buf.DataLength() == 0:
            return None
        return np.frombuffer(buf.DataAsNumpy().tobytes(), TFL_DTYPES[t.Type()]).reshape(t.ShapeAsNumpy())

    def quant(self, index: int) -> dict | None:
        q = self.tensor(index).Quantization()
        if q is None or q.ScaleLength() == 0:
            return None
        return {"scale": float(q.ScaleAsNumpy()[0]), "zero_point": int(q.ZeroPointAsNumpy()[0])}

    def io(self, which: str) -> list[dict]:
        ids = [self.graph.Inputs(i) for i in range(self.graph.InputsLength())] if which == "in" else \
            [self.graph.Outputs(i) for i in range(self.graph.OutputsLength())]
        return [{"name": self.tensor(i).Name().decode(), "shape": [int(d) for d in self.tensor(i).ShapeAsNumpy()],
                 "dtype": {0: "float32", 9: "int8", 3: "uint8"}[self.tensor(i).Type()],
                 "quantization": self.quant(i)} for i in ids]

    def operators(self):
        for i in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(i)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            name = OPS[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
            yield name, list(op.InputsAsNumpy()), list(op.OutputsAsNumpy()), op


def dequantized(src: TFLiteFile, index: int) -> np.ndarray | None:
    """A constant as float32: int8 weights of a hybrid ("dynamic range") float model are dequantized."""
    a = src.array(index)
    t = src.tensor(index)
    if a is None or t.Type() != tflite.TensorType.INT8:
        return a
    q = t.Quantization()
    scales, zps = q.ScaleAsNumpy(), q.ZeroPointAsNumpy()
    shape = [1] * a.ndim
    if scales.size > 1:
        shape[q.QuantizedDimension()] = -1
    return ((a.astype(np.float32) - zps.reshape(shape)) * scales.reshape(shape)).astype(np.float32)


def has_int8_weights(src: TFLiteFile) -> bool:
    return any(src.tensor(i).Type() == tflite.TensorType.INT8 and src.array(i) is not None
               for _, ins, _, _ in src.operators() for i in ins if i >= 0)


def options(op, cls_name: str):
    cls = getattr(tflite, cls_name)
    table = op.BuiltinOptions()
    opt = cls()
    opt.Init(table.Bytes, table.Pos)
    return opt


# ---- the float graph as TF.js ops ----

class WeightWriter:
    def __init__(self):
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, array: np.ndarray) -> dict:
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        ref = {"offset": self.size, "shape": list(array.shape)}
        self.chunks.append(data)
        self.size += len(data)
        return ref


def tfjs_graph(src: TFLiteFile) -> tuple[dict, bytes]:
    """The float .tflite as a list of TF.js ops over named values (NHWC, weights in TF.js layouts)."""
    weights = WeightWriter()
    ops = []
    name = lambda i: f"t{i}"  # noqa: E731
    for kind, ins, outs, op in src.operators():
        x, y = name(ins[0]), name(outs[0])
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            w = dequantized(src, ins[1]).astype(np.float32)
            b = dequantized(src, ins[2]) if len(ins) > 2 and ins[2] >= 0 else None
            if kind == "CONV_2D":
                o = options(op, "Conv2DOptions")
                filt = w.transpose(1, 2, 3, 0)  # OHWI -> HWIO
            else:
                o = options(op, "DepthwiseConv2DOptions")
                in_ch = src.tensor(ins[0]).ShapeAsNumpy()[3]
                mult = w.shape[3] // in_ch
                filt = w[0].reshape(w.shape[1], w.shape[2], in_ch, mult)  # [1,H,W,C*M] -> [H,W,C,M]
            ops.append({"op": "conv2d" if kind == "CONV_2D" else "depthwiseConv2d", "x": x, "y": y,
                        "filter": weights.add(filt), "bias": None if b is None else weights.add(b.astype(np.float32)),
                        "strides": [o.StrideH(), o.StrideW()], "pad": PADDING[o.Padding()],
                        "dilations": [o.DilationHFactor(), o.DilationWFactor()],
                        "activation": ACTIVATIONS[o.FusedActivationFunction()]})
        elif kind == "FULLY_CONNECTED":
            o = options(op, "FullyConnectedOptions")
            w = dequantized(src, ins[1]).astype(np.float32)  # [out, in]
            b = dequantized(src, ins[2]) if len(ins) > 2 and ins[2] >= 0 else None
            ops.append({"op": "dense", "x": x, "y": y, "weights": weights.add(w.T),
                        "bias": None if b is None else weights.add(b.astype(np.float32)),
                        "activation": ACTIVATIONS[o.FusedActivationFunction()]})
        elif kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            o = options(op, "Pool2DOptions")
            ops.append({"op": "avgPool" if kind == "AVERAGE_POOL_2D" else "maxPool", "x": x, "y": y,
                        "size": [o.FilterHeight(), o.FilterWidth()], "strides": [o.StrideH(), o.StrideW()],
                        "pad": PADDING[o.Padding()], "activation": ACTIVATIONS[o.FusedActivationFunction()]})
        elif kind == "ADD":
            o = options(op, "AddOptions")
            ops.append({"op": "add", "a": x, "b": name(ins[1]), "y": y,
                        "activation": ACTIVATIONS[o.FusedActivationFunction()]})
        elif kind == "RESHAPE":
            ops.append({"op": "reshape", "x": x, "y": y,
                        "shape": [int(d) for d in src.tensor(outs[0]).ShapeAsNumpy()]})
        elif kind == "SOFTMAX":
            o = options(op, "SoftmaxOptions")
            if abs(o.Beta() - 1.0) > 1e-6:
                raise ValueError("softmax beta != 1 is not mapped")
            ops.append({"op": "softmax", "x": x, "y": y})
        else:
            raise ValueError(f"{src.path.name}: operator {kind} has no TF.js mapping here")
    graph = {"inputs": [name(src.graph.Inputs(i)) for i in range(src.graph.InputsLength())],
             "outputs": [name(src.graph.Outputs(i)) for i in range(src.graph.OutputsLength())],
             "input_shapes": [io["shape"] for io in src.io("in")], "ops": ops}
    return graph, b"".join(weights.chunks)


# ---- MNIST (ONNX model zoo mnist-8) as .tflite, float and int8 ----

def mnist_weights(path: Path) -> dict:
    m = onnx.load(str(path))
    w = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    # Conv weights OIHW -> OHWI; the final MatMul reads the NCHW flatten of [16,4,4]: reorder its rows to NHWC.
    fc = w["Parameter193"].reshape(16, 4, 4, 10).transpose(1, 2, 0, 3).reshape(256, 10)
    return {"w1": w["Parameter5"].transpose(0, 2, 3, 1), "b1": w["Parameter6"].reshape(8),
            "w2": w["Parameter87"].transpose(0, 2, 3, 1), "b2": w["Parameter88"].reshape(16),
            "fc": fc.T.copy(), "fcb": w["Parameter194"].reshape(10)}


def np_conv_same(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """NHWC conv, stride 1, SAME padding, OHWI weights (float64)."""
    k = w.shape[1]
    lo = (k - 1) // 2
    xp = np.pad(x, ((0, 0), (lo, k - 1 - lo), (lo, k - 1 - lo), (0, 0)))
    n, h, wd, _ = x.shape
    cols = np.stack([xp[:, i:i + h, j:j + wd, :] for i in range(k) for j in range(k)], axis=3)  # n,h,w,kk,c
    return np.einsum("nhwkc,okc->nhwo", cols, w.reshape(w.shape[0], k * k, -1)) + b


def np_maxpool(x: np.ndarray, k: int) -> np.ndarray:
    n, h, w, c = x.shape
    return x[:, :h // k * k, :w // k * k].reshape(n, h // k, k, w // k, k, c).max(axis=(2, 4))


def mnist_forward(x: np.ndarray, p: dict) -> dict:
    a1 = np.maximum(np_conv_same(x, p["w1"], p["b1"]), 0)
    p1 = np_maxpool(a1, 2)
    a2 = np.maximum(np_conv_same(p1, p["w2"], p["b2"]), 0)
    p2 = np_maxpool(a2, 3)
    y = p2.reshape(x.shape[0], 256) @ p["fc"].T + p["fcb"]
    return {"x": x, "a1": a1, "p1": p1, "a2": a2, "p2": p2, "y": y}


class TFLiteWriter:
    """Builds a one-subgraph .tflite with the generated flatbuffer functions of the `tflite` package."""

    def __init__(self):
        self.buffers: list[bytes] = [b""]
        self.tensors: list[dict] = []
        self.opcodes: list[tuple[int, int]] = []
        self.operators: list[dict] = []

    def tensor(self, name, shape, dtype, data=None, quant=None) -> int:
        buf = 0
        if data is not None:
            self.buffers.append(np.ascontiguousarray(data).tobytes())
            buf = len(self.buffers) - 1
        self.tensors.append({"name": name, "shape": list(shape), "type": dtype, "buffer": buf, "quant": quant})
        return len(self.tensors) - 1

    def op(self, code_name: str, version: int, inputs, outputs, options_name: str, build_options):
        key = (getattr(tflite.BuiltinOperator, code_name), version)
        if key not in self.opcodes:
            self.opcodes.append(key)
        self.operators.append({"opcode": self.opcodes.index(key), "inputs": inputs, "outputs": outputs,
                               "options_type": getattr(tflite.BuiltinOptions, options_name),
                               "build": build_options})

    def finish(self, inputs, outputs, description: str) -> bytes:
        b = flatbuffers.Builder(1024)
        M, SG, T, O, OC, BF, QP = (tfl_module(n) for n in ("Model", "SubGraph", "Tensor", "Operator",
                                                            "OperatorCode", "Buffer", "QuantizationParameters"))

        def ivec(start, values, kind="int32"):
            start(b, len(values))
            for v in reversed(values):
                {"int32": b.PrependInt32, "int64": b.PrependInt64, "float32": b.PrependFloat32}[kind](v)
            return b.EndVector()

        def tvec(start, offsets):
            start(b, len(offsets))
            for o in reversed(offsets):
                b.PrependUOffsetTRelative(o)
            return b.EndVector()

        buffers = []
        for data in self.buffers:
            dv = None
            if data:
                b.StartVector(1, len(data), 16)
                b.head = b.head - len(data)
                b.Bytes[b.head:b.head + len(data)] = data
                dv = b.EndVector()
            BF.BufferStart(b)
            if dv is not None:
                BF.BufferAddData(b, dv)
            buffers.append(BF.BufferEnd(b))
        tensors = []
        for t in self.tensors:
            name = b.CreateString(t["name"])
            shape = ivec(T.TensorStartShapeVector, t["shape"])
            q = None
            if t["quant"] is not None:
                scales = ivec(QP.QuantizationParametersStartScaleVector, list(map(float, t["quant"]["scale"])),
                              "float32")
                zps = ivec(QP.QuantizationParametersStartZeroPointVector, list(map(int, t["quant"]["zero_point"])),
                           "int64")
                QP.QuantizationParametersStart(b)
                QP.QuantizationParametersAddScale(b, scales)
                QP.QuantizationParametersAddZeroPoint(b, zps)
                QP.QuantizationParametersAddQuantizedDimension(b, t["quant"].get("axis", 0))
                q = QP.QuantizationParametersEnd(b)
            T.TensorStart(b)
            T.TensorAddShape(b, shape)
            T.TensorAddType(b, t["type"])
            T.TensorAddBuffer(b, t["buffer"])
            T.TensorAddName(b, name)
            if q is not None:
                T.TensorAddQuantization(b, q)
            tensors.append(T.TensorEnd(b))
        operators = []
        for o in self.operators:
            opts = o["build"](b)
            ins = ivec(O.OperatorStartInputsVector, o["inputs"])
            outs = ivec(O.OperatorStartOutputsVector, o["outputs"])
            O.OperatorStart(b)
            O.OperatorAddOpcodeIndex(b, o["opcode"])
            O.OperatorAddInputs(b, ins)
            O.OperatorAddOutputs(b, outs)
            O.OperatorAddBuiltinOptionsType(b, o["options_type"])
            O.OperatorAddBuiltinOptions(b, opts)
            operators.append(O.OperatorEnd(b))
        sg_name = b.CreateString("main")
        sg_tensors = tvec(SG.SubGraphStartTensorsVector, tensors)
        sg_in = ivec(SG.SubGraphStartInputsVector, inputs)
        sg_out = ivec(SG.SubGraphStartOutputsVector, outputs)
        sg_ops = tvec(SG.SubGraphStartOperatorsVector, operators)
        SG.SubGraphStart(b)
        SG.SubGraphAddTensors(b, sg_tensors)
        SG.SubGraphAddInputs(b, sg_in)
        SG.SubGraphAddOutputs(b, sg_out)
        SG.SubGraphAddOperators(b, sg_ops)
        SG.SubGraphAddName(b, sg_name)
        subgraph = SG.SubGraphEnd(b)
        codes = []
        for code, version in self.opcodes:
            OC.OperatorCodeStart(b)
            OC.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            OC.OperatorCodeAddBuiltinCode(b, code)
            OC.OperatorCodeAddVersion(b, version)
            codes.append(OC.OperatorCodeEnd(b))
        desc = b.CreateString(description)
        m_codes = tvec(M.ModelStartOperatorCodesVector, codes)
        m_subgraphs = tvec(M.ModelStartSubgraphsVector, [subgraph])
        m_buffers = tvec(M.ModelStartBuffersVector, buffers)
        M.ModelStart(b)
        M.ModelAddVersion(b, 3)
        M.ModelAddOperatorCodes(b, m_codes)
        M.ModelAddSubgraphs(b, m_subgraphs)
        M.ModelAddDescription(b, desc)
        M.ModelAddBuffers(b, m_buffers)
        b.Finish(M.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def table_options(table: str, **fields):
    """A builder for the options table `table` of the TFLite schema: fields by their schema name (CamelCase);
    a list value is written as an int32 vector."""
    def build(b):
        mod = tfl_module(table)
        vectors = {}
        for name, value in fields.items():
            if isinstance(value, (list, tuple)):
                getattr(mod, f"{table}Start{name}Vector")(b, len(value))
                for v in reversed(value):
                    b.PrependInt32(int(v))
                vectors[name] = b.EndVector()
        getattr(mod, f"{table}Start")(b)
        for name, value in fields.items():
            getattr(mod, f"{table}Add{name}")(b, vectors.get(name, value))
        return getattr(mod, f"{table}End")(b)
    return build


def conv_options(relu: bool):
    return table_options("Conv2DOptions", Padding=tflite.Padding.SAME, StrideW=1, StrideH=1, DilationWFactor=1,
                         DilationHFactor=1,
                         FusedActivationFunction=tflite.ActivationFunctionType.RELU if relu else 0)


def pool_options(k: int):
    return table_options("Pool2DOptions", Padding=tflite.Padding.VALID, StrideW=k, StrideH=k, FilterWidth=k,
                         FilterHeight=k)


def reshape_options(shape):
    return table_options("ReshapeOptions", NewShape=list(shape))


fc_options = table_options("FullyConnectedOptions")


def float_tflite(src: TFLiteFile) -> bytes:
    """The model rewritten with every int8 weight dequantized: a pure float .tflite (the corpus's KWS "float32"
    model is a hybrid one, int8 conv weights, which TFLite runs with hybrid kernels, not XNNPACK's float ones)."""
    F32 = tflite.TensorType.FLOAT32
    w = TFLiteWriter()
    ids: dict[int, int] = {}

    def tensor(i: int) -> int:
        if i < 0:
            return -1
        if i not in ids:
            t = src.tensor(i)
            a = dequantized(src, i)
            dtype = F32 if t.Type() == tflite.TensorType.INT8 else t.Type()
            ids[i] = w.tensor(t.Name().decode(), [int(d) for d in t.ShapeAsNumpy()], dtype, a)
        return ids[i]

    for kind, ins, outs, op in src.operators():
        if kind == "CONV_2D":
            o = options(op, "Conv2DOptions")
            build = table_options("Conv2DOptions", Padding=o.Padding(), StrideW=o.StrideW(), StrideH=o.StrideH(),
                                  DilationWFactor=o.DilationWFactor(), DilationHFactor=o.DilationHFactor(),
                                  FusedActivationFunction=o.FusedActivationFunction())
        elif kind == "DEPTHWISE_CONV_2D":
            o = options(op, "DepthwiseConv2DOptions")
            build = table_options("DepthwiseConv2DOptions", Padding=o.Padding(), StrideW=o.StrideW(),
                                  StrideH=o.StrideH(), DepthMultiplier=o.DepthMultiplier(),
                                  DilationWFactor=o.DilationWFactor(), DilationHFactor=o.DilationHFactor(),
                                  FusedActivationFunction=o.FusedActivationFunction())
        elif kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            o = options(op, "Pool2DOptions")
            build = table_options("Pool2DOptions", Padding=o.Padding(), StrideW=o.StrideW(), StrideH=o.StrideH(),
                                  FilterWidth=o.FilterWidth(), FilterHeight=o.FilterHeight(),
                                  FusedActivationFunction=o.FusedActivationFunction())
        elif kind == "FULLY_CONNECTED":
            o = options(op, "FullyConnectedOptions")
            build = table_options("FullyConnectedOptions", FusedActivationFunction=o.FusedActivationFunction(),
                                  KeepNumDims=o.KeepNumDims())
        elif kind == "RESHAPE":
            build = table_options("ReshapeOptions", NewShape=[int(d) for d in src.tensor(outs[0]).ShapeAsNumpy()])
        elif kind == "SOFTMAX":
            build = table_options("SoftmaxOptions", Beta=options(op, "SoftmaxOptions").Beta())
        elif kind == "ADD":
            build = table_options("AddOptions", FusedActivationFunction=options(op, "AddOptions")
                                  .FusedActivationFunction())
        else:
            raise ValueError(f"{src.path.name}: {kind} is not rewritten here")
        table = {"CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
                 "AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions",
                 "FULLY_CONNECTED": "FullyConnectedOptions", "RESHAPE": "ReshapeOptions",
                 "SOFTMAX": "SoftmaxOptions", "ADD": "AddOptions"}[kind]
        w.op(kind, 1, [tensor(i) for i in ins], [tensor(i) for i in outs], table, build)
    inputs = [tensor(src.graph.Inputs(i)) for i in range(src.graph.InputsLength())]
    outputs = [tensor(src.graph.Outputs(i)) for i in range(src.graph.OutputsLength())]
    return w.finish(inputs, outputs, f"{src.path.name} with its int8 weights dequantized (Tensorlet web benchmark)")


def mnist_tflite(p: dict, calib: np.ndarray | None) -> bytes:
    """MNIST as .tflite: float (calib None) or int8 quantized with activation ranges from `calib` (NHWC)."""
    F32, I8, I32 = tflite.TensorType.FLOAT32, tflite.TensorType.INT8, tflite.TensorType.INT32
    w = TFLiteWriter()
    if calib is None:
        x = w.tensor("input", [1, 28, 28, 1], F32)
        t = {"x": x}
        names = [("a1", [1, 28, 28, 8]), ("p1", [1, 14, 14, 8]), ("a2", [1, 14, 14, 16]), ("p2", [1, 4, 4, 16]),
                 ("flat", [1, 256]), ("y", [1, 10])]
        for n, s in names:
            t[n] = w.tensor(n, s, F32)
        w1 = w.tensor("w1", p["w1"].shape, F32, p["w1"].astype("<f4"))
        b1 = w.tensor("b1", [8], F32, p["b1"].astype("<f4"))
        w2 = w.tensor("w2", p["w2"].shape, F32, p["w2"].astype("<f4"))
        b2 = w.tensor("b2", [16], F32, p["b2"].astype("<f4"))
        fc = w.tensor("fc", [10, 256], F32, p["fc"].astype("<f4"))
        fcb = w.tensor("fcb", [10], F32, p["fcb"].astype("<f4"))
        versions = {"conv": 1, "pool": 1, "fc": 1}
    else:
        acts = mnist_forward(calib.astype(np.float64), p)

        def act_q(values, relu):
            lo, hi = (0.0 if relu else min(float(values.min()), 0.0)), max(float(values.max()), 0.0)
            scale = (hi - lo) / 255.0 or 1.0
            zp = int(np.clip(round(-128 - lo / scale), -128, 127))
            return {"scale": [scale], "zero_point": [zp]}

        q = {"x": act_q(acts["x"], True), "a1": act_q(acts["a1"], True), "a2": act_q(acts["a2"], True),
             "y": act_q(acts["y"], False)}
        q["p1"], q["p2"], q["flat"] = q["a1"], q["a2"], q["a2"]  # max pool / reshape keep their input's scale
        t = {"x": w.tensor("input", [1, 28, 28, 1], I8, quant=q["x"])}
        for n, s in [("a1", [1, 28, 28, 8]), ("p1", [1, 14, 14, 8]), ("a2", [1, 14, 14, 16]),
                     ("p2", [1, 4, 4, 16]), ("flat", [1, 256]), ("y", [1, 10])]:
            t[n] = w.tensor(n, s, I8, quant=q[n])

        def conv_weights(name, weights, bias, in_scale):
            ws = np.abs(weights).reshape(weights.shape[0], -1).max(axis=1) / 127.0
            ws[ws == 0] = 1.0
            wq = np.clip(np.round(weights / ws[:, None, None, None]), -127, 127).astype(np.int8)
            bs = in_scale * ws
            bq = np.round(bias / bs).astype("<i4")
            return (w.tensor(name, weights.shape, I8, wq, {"scale": ws, "zero_point": [0] * len(ws), "axis": 0}),
                    w.tensor(name + "_bias", [len(bias)], I32, bq,
                             {"scale": bs, "zero_point": [0] * len(bs), "axis": 0}))

        w1, b1 = conv_weights("w1", p["w1"], p["b1"], q["x"]["scale"][0])
        w2, b2 = conv_weights("w2", p["w2"], p["b2"], q["p1"]["scale"][0])
        fs = float(np.abs(p["fc"]).max()) / 127.0
        fcq = np.clip(np.round(p["fc"] / fs), -127, 127).astype(np.int8)
        fc = w.tensor("fc", [10, 256], I8, fcq, {"scale": [fs], "zero_point": [0]})
        fbs = q["flat"]["scale"][0] * fs
        fcb = w.tensor("fcb", [10], I32, np.round(p["fcb"] / fbs).astype("<i4"), {"scale": [fbs], "zero_point": [0]})
        versions = {"conv": 3, "pool": 2, "fc": 4}
    shape = w.tensor("flat_shape", [2], I32, np.array([1, 256], "<i4"))
    w.op("CONV_2D", versions["conv"], [t["x"], w1, b1], [t["a1"]], "Conv2DOptions", conv_options(True))
    w.op("MAX_POOL_2D", versions["pool"], [t["a1"]], [t["p1"]], "Pool2DOptions", pool_options(2))
    w.op("CONV_2D", versions["conv"], [t["p1"], w2, b2], [t["a2"]], "Conv2DOptions", conv_options(True))
    w.op("MAX_POOL_2D", versions["pool"], [t["a2"]], [t["p2"]], "Pool2DOptions", pool_options(3))
    w.op("RESHAPE", 1, [t["p2"], shape], [t["flat"]], "ReshapeOptions", reshape_options([1, 256]))
    w.op("FULLY_CONNECTED", versions["fc"], [t["flat"], fc, fcb], [t["y"]], "FullyConnectedOptions", fc_options)
    kind = "float32" if calib is None else "int8"
    return w.finish([t["x"]], [t["y"]], f"mnist-8 (ONNX model zoo) rewritten as TFLite, {kind}, by Tensorlet's "
                                        "web benchmark")


def onnx_io(path: Path) -> dict:
    m = onnx.load(str(path), load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]

    def desc(v):
        return {"name": v.name, "shape": [d.dim_value if d.dim_value > 0 else 1 for d in v.type.tensor_type.shape.dim],
                "elem_type": v.type.tensor_type.elem_type}
    return {"inputs": [desc(v) for v in ins], "outputs": [desc(v) for v in m.graph.output]}


def run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")


def tensorlet_cli() -> str:
    exe = Path(sys.executable).parent / "tensorlet"
    return str(exe) if exe.exists() else "tensorlet"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE / "models"))
    ap.add_argument("--corpus", default=str(CORPUS))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = Path(args.corpus)
    tiny = corpus / "mlperf_tiny"
    cli = tensorlet_cli()
    rng = np.random.default_rng(20261125)
    manifest = {"models": []}

    for name, (label, f32_tfl, i8_tfl, f32_onnx, qdq_onnx) in MLPERF.items():
        f32_src, i8_src = TFLiteFile(tiny / f32_tfl), TFLiteFile(tiny / i8_tfl)
        run([cli, "convert", str(tiny / i8_tfl), "-o", str(out / f"{name}_int8.tlet")])
        run([cli, "convert", str(tiny / f32_tfl), "-o", str(out / f"{name}_f32.tlet")])
        tflite_f32, notes = str(tiny / f32_tfl), []
        if has_int8_weights(f32_src):  # a hybrid model: give the float runtimes its pure float twin
            tflite_f32 = f"{name}_f32.tflite"
            (out / tflite_f32).write_bytes(float_tflite(f32_src))
            notes.append(f"{Path(f32_tfl).name} is a hybrid model (int8 weights): tfjs-tflite f32 and TF.js run its "
                         f"weights dequantized ({tflite_f32}), as Tensorlet f32 and the float .onnx do")
        graph, weights = tfjs_graph(f32_src)
        (out / f"{name}.tfjs.json").write_text(json.dumps(graph))
        (out / f"{name}.tfjs.bin").write_bytes(weights)
        in_f32 = f32_src.io("in")[0]
        in_q = i8_src.io("in")[0]["quantization"]
        # The inputs: the benchmark's own samples where the corpus has one, else a seeded random tensor over the
        # int8 input's range (the latency of these models does not depend on the values).
        if name == "kws":
            q = np.load(tiny / "kws/kws_sample_input_int8.npy").astype(np.float32)
            x = (q - in_q["zero_point"]) * in_q["scale"]
        elif name == "ad":
            x = np.fromfile(tiny / "ad/normal_id_01_00000000_hist_librosa.bin", dtype="<f4")[:640]
        else:
            lo = (-128 - in_q["zero_point"]) * in_q["scale"]
            hi = (127 - in_q["zero_point"]) * in_q["scale"]
            x = rng.uniform(lo, hi, size=in_f32["shape"])
        x = np.asarray(x, dtype="<f4").reshape(in_f32["shape"])
        x.tofile(out / f"{name}.input.f32")
        manifest["models"].append({
            "name": name, "label": label, "input": f"{name}.input.f32", "input_shape": in_f32["shape"],
            "tlet_int8": f"{name}_int8.tlet", "tlet_f32": f"{name}_f32.tlet",
            "tflite_f32": tflite_f32, "tflite_int8": str(tiny / i8_tfl),
            "tflite_int8_io": {"input": in_q, "output": i8_src.io("out")[0]["quantization"]},
            "onnx_f32": str(tiny / f32_onnx), "onnx_f32_io": onnx_io(tiny / f32_onnx),
            "onnx_qdq": str(tiny / qdq_onnx), "onnx_qdq_io": onnx_io(tiny / qdq_onnx),
            "tfjs": f"{name}.tfjs.json", "tfjs_weights": f"{name}.tfjs.bin", "notes": notes,
        })
        print(f"{name}: ok")

    # MNIST: the ONNX model zoo's mnist-8; three calibration samples (its test sets).
    mnist = corpus / "onnx/mnist-8/model.onnx"
    samples = []
    for k in range(3):
        t = onnx.TensorProto()
        t.ParseFromString((mnist.parent / f"test_data_set_{k}/input_0.pb").read_bytes())
        samples.append(numpy_helper.to_array(t))
    calib = np.concatenate(samples).astype(np.float32)  # [3,1,28,28]
    np.save(out / "mnist_calibration.npy", calib)
    run([cli, "convert", str(mnist), "-o", str(out / "mnist_f32.tlet")])
    run([cli, "convert", str(mnist), "-o", str(out / "mnist_int8.tlet"), "--quantize", "int8", "--calibration",
         str(out / "mnist_calibration.npy"), "--io", "int8"])
    p = mnist_weights(mnist)
    calib_nhwc = calib.transpose(0, 2, 3, 1)
    (out / "mnist_f32.tflite").write_bytes(mnist_tflite(p, None))
    (out / "mnist_int8.tflite").write_bytes(mnist_tflite(p, calib_nhwc))
    f32_src, i8_src = TFLiteFile(out / "mnist_f32.tflite"), TFLiteFile(out / "mnist_int8.tflite")
    graph, weights = tfjs_graph(f32_src)
    (out / "mnist.tfjs.json").write_text(json.dumps(graph))
    (out / "mnist.tfjs.bin").write_bytes(weights)
    samples[0].astype("<f4").tofile(out / "mnist.input.f32")  # [1,1,28,28]: the same bytes as NHWC [1,28,28,1]
    # The float reference of this rewrite, checked against the ONNX file's own expected output.
    expected = onnx.TensorProto()
    expected.ParseFromString((mnist.parent / "test_data_set_0/output_0.pb").read_bytes())
    ours = mnist_forward(samples[0].transpose(0, 2, 3, 1).astype(np.float64), p)["y"]
    err = float(np.abs(ours - numpy_helper.to_array(expected)).max())
    if err > 1e-3:
        raise SystemExit(f"mnist rewrite disagrees with the ONNX expected output by {err}")
    manifest["models"].append({
        "name": "mnist", "label": "MNIST CNN (mnist-8)", "input": "mnist.input.f32", "input_shape": [1, 28, 28, 1],
        "tlet_int8": "mnist_int8.tlet", "tlet_f32": "mnist_f32.tlet",
        "tflite_f32": "mnist_f32.tflite", "tflite_int8": "mnist_int8.tflite",
        "tflite_int8_io": {"input": i8_src.io("in")[0]["quantization"], "output": i8_src.io("out")[0]["quantization"]},
        "onnx_f32": str(mnist), "onnx_f32_io": onnx_io(mnist), "onnx_qdq": None, "onnx_qdq_io": None,
        "tfjs": "mnist.tfjs.json", "tfjs_weights": "mnist.tfjs.bin",
        "notes": ["the corpus has mnist-8 as .onnx only: the .tflite files (float, and int8 from the same 3 "
                  "calibration samples as Tensorlet's) are written by build_models.py; int8 models differ"],
    })
    print("mnist: ok")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"wrote {out}/manifest.json")


if __name__ == "__main__":
    main()
