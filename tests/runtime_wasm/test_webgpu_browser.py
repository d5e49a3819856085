"""tensorlet.js's WebGPU backend in headless Chromium with --enable-unsafe-webgpu (SwiftShader; skipped where
/usr/bin/chromium is absent): a module page loads every op case, the SIMD edge cases, a float model with an op the
GPU lacks and (with the corpus) the float KWS model over HTTP with backend "webgpu", runs them and posts the
outputs' bytes back; each is compared with the reference interpreter (float within 1e-4 relative, int8 identical)
and placed as expected. The page also
loads with a GPU that has no adapter and with "auto" on the software adapter: both run on wasm, with the reason."""
import base64
import json
import shutil

import numpy as np
import pytest

from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run
from tensorlet.converter.writer import to_bytes
from test_webgpu_node import expected_placement, mixed_model
from wasm_support import (CHROMIUM, CHROMIUM_FLAGS, MLPERF, RUNTIME_WASM, SHARED_CORPUS, op_cases_with_kernel,
                          page_report, simd_cases, tlet)
from webgpu_support import FLOAT_RTOL
from parity import compare  # noqa: E402  (wasm_support puts it on the path)

FLAGS = [*CHROMIUM_FLAGS, "--enable-unsafe-webgpu"]
ARRAYS = {"float32": np.float32, "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32}

PAGE = """<!doctype html><html><body><script type="module">
import { Tensorlet } from "./tensorlet.js";
const TYPED = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
const base64 = (bytes) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };
const report = { cases: {} };
try {
  const adapter = await navigator.gpu?.requestAdapter();
  report.adapter = adapter ? (adapter.info?.architecture ?? "unknown") : null;
  const manifest = await (await fetch("manifest.json")).json();
  for (const c of manifest) {
    try {
      const model = await Tensorlet.load(c.model, { backend: "webgpu" });
      const inputs = [];
      for (const i of c.inputs) inputs.push(new TYPED[i.dtype](await (await fetch(i.path)).arrayBuffer()));
      const outputs = await model.run(inputs);
      report.cases[c.id] = { backend: model.backend, ops: model.backendReport.ops.map((o) => o.backend),
        outputs: outputs.map((o) => ({ dtype: o.dtype, shape: o.shape,
          data: base64(new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength)) })) };
      model.dispose();
    } catch (e) {
      report.cases[c.id] = { error: String(e && e.stack || e) };
    }
  }
  const noGpu = { requestAdapter: async () => null };
  const none = await Tensorlet.load(manifest[0].model, { backend: "webgpu", gpu: noGpu });
  report.noAdapter = { backend: none.backend, reason: none.backendReport.reason };
  const auto = await Tensorlet.load(manifest[0].model);
  report.auto = { backend: auto.backend, reason: auto.backendReport.reason };
} catch (e) {
  report.failure = String(e && e.stack || e);
}
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
</script></body></html>"""


def _entries():
    entries = op_cases_with_kernel(set(_all_ops())) + simd_cases()
    entries.append(("mixed", to_bytes(mixed_model()),
                    [np.random.default_rng(1).standard_normal((1, 6, 6, 3)).astype(np.float32)]))
    if SHARED_CORPUS.is_dir():
        data = tlet(MLPERF / "kws/kws_ref_model_float32.tflite")
        entries.append(("kws-float", data, [np.random.default_rng(2).random((1, 49, 10, 1)).astype(np.float32)]))
    return entries


def _all_ops():
    from tensorlet.converter.ir import OpCode
    return [op.name for op in OpCode]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_webgpu_in_chromium(wasm_build, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(RUNTIME_WASM / "webgpu", site / "webgpu")
    for name in ("tensorlet.js", "tensorlet.wasm", "tensorlet-nosimd.wasm"):
        shutil.copy(RUNTIME_WASM / name, site / name)
    entries = _entries()
    manifest = []
    for k, (cid, data, inputs) in enumerate(entries):
        (site / f"{k}.tlet").write_bytes(data)
        files = []
        for j, x in enumerate(inputs):
            (site / f"{k}.in{j}").write_bytes(np.ascontiguousarray(x).tobytes())
            files.append({"path": f"{k}.in{j}", "dtype": x.dtype.name})
        manifest.append({"id": cid, "model": f"{k}.tlet", "inputs": files})
    (site / "manifest.json").write_text(json.dumps(manifest))
    (site / "index.html").write_text(PAGE)
    report = page_report(site, FLAGS, tmp_path / "profile", 120)
    assert "failure" not in report, report["failure"]
    if report["adapter"] is None:
        pytest.skip("this Chromium gives no WebGPU adapter even with --enable-unsafe-webgpu")
    for cid, data, inputs in entries:
        got = report["cases"][cid]
        assert "error" not in got, f"{cid}: {got['error']}"
        outputs = [np.frombuffer(base64.b64decode(o["data"]), ARRAYS[o["dtype"]]).reshape(o["shape"])
                   for o in got["outputs"]]
        compare(reference_run(from_bytes(data), inputs), outputs, FLOAT_RTOL, f"chromium webgpu {cid}")
        placement = expected_placement(data)
        assert got["ops"] == placement, cid
        assert got["backend"] == ("webgpu" if "webgpu" in placement else "wasm"), cid
    assert report["cases"]["mixed"]["ops"] == ["webgpu", "wasm", "webgpu", "webgpu", "webgpu"]
    assert report["noAdapter"]["backend"] == "wasm"
    assert "no WebGPU adapter is available" in report["noAdapter"]["reason"]
    assert report["auto"]["backend"] == "wasm"
