"""WebGPU benchmark (make bench-webgpu): per model, tensorlet.js's WebGPU backend against its wasm backend in the same
headless Chromium page (--enable-unsafe-webgpu), with onnxruntime-web's WebGPU execution provider on the float
models' ONNX twins as the anchor (benchmarks/web's pinned install), batch 1, the median over timed batches (each
>= 20 ms of back-to-back runs) after warm-up; prints a table with the time ratios and where the operators ran, and
writes benchmarks/webgpu/results.json (not committed).

Without a GPU, Chromium's adapter is SwiftShader (WebGPU on the CPU): those timings only prove the path runs; on a
machine with a GPU the same command measures the real thing. Models: the MLPerf Tiny float models of the corpus
and their int8 twins (skipped when ../shared is absent), and two synthetic float models large enough for a GPU to
matter.

  python benchmarks/webgpu/bench.py [--runs N] [--warmup N] [--models kws-float,vww-int8,...,synthetic]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_WASM = ROOT / "runtime_wasm"
CORPUS_MODELS = {"kws-float": "kws/kws_ref_model_float32.tflite", "vww-float": "vww/vww_96_float.tflite",
                 "ic-float": "ic/pretrainedResnet.tflite", "ad-float": "ad/ad01_fp32.tflite",
                 "kws-int8": "kws/kws_ref_model.tflite", "vww-int8": "vww/vww_96_int8.tflite",
                 "ic-int8": "ic/pretrainedResnet_quant.tflite", "ad-int8": "ad/ad01_int8.tflite"}
ORT_DIST = ROOT / "benchmarks" / "web" / "node_modules" / "onnxruntime-web" / "dist"  # make bench-web installs it
ORT_MODELS = {"kws-float": "kws_ref_model_float32.onnx", "vww-float": "vww_96_float.onnx",
              "ic-float": "pretrainedResnet.onnx", "ad-float": "ad01_fp32.onnx"}
# the tests' Chromium harness (tests/runtime_wasm/wasm_support.py: page_report) and corpus conversion (tlet)
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "runtime_wasm")]
from wasm_support import CHROMIUM, CHROMIUM_FLAGS, MLPERF, SHARED_CORPUS, page_report, tlet  # noqa: E402

FLAGS = [*CHROMIUM_FLAGS, "--enable-unsafe-webgpu"]

PAGE = """<!doctype html><html><body><script type="module">
import { Tensorlet } from "./tensorlet.js";
const config = await (await fetch("config.json")).json();

