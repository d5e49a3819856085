"""Conversion benchmark: time to convert each corpus model (float, and int8 from float with 100 calibration
samples), and our activation arena against TFLite Micro's for the same .tflite (its RecordingMicroAllocator).

Prints a table and JSON. Goal: our arena <= TFLite Micro's on every model.
Usage: python benchmarks/convert_bench.py [--corpus ../shared/corpus] [--json out.json]
"""
import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from tensorlet.converter.convert import convert
from tensorlet.errors import TensorletError

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_SAMPLES = 100


def smooth_images(shape, count: int, seed: int) -> np.ndarray:
    """Random low-frequency images in [0, 1]: no real images ship for VWW/IC (stated in the output)."""
    rng = np.random.default_rng(seed)
    h, w, c = shape
    coarse = rng.random((count, 4, 4, c))
    fine = coarse.repeat(-(-h // 4), axis=1).repeat(-(-w // 4), axis=2)[:, :h, :w]
    return (fine + 0.05 * rng.standard_normal((count, h, w, c))).clip(0, 1).astype(np.float32)


def calibration_for(name: str, corpus: Path) -> tuple[np.ndarray, str]:
    if name.startswith("ad01"):
        frames = np.fromfile(corpus / "mlperf_tiny/ad/normal_id_01_00000000_hist_librosa.bin", np.float32)
        frames = frames.reshape(200, 128)
        return np.stack([frames[i:i + 5].ravel() for i in range(CALIBRATION_SAMPLES)]), "real log-mel windows"
    if name.startswith("kws"):
        x = np.load(corpus / "mlperf_tiny/kws/kws_sample_input_int8.npy").astype(np.float32)
        x = ((x - 83) * 0.5847029089927673).reshape(49, 10, 1)
        noise = np.random.default_rng(0).standard_normal((CALIBRATION_SAMPLES, 49, 10, 1)).astype(np.float32)
        return x + 0.5 * noise, "the real MFCC sample + noise"
    if name.startswith("vww"):
        return smooth_images((96, 96, 3), CALIBRATION_SAMPLES, 1), "smooth random images"
    return smooth_images((32, 32, 3), CALIBRATION_SAMPLES, 2), "smooth random images"


def tflm_arena(path: Path) -> dict | None:
    """TFLite Micro's arena head (activations) and total for a .tflite, read from its allocation recording
    (which it prints on stderr)."""
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        return None
    with tempfile.TemporaryFile(mode="w+") as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            runtime.Interpreter.from_file(str(path)).print_allocations()
        except RuntimeError:  # TFLite Micro cannot load it (e.g. hybrid models)
            return None
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read()
    numbers = {k: int(v) for k, v in re.findall(r"Arena allocation (total|head|tail) (\d+) bytes", text)}
    return numbers or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    mlperf = args.corpus / "mlperf_tiny"
    models = {
        "kws int8": mlperf / "kws/kws_ref_model.tflite", "kws float": mlperf / "kws/kws_ref_model_float32.tflite",
        "vww int8": mlperf / "vww/vww_96_int8.tflite", "vww float": mlperf / "vww/vww_96_float.tflite",
        "resnet8 int8": mlperf / "ic/pretrainedResnet_quant.tflite", "resnet8 float": mlperf / "ic/pretrainedResnet.tflite",
        "ad01 int8": mlperf / "ad/ad01_int8.tflite", "ad01 float": mlperf / "ad/ad01_fp32.tflite",
        "kws float (onnx)": mlperf / "onnx/kws_ref_model_float32.onnx",
        "vww float (onnx)": mlperf / "onnx/vww_96_float.onnx", "resnet8 float (onnx)": mlperf / "onnx/pretrainedResnet.onnx",
        "ad01 float (onnx)": mlperf / "onnx/ad01_fp32.onnx", "kws int8 (onnx qdq)": mlperf / "onnx/kws_ref_model.onnx",
        "mnist-8 (onnx)": args.corpus / "onnx/mnist-8/model.onnx",
    }
    rows = []
    for name, path in models.items():
        row = {"model": name, "source": str(path.relative_to(args.corpus))}
        try:
            result = convert(path)
            row.update(convert_s=round(result.seconds, 3), file_bytes=len(result.data), arena=result.plan.arena_bytes,
                       arena_lower_bound=result.plan.lower_bound)
            if name.endswith("float") or "float (onnx)" in name:
                key = name.split()[0]
                samples, kind = calibration_for(key, args.corpus)
                with tempfile.TemporaryDirectory() as tmp:
                    np.save(Path(tmp) / "calibration.npy", samples)
                    int8 = convert(path, quantize="int8", calibration=Path(tmp) / "calibration.npy")
                row.update(int8_convert_s=round(int8.seconds, 3), int8_file_bytes=len(int8.data),
                           int8_arena=int8.plan.arena_bytes, calibration=f"{len(samples)} x {kind}")
        except TensorletError as e:
            row["error"] = str(e).splitlines()[0][:120]
        if path.suffix == ".tflite":
            tflm = tflm_arena(path)
            if tflm:
                row.update(tflm_arena_head=tflm.get("head"), tflm_arena_total=tflm.get("total"))
        rows.append(row)
    header = f"{'model':<22}{'convert s':>10}{'int8 s':>8}{'file':>10}{'arena':>9}{'bound':>9}{'TFLM head':>11}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        if "error" in r:
            print(f"{r['model']:<22}  {r['error']}")
            continue
        ratio = f"{r['arena'] / r['tflm_arena_head']:.3f}" if r.get("tflm_arena_head") else "-"
        int8_s = f"{r['int8_convert_s']:.3f}" if "int8_convert_s" in r else "-"
        print(f"{r['model']:<22}{r['convert_s']:>10.3f}{int8_s:>8}"
              f"{r['file_bytes']:>10,}{r['arena']:>9,}{r['arena_lower_bound']:>9,}"
              f"{r.get('tflm_arena_head') or 0:>11,}{ratio:>7}")
    print(json.dumps(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
