"""Helpers of the WebGPU backend tests: Dawn for Node (the npm package webgpu, pinned in node/package.json) on
Chromium's SwiftShader Vulkan driver, and one node process running a whole list of cases through tensorlet.js with
backend "webgpu" (node/webgpu_runner.mjs)."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from wasm_support import NODE_DIR

SWIFTSHADER_ICD = Path("/usr/lib/chromium/vk_swiftshader_icd.json")
DAWN = NODE_DIR / "node_modules" / "webgpu"
# Dawn loads libvulkan.so.1; Chromium ships one next to its SwiftShader driver.
GPU_ENV = {"XDG_RUNTIME_DIR": "/tmp", "VK_ICD_FILENAMES": str(SWIFTSHADER_ICD), "LD_LIBRARY_PATH": "/usr/lib/chromium"}
FLOAT_RTOL = 1e-4  # WebGPU's float tolerance (f32 sums on the GPU; the reference sums in float64)


def dawn_reason() -> str | None:
    """Why the Node WebGPU tests cannot run here, or None."""
    if not SWIFTSHADER_ICD.is_file():
        return f"{SWIFTSHADER_ICD} is absent (apt-get install chromium)"
    if not DAWN.is_dir():
        return f"{DAWN} is absent (make test installs it: npm ci in {NODE_DIR})"
    return None


def gpu_env() -> dict:
    env = {**os.environ, **GPU_ENV}
    return env


def run_webgpu_cases(entries, backend: str = "webgpu", timeout: int = 240) -> dict[str, object]:
    """Run every (id, model bytes, samples) through tensorlet.js with `backend` on Dawn + SwiftShader in one node
    process: id -> { "outputs": a list (per sample) of lists of arrays, "backend": model.backend, "report":
    model.backendReport }, or the error message (a str)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = []
        for k, (cid, data, samples) in enumerate(entries):
            (tmp / f"{k}.tlet").write_bytes(data)
            files = []
            for s, inputs in enumerate(samples):
                files.append([])
                for j, x in enumerate(inputs):
                    x = np.ascontiguousarray(x)
                    (tmp / f"{k}.{s}.in{j}").write_bytes(x.tobytes())
                    files[-1].append({"path": str(tmp / f"{k}.{s}.in{j}"), "dtype": x.dtype.name})
            manifest.append({"id": cid, "model": str(tmp / f"{k}.tlet"), "samples": files,
                             "outputs": str(tmp / f"{k}.out")})
        (tmp / "manifest.json").write_text(json.dumps({"backend": backend, "cases": manifest}))
        result = subprocess.run(["node", str(NODE_DIR / "webgpu_runner.mjs"), str(tmp / "manifest.json")],
                                capture_output=True, text=True, timeout=timeout, env=gpu_env())
        if result.returncode != 0:
            raise RuntimeError(f"webgpu runner failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        report = json.loads(result.stdout)
        out = {}
        for k, (cid, _, samples) in enumerate(entries):
            entry = report[cid]
            if "error" in entry:
                out[cid] = entry["error"]
                continue
            raw, at, per_sample = (tmp / f"{k}.out").read_bytes(), 0, []
            for _ in samples:
                arrays = []
                for o in entry["outputs"]:
                    dtype = np.dtype(o["dtype"])
                    n = int(np.prod(o["shape"], dtype=np.int64)) * dtype.itemsize
                    arrays.append(np.frombuffer(raw[at:at + n], dtype).reshape(o["shape"]).copy())
                    at += n
                per_sample.append(arrays)
            assert at == len(raw), f"{cid}: node wrote {len(raw)} bytes, expected {at}"
            out[cid] = {"outputs": per_sample, "backend": entry["backend"], "report": entry["report"]}
        return out
