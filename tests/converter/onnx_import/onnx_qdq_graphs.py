"""Shared by the hand-built QDQ tests: a small builder of ONNX graphs with QuantizeLinear / DequantizeLinear nodes,
and onnxruntime's outputs for them."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT8, UINT8, FLOAT = TensorProto.INT8, TensorProto.UINT8, TensorProto.FLOAT


class QDQGraph:
    """Nodes and initializers added one call at a time; names are generated unless given."""

    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def constant(self, name: str, value) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op_type: str, inputs: list[str], output: str, name: str | None = None, **attrs) -> str:
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=name or output, **attrs))
        return output

    def quantize(self, x: str, output: str, scale: float, zero_point: int, dtype=np.int8, name=None) -> str:
        s = self.constant(f"{output}/scale", np.float32(scale))
        z = self.constant(f"{output}/zero_point", np.array(zero_point, dtype))
        return self.node("QuantizeLinear", [x, s, z], output, name)

    def dequantize(self, q: str, output: str, scale, zero_point, dtype=np.int8, axis: int | None = None,
                   name=None) -> str:
        """scale, zero_point: scalars, or arrays (per axis) with `axis`."""
        s = self.constant(f"{output}/scale", np.asarray(scale, np.float32))
        z = self.constant(f"{output}/zero_point", np.asarray(zero_point, dtype))
        attrs = {} if axis is None else {"axis": axis}
        return self.node("DequantizeLinear", [q, s, z], output, name, **attrs)

    def weights(self, name: str, values: np.ndarray, scale, axis: int | None = None) -> str:
        """A DequantizeLinear'd constant (int8 weights or int32 bias), zero points 0."""
        q = self.constant(f"{name}/q", values)
        zeros = np.zeros(np.shape(scale), values.dtype)
        return self.dequantize(q, name, scale, zeros, values.dtype, axis)

    def model(self, inputs: list[tuple[str, int, list[int]]], outputs: list[tuple[str, int, list[int]]],
              opset: int = 13) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, "qdq", [helper.make_tensor_value_info(*i) for i in inputs],
                                  [helper.make_tensor_value_info(*o) for o in outputs], self.initializers)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def onnxruntime_outputs(model: onnx.ModelProto, inputs: list[np.ndarray]) -> list[np.ndarray]:
    import onnxruntime
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {value.name: x for value, x in zip(session.get_inputs(), inputs)})


def lsb_differences(got: np.ndarray, expected: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """|got - expected| in units of `scale` (1 for integer outputs), rounded."""
    return np.rint(np.abs(got.astype(np.float64) - expected.astype(np.float64)) / scale).astype(np.int64)
