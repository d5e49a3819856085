"""Helpers of the WebGPU backend tests: Dawn for Node (the npm package webgpu, pinned in node/package.json) on
Chromium's SwiftShader Vulkan driver, and one node process running a whole list of cases through tensorlet.js with
backend "webgpu" (node/case_runner.mjs)."""
from __future__ import annotations

import os
from pathlib import Path

from wasm_support import NODE_DIR, run_node_manifest

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
    results = run_node_manifest(entries, {"backend": backend}, webgpu=True, timeout=timeout, env=gpu_env())
    return {cid: entry.get("error", entry) for cid, entry in results.items()}