// Median time per run of `run`, over config.runs batches of back-to-back runs lasting >= 20 ms each (the page's
// clock is coarse: 100 us, not cross-origin isolated), after config.warmup runs.
async function timeRuns(run) {
  for (let k = 0; k < config.warmup; k++) await run();
  let repeat = 1;
  for (let t = performance.now(); ; repeat *= 2, t = performance.now()) {
    for (let k = 0; k < repeat; k++) await run();
    if (performance.now() - t >= 20) break;
  }
  const times = [];
  for (let k = 0; k < config.runs; k++) {
    const t = performance.now();
    for (let r = 0; r < repeat; r++) await run();
    times.push((performance.now() - t) / repeat);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// onnxruntime-web's WebGPU execution provider on the same float model (ONNX), one thread.
async function timeOrt(onnx) {
  const ort = await import("./ort/ort.webgpu.min.mjs");
  ort.env.wasm.wasmPaths = new URL("./ort/", location.href).href;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  const session = await ort.InferenceSession.create(onnx.file, { executionProviders: ["webgpu"] });
  const size = onnx.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(size).map((_, i) => Math.sin(i));
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", x, onnx.shape) };
  const ms = await timeRuns(async () => {
    const out = await session.run(feeds);
    for (const k in out) await out[k].getData?.(true);
  });
  await session.release();
  return ms;
}
const report = { results: [] };
try {
  const adapter = await navigator.gpu?.requestAdapter();
  report.adapter = adapter ? [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description]
    .filter(Boolean).join(" ") : null;
  for (const m of config.models) {
    const row = { name: m.name };
    for (const backend of ["wasm", "webgpu"]) {
      const model = await Tensorlet.load(m.file, { backend });
      const input = model.inputs[0];
      const x = input.dtype === "int8" ? new Int8Array(input.size).map((_, i) => (i * 37) % 256 - 128)
        : new Float32Array(input.size).map((_, i) => Math.sin(i));
      const ms = await timeRuns(() => model.run(x));
      row[backend] = { ms, backend: model.backend,
        onGpu: model.backendReport.ops.filter((o) => o.backend === "webgpu").length, ops: model.ops.length,
        reason: model.backendReport.reason };
      model.dispose();
    }
    if (m.onnx) {
      try {
        row.ort = { ms: await timeOrt(m.onnx) };
      } catch (e) {
        row.ort = { error: String(e && e.message || e) };
      }
    }
    report.results.push(row);
  }
} catch (e) {
  report.failure = String(e && e.stack || e);
}
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
</script></body></html>"""


def synthetic_models() -> dict[str, bytes]:
    """Two float models sized for a GPU: a 3-conv stack at 64x64x32 (~113 M MACs) and a 512x512 MLP."""
    from support import act, const
    from tensorlet.converter import ir
    from tensorlet.converter.ir import Activation, OpCode
    from tensorlet.converter.planner import apply_plan
    from tensorlet.converter.validate import validate
    from tensorlet.converter.writer import to_bytes

    rng = np.random.default_rng(0)

    def chain(x, layers, output_shape_of):
        tensors, operators, prev = [x], [], 0
        for k, (opcode, w_shape, options) in enumerate(layers):
            tensors.append(const(f"w{k}", (rng.standard_normal(w_shape) * 0.05).astype(np.float32)))
            tensors.append(const(f"b{k}", np.zeros(w_shape[0], np.float32)))
            tensors.append(act(f"y{k}", output_shape_of(w_shape)))
            n = len(tensors)
            operators.append(ir.Operator(opcode, [prev, n - 3, n - 2], [n - 1], options, None))
            prev = n - 1
        model = ir.Model(tensors, operators, [0], [prev])
        apply_plan(model)
        validate(model)
        return to_bytes(model)

    conv = ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, activation=Activation.RELU)
    convs = chain(act("x", (1, 64, 64, 32)), [(OpCode.CONV_2D, (32, 3, 3, 32), conv)] * 3,
                  lambda w: (1, 64, 64, w[0]))
    mlp = chain(act("x", (8, 512)), [(OpCode.FULLY_CONNECTED, (512, 512),
                                      ir.FullyConnectedOptions(activation=Activation.RELU))] * 4,
                lambda w: (8, w[0]))
    return {"conv3x3-64x64x32": convs, "mlp-8x512x4": mlp}


def corpus_models(names) -> dict[str, bytes]:
    return {name: tlet(MLPERF / CORPUS_MODELS[name]) for name in names}


def onnx_entry(source: Path, target: Path) -> dict:
    """Copy an ONNX model into the page's folder: { file, shape } with the batch dimension set to 1."""
    import onnx

    shape = [d.dim_value or 1 for d in onnx.load(str(source)).graph.input[0].type.tensor_type.shape.dim]
    shutil.copy(source, target)
    return {"file": target.name, "shape": shape}


def run_page(models: dict[str, bytes], runs: int, warmup: int, timeout: float) -> dict:
    if CHROMIUM is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(RUNTIME_WASM / "webgpu", site / "webgpu")
        for name in ("tensorlet.js", "tensorlet.wasm", "tensorlet-nosimd.wasm"):
            shutil.copy(RUNTIME_WASM / name, site / name)
        config = {"runs": runs, "warmup": warmup, "models": []}
        with_ort = ORT_DIST.is_dir() and SHARED_CORPUS.is_dir()
        if with_ort:
            shutil.copytree(ORT_DIST, site / "ort", ignore=shutil.ignore_patterns("*.map"))
        for k, (name, data) in enumerate(models.items()):
            (site / f"{k}.tlet").write_bytes(data)
            entry = {"name": name, "file": f"{k}.tlet"}
            if with_ort and name in ORT_MODELS:
                entry["onnx"] = onnx_entry(MLPERF / "onnx" / ORT_MODELS[name], site / f"{k}.onnx")
            config["models"].append(entry)
        (site / "config.json").write_text(json.dumps(config))
        (site / "index.html").write_text(PAGE)
        try:
            report = page_report(site, FLAGS, Path(tmp) / "profile", timeout)
        except AssertionError as e:
            raise SystemExit(f"the benchmark page did not report: {e}")
    if "failure" in report:
        raise SystemExit(f"the benchmark page failed: {report['failure']}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--models", default=",".join(CORPUS_MODELS) + ",synthetic")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    wanted = args.models.split(",")
    models = {}
    if SHARED_CORPUS.is_dir():
        models.update(corpus_models([n for n in wanted if n in CORPUS_MODELS]))
    else:
        print("(../shared/corpus is absent: the MLPerf Tiny models are skipped)")
    if "synthetic" in wanted:
        models.update(synthetic_models())
    report = run_page(models, args.runs, args.warmup, args.timeout)
    adapter = report["adapter"] or "none (WebGPU unavailable: the webgpu column ran on wasm)"
    print(f"WebGPU vs wasm in one headless Chromium page, batch 1, median of {args.runs} runs after {args.warmup} "
          f"warm-up; adapter: {adapter}")
    if report["adapter"] and "swiftshader" in report["adapter"].lower():
        print("SwiftShader is WebGPU emulated on the CPU: these timings prove the path runs, not GPU speed.")
    print(f"{'model':<18} {'wasm ms':>9} {'webgpu ms':>10} {'webgpu/wasm':>12} {'ORT-webgpu ms':>14} "
          f"{'webgpu/ORT':>11}  ops on GPU")
    for row in report["results"]:
        w, g, o = row["wasm"], row["webgpu"], row.get("ort")
        ort_ms = f"{o['ms']:>14.2f}" if o and "ms" in o else f"{'-':>14}"
        ort_ratio = f"{g['ms'] / o['ms']:>10.2f}x" if o and "ms" in o else f"{'-':>11}"
        print(f"{row['name']:<18} {w['ms']:>9.3f} {g['ms']:>10.2f} {g['ms'] / w['ms']:>11.2f}x {ort_ms} {ort_ratio}  "
              f"{g['onGpu']}/{g['ops']} ({g['backend']})")
    for row in report["results"]:
        if "error" in row.get("ort", {}):
            print(f"ORT-web WebGPU failed on {row['name']}: {row['ort']['error']}")
    if not ORT_DIST.is_dir():
        print("(onnxruntime-web is not installed: make bench-web installs it; its column is empty)")
    out = Path(__file__).resolve().parent / "results.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
