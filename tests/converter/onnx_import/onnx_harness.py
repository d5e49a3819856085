"""Shared by the ONNX import tests: run a model through the whole pipeline (import, plan, validate, .tlet bytes,
read back, reference interpreter) and adapt backend-style cases, whose weights arrive as graph inputs.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from tensorlet.converter import ir
from tensorlet.converter.onnx_import import import_onnx
from tensorlet.converter.onnx_import.ops import LOWERINGS
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.validate import validate
from tensorlet.converter.writer import to_bytes

# Optional extra outputs the importer does not compute (training statistics, argmax indices, dropout masks); a
# case declaring them is checked on its main output, and consuming them is an error (see test_onnx_errors).
SECONDARY_OUTPUTS = {"LayerNormalization", "Dropout", "MaxPool"}


def convert(model: onnx.ModelProto | str | bytes) -> ir.Model:
    """import_onnx, then planned, validated and taken through the file format as a user would get it."""
    converted = import_onnx(model)
    apply_plan(converted)
    validate(converted)
    return from_bytes(to_bytes(converted))


def assert_close(got: np.ndarray, expected: np.ndarray, rtol: float) -> None:
    """Equal shapes, and every value within rtol of the expected outputs' magnitude (at least 1)."""
    expected = np.asarray(expected)
    assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    error = float(np.abs(got.astype(np.float64) - expected).max()) if expected.size else 0.0
    assert error <= rtol * scale, f"max error {error:.3g} > {rtol:g} * {scale:.3g}"


def check_against_onnxruntime(model: onnx.ModelProto, inputs: list[np.ndarray], rtol: float = 1e-4) -> ir.Model:
    """Convert `model`, run it on `inputs` and compare every output with onnxruntime's; the converted model."""
    import onnxruntime

    converted = convert(model)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, {value.name: x for value, x in zip(session.get_inputs(), inputs)})
    got = run(converted, list(inputs))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert_close(g, e, rtol)
    return converted


def with_constant_inputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> onnx.ModelProto:
    """A copy of `model` where each graph input read at a position its lowering needs constant (weights, shapes,
    pads: CONSTANT_INPUTS) becomes an initializer holding its test value, as exporters store them."""
    static = onnx.ModelProto()
    static.CopyFrom(model)
    promoted = {name for node in static.graph.node if node.op_type in LOWERINGS
                for position, name in enumerate(node.input)
                if position in LOWERINGS[node.op_type].CONSTANT_INPUTS and name in feeds}
    static.graph.initializer.extend(numpy_helper.from_array(np.asarray(feeds[n]), n) for n in sorted(promoted))
    kept = [value for value in static.graph.input if value.name not in promoted]
    del static.graph.input[:]
    static.graph.input.extend(kept)
    return static


def main_outputs_only(model: onnx.ModelProto, expected: list[np.ndarray]) -> list[np.ndarray]:
    """Drop, in place, the graph outputs that are secondary outputs of SECONDARY_OUTPUTS nodes; the expected
    arrays of the outputs kept."""
    secondary = {name for node in model.graph.node if node.op_type in SECONDARY_OUTPUTS for name in node.output[1:]}
    keep = [k for k, value in enumerate(model.graph.output) if value.name not in secondary]
    outputs = [model.graph.output[k] for k in keep]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    return [y for k, y in enumerate(expected) if k in keep]


def adapt_case(model: onnx.ModelProto, inputs: list[np.ndarray], outputs: list[np.ndarray]):
    """(model, run-time inputs in order, expected outputs) of a backend-style case, adapted as described above."""
    initializers = {t.name for t in model.graph.initializer}
    runtime = [value for value in model.graph.input if value.name not in initializers]
    feeds = {value.name: np.asarray(x) for value, x in zip(runtime, inputs)}
    static = with_constant_inputs(model, feeds)
    expected = main_outputs_only(static, [np.asarray(y) for y in outputs])
    return static, [feeds[value.name] for value in static.graph.input if value.name in feeds], expected
