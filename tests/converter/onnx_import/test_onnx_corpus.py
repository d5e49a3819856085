"""Real ONNX models from ../shared/corpus: mnist-8 against its stored outputs and onnxruntime, the MLPerf Tiny
float models against onnxruntime (their QDQ versions: test_onnx_qdq_mlperf.py), and the onnx2c single-op cases
within our op set against their stored outputs. Skipped, with the reason, when the corpus is absent.
"""
from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import onnx
import pytest
import onnxruntime as ort
from onnx import numpy_helper

from conformance_exclusions import EXCLUSIONS
from onnx_harness import adapt_case, assert_close, convert
from support import SHARED_CORPUS
from tensorlet.converter.ir import OpCode
from tensorlet.converter.onnx_import.ops import LOWERINGS
from tensorlet.converter.reference import run
from tensorlet.errors import UnsupportedOpError

ONNX_DIR = SHARED_CORPUS / "onnx"
MLPERF_DIR = SHARED_CORPUS / "mlperf_tiny" / "onnx"
MLPERF_FLOAT = ["kws_ref_model_float32", "vww_96_float", "pretrainedResnet", "ad01_fp32"]
pytestmark = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=f"shared corpus absent ({SHARED_CORPUS})")


def _tensor(path: Path) -> np.ndarray:
    proto = onnx.TensorProto()
    proto.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(proto)


def _data_set(directory: Path, kind: str) -> list[np.ndarray]:
    return [_tensor(directory / f"{kind}_{k}.pb") for k in range(len(glob.glob(str(directory / f"{kind}_*.pb"))))]


def _onnxruntime(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


@pytest.mark.parametrize("data_set", [0, 1, 2])
def test_mnist8_matches_stored_outputs_and_onnxruntime(data_set):
    path = ONNX_DIR / "mnist-8" / "model.onnx"
    model = convert(path.read_bytes())
    directory = path.parent / f"test_data_set_{data_set}"
    x, expected = _data_set(directory, "input")[0], _data_set(directory, "output")[0]
    got = run(model, [x])[0]
    assert_close(got, expected, 1e-3)
    reference = _onnxruntime(path, x)
    assert np.abs(got - reference).max() <= 1e-4 * np.abs(reference).max()


@pytest.mark.parametrize("name", MLPERF_FLOAT)
def test_mlperf_tiny_float_model_matches_onnxruntime(name):
    path = MLPERF_DIR / f"{name}.onnx"
    model = convert(str(path))
    assert not any(op.opcode == OpCode.TRANSPOSE for op in model.operators)
    source = onnx.load(str(path))
    assert [model.tensors[i].name for i in model.inputs] == [source.graph.input[0].name]
    x = np.random.default_rng(7).standard_normal(model.tensors[model.inputs[0]].shape).astype(np.float32)
    got, reference = run(model, [x])[0], _onnxruntime(path, x)
    assert got.shape == reference.shape
    assert np.abs(got - reference).max() <= 1e-4 * np.abs(reference).max()


def _onnx2c_cases() -> list[str]:
    """The onnx2c cases whose nodes are all ai.onnx ops of the lowering table (or Constant)."""
    names = []
    for directory in sorted((ONNX_DIR / "onnx2c_ops").glob("test_*")) if SHARED_CORPUS.is_dir() else []:
        nodes = onnx.load(str(directory / "model.onnx")).graph.node
        if all(n.domain in ("", "ai.onnx") and (n.op_type in LOWERINGS or n.op_type == "Constant") for n in nodes):
            names.append(directory.name)
    return names


@pytest.mark.parametrize("name", _onnx2c_cases())
def test_onnx2c_case(name):
    directory = ONNX_DIR / "onnx2c_ops" / name
    data = directory / "test_data_set_0"
    model, feeds, expected = adapt_case(onnx.load(str(directory / "model.onnx")), _data_set(data, "input"),
                                        _data_set(data, "output"))
    if f"onnx2c/{name}" in EXCLUSIONS:
        with pytest.raises(UnsupportedOpError):
            convert(model)
        return
    for got, want in zip(run(convert(model), feeds), expected, strict=True):
        assert_close(got, want, 1e-4)
