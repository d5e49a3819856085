"""`tensorlet convert`: the whole pipeline from .tflite/.onnx to a .tlet that runs, with and without quantization."""
import json

import numpy as np
import pytest

from support import SHARED_CORPUS
from tensorlet.cli import main
from tensorlet.converter import ir
from tensorlet.converter.reader import load
from tensorlet.converter.reference import run

MLPERF = SHARED_CORPUS / "mlperf_tiny"
corpus = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")


def ad_windows() -> np.ndarray:
    """The real ToyCar log-mel clip as 196 windows of 640 (5 frames of 128)."""
    frames = np.fromfile(MLPERF / "ad/normal_id_01_00000000_hist_librosa.bin", np.float32).reshape(200, 128)
    return np.stack([frames[i:i + 5].ravel() for i in range(196)])


@corpus
def test_int8_tflite_converts_and_runs_bit_exact_through_the_cli(tmp_path, capsys):
    out = tmp_path / "kws.tlet"
    assert main(["convert", str(MLPERF / "kws/kws_ref_model.tflite"), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "already quantized" in text and "arena       16,000 bytes" in text
    golden = np.load(SHARED_CORPUS / "goldens/kws_ref_model_sample.npz")
    np.save(tmp_path / "x.npy", golden["x"])
    assert main(["run", str(out), "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy").reshape(golden["y_tflm"].shape), golden["y_tflm"])


@corpus
def test_float_model_quantizes_to_int8_with_a_report(tmp_path, capsys):
    windows = ad_windows()
    np.save(tmp_path / "calibration.npy", windows[::2])
    out = tmp_path / "ad8.tlet"
    assert main(["convert", str(MLPERF / "ad/ad01_fp32.tflite"), "-o", str(out), "--quantize", "int8",
                 "--calibration", str(tmp_path / "calibration.npy"), "--calibration-method", "mse", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quantization_report"]["outputs"][0]["sqnr_db"] > 30
    assert result["summary"]["inputs"][0]["dtype"] == "float32"           # --io float: quantized at the edges
    model = load(str(out))
    assert sum(op.opcode == ir.OpCode.FULLY_CONNECTED for op in model.operators) == 10
    assert all(model.tensors[op.inputs[1]].dtype == ir.DType.INT8
               for op in model.operators if op.opcode == ir.OpCode.FULLY_CONNECTED)
    assert main(["convert", str(MLPERF / "ad/ad01_fp32.tflite"), "-o", str(tmp_path / "ad.tlet")]) == 0
    float_model = load(str(tmp_path / "ad.tlet"))
    held_out = windows[1::2][:16]                                       # windows the calibration never saw
    y = np.stack([run(float_model, w[None])[0][0] for w in held_out])
    y8 = np.stack([run(model, w[None])[0][0] for w in held_out])
    sqnr = 10 * np.log10(np.sum(y ** 2) / np.sum((y - y8) ** 2))
    assert sqnr > 30, sqnr


@corpus
def test_float16_halves_the_weights(tmp_path):
    assert main(["convert", str(MLPERF / "ad/ad01_fp32.tflite"), "-o", str(tmp_path / "f32.tlet")]) == 0
    assert main(["convert", str(MLPERF / "ad/ad01_fp32.tflite"), "-o", str(tmp_path / "f16.tlet"),
                 "--quantize", "float16"]) == 0
    f32, f16 = load(str(tmp_path / "f32.tlet")), load(str(tmp_path / "f16.tlet"))
    assert (tmp_path / "f16.tlet").stat().st_size < 0.55 * (tmp_path / "f32.tlet").stat().st_size
    x = ad_windows()[:1]
    a, b = run(f32, x)[0], run(f16, x)[0]
    assert np.abs(a - b).max() <= 2e-3 * np.abs(a).max()


@corpus
def test_int8_of_a_float_model_needs_calibration(tmp_path, capsys):
    assert main(["convert", str(MLPERF / "ad/ad01_fp32.tflite"), "-o", str(tmp_path / "x.tlet"),
                 "--quantize", "int8"]) == 1
    assert "needs calibration data" in capsys.readouterr().err


@corpus
def test_unsupported_op_fails_with_one_line_naming_it(tmp_path, capsys):
    assert main(["convert", str(SHARED_CORPUS / "tflite_micro/trained_lstm.tflite"), "-o",
                 str(tmp_path / "x.tlet")]) == 1
    err = capsys.readouterr().err.strip()
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in err and "\n" not in err
    assert not (tmp_path / "x.tlet").exists()


def test_garbage_source_fails_with_one_line(tmp_path, capsys):
    source = tmp_path / "garbage.onnx"
    source.write_bytes(b"\x00\x01 definitely not a model")
    assert main(["convert", str(source), "-o", str(tmp_path / "x.tlet")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tensorlet convert: error:") and "\n" not in err
