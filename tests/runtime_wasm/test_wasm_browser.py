"""tensorlet.js in headless Chromium (skipped where /usr/bin/chromium is absent): a <script type="module"> page
loads a model over HTTP, runs it on the SIMD128 and MVP builds and in a module Web Worker, and sees a wrong input
rejected; the page is not cross-origin isolated (no SharedArrayBuffer needed)."""
import json
import shutil

import numpy as np
import pytest

from wasm_support import CHROMIUM, CHROMIUM_FLAGS, RUNTIME_WASM, fc_model, page_report
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run

FLAGS = [*CHROMIUM_FLAGS, "--disable-gpu"]

PAGE = """<!doctype html><html><body><script type="module">
import { Tensorlet } from "./tensorlet.js";
const report = {};
try {
  const x = Int8Array.from(%(x)s);
  const model = await Tensorlet.load("fc.tlet");
  report.simd = model.simd;
  report.y = Array.from((await model.run(x))[0].data);
  report.nosimd = Array.from((await (await Tensorlet.load("fc.tlet", { simd: false })).run(x))[0].data);
  report.labels = model.metadata.labels;
  const source = `import { load } from "${new URL("./tensorlet.js", location.href)}";
    const m = await load("${new URL("./fc.tlet", location.href)}");
    postMessage(Array.from((await m.run(Int8Array.from(%(x)s)))[0].data));`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
  report.worker = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
  });
  report.error = await model.run(new Float32Array(8)).then(() => "", (e) => e.message);
  report.isolated = self.crossOriginIsolated;
} catch (e) {
  report.failure = String(e && e.message || e);
}
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_module_script_and_worker_in_chromium(wasm_build, tmp_path):
    data = fc_model()
    x = np.random.default_rng(9).integers(-128, 128, (1, 8)).astype(np.int8)
    expected = reference_run(from_bytes(data), [x])[0].ravel().tolist()
    site = tmp_path / "site"
    site.mkdir()
    for name in ("tensorlet.js", "tensorlet.wasm", "tensorlet-nosimd.wasm"):
        shutil.copy(RUNTIME_WASM / name, site / name)
    (site / "fc.tlet").write_bytes(data)
    (site / "index.html").write_text(PAGE % {"x": json.dumps(x.ravel().tolist())})
    report = page_report(site, FLAGS, tmp_path / "profile", 45)
    assert "failure" not in report, report["failure"]
    assert report["simd"] is True
    assert report["y"] == expected and report["nosimd"] == expected and report["worker"] == expected
    assert report["labels"] == ["cat", "dog", "émeu"]
    assert "input 'features' takes a Int8Array of 8 values" in report["error"]
    assert report["isolated"] is False
