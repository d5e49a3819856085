"""tensorlet.js under Node: parity with the reference interpreter (every op case with a kernel, the SIMD edge
cases, the MLPerf Tiny models, TFLite Micro's goldens bit for bit) for the SIMD128 and MVP builds, the API behaviour
(node --test wasm_api.test.mjs), and the npm package."""
import json
import os
import subprocess

import numpy as np
import pytest

from wasm_support import (FLOAT_MODELS, GOLDENS, INT8_MODELS, MLPERF, NODE_DIR, RUNTIME_WASM, SHARED_CORPUS,
                          SIMD_FLAVOURS, op_cases_with_kernel, random_inputs, run_node_cases, simd_cases, tlet)
from wasm_support import FC_ONLY, fc_model, fc_only_wasm, op_cases_without_kernel, two_input_model
from parity import assert_parity  # noqa: E402  (wasm_support puts it on the path)
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run

FLAVOUR_IDS = ["simd", "nosimd"]


def _parity(results, entries):
    for cid, data, samples in entries:
        got = results[cid]
        assert not isinstance(got, str), f"{cid}: {got}"
        for inputs, outputs in zip(samples, got):
            assert_parity(data, inputs, lambda *_: outputs, what=f"node {cid}")


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_node_parity(node_ok, supported, simd):
    entries = [(cid, data, [inputs]) for cid, data, inputs in op_cases_with_kernel(supported) + simd_cases()]
    if SHARED_CORPUS.is_dir():
        for name in INT8_MODELS + FLOAT_MODELS:
            data = tlet(MLPERF / name)
            entries.append((name, data, [random_inputs(data, seed) for seed in range(2)]))
    _parity(run_node_cases(entries, simd), entries)


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")
@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_node_goldens_bit_exact(node_ok, simd):
    kws = np.load(GOLDENS / "kws_ref_model_sample.npz")
    ad = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    hello = np.load(GOLDENS / "hello_world_int8.npz")
    entries = [("kws", tlet(MLPERF / "kws/kws_ref_model.tflite"), [[kws["x"]]]),
               ("ad", tlet(MLPERF / "ad/ad01_int8.tflite"), [[ad["x_int8"][i:i + 1]] for i in range(196)]),
               ("hello", tlet(SHARED_CORPUS / "tflite_micro/hello_world_int8.tflite"),
                [[np.array([[x]], np.int8)] for x in hello["x"]])]
    got = run_node_cases(entries, simd)
    np.testing.assert_array_equal(got["kws"][0][0].reshape(kws["y_tflm"].shape), kws["y_tflm"])
    np.testing.assert_array_equal(np.stack([s[0][0] for s in got["ad"]]), ad["y_int8_tflm"])
    np.testing.assert_array_equal(np.array([s[0].item() for s in got["hello"]]), hello["y_tflm"])


def test_node_api(node_ok, supported, tmp_path):
    fc = fc_model()
    (tmp_path / "fc.tlet").write_bytes(fc)
    (tmp_path / "add.tlet").write_bytes(two_input_model())
    (tmp_path / "unsupported.tlet").write_bytes(op_cases_without_kernel({FC_ONLY})[0][1])
    fc_only_wasm(tmp_path / "fc-only")  # the runtime that has no kernel for it
    x = np.random.default_rng(5).integers(-128, 128, (1, 8)).astype(np.int8)
    y = reference_run(from_bytes(fc), [x])[0]
    (tmp_path / "fixtures.json").write_text(json.dumps({"fc": {"x": x.ravel().tolist(), "y": y.ravel().tolist()}}))
    result = subprocess.run(["node", "--expose-gc", "--test", "--test-reporter=spec",
                             str(NODE_DIR / "wasm_api.test.mjs")], capture_output=True, text=True, timeout=240,
                            env={**os.environ, "TLW_FIXTURES": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_npm_pack(node_ok, tmp_path):
    """runtime_wasm is an npm package: its manifest names the module, the types and both builds, and npm pack
    packs exactly those (plus the README)."""
    package = json.loads((RUNTIME_WASM / "package.json").read_text())
    assert package["type"] == "module" and package["types"] == "./tensorlet.d.ts"
    result = subprocess.run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=RUNTIME_WASM,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    files = {f["path"] for f in json.loads(result.stdout)[0]["files"]}
    assert {"tensorlet.js", "tensorlet.d.ts", "tensorlet.wasm", "tensorlet-nosimd.wasm", "package.json",
            "README.md"} <= files
    assert not any(f.startswith(("build/", "src/")) for f in files), files
