"""tensorlet.js's WebGPU backend in Node on Dawn (npm webgpu) + SwiftShader: parity with the reference interpreter
(float within 1e-4 relative, int8 identical) for every op case, the SIMD edge cases, the MLPerf Tiny models and
TFLite Micro's goldens; where each operator ran (model.backendReport); a float model with an op the GPU lacks
(per-op wasm fallback); no adapter, a lost device and "auto" (node --test webgpu_api.test.mjs); the npm package."""
import json
import subprocess

import numpy as np
import pytest

from support import OPS, act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run
from tensorlet.converter.validate import validate
from tensorlet.converter.writer import to_bytes
from wasm_support import (FLOAT_MODELS, GOLDENS, INT8_MODELS, MLPERF, NODE_DIR, RUNTIME_WASM, SHARED_CORPUS,
                          fc_model, op_cases_with_kernel, random_inputs, simd_cases, tlet)
from webgpu_support import FLOAT_RTOL, dawn_reason, gpu_env, run_webgpu_cases
from parity import compare  # noqa: E402  (wasm_support puts it on the path)

@pytest.fixture(scope="module")
def dawn(node_ok):
    reason = dawn_reason()
    if reason:
        pytest.skip(reason)
    return node_ok


def expected_placement(data: bytes) -> list[str]:
    """Where each operator of the model must run: in wasm only float32 -> int8 QUANTIZE (WGSL's division is not
    correctly rounded); every other operator of op set v1 has a WebGPU kernel, float32 and int8."""
    model = from_bytes(data)
    out = []
    for op in model.operators:
        x = model.tensors[op.inputs[0]]
        out.append("wasm" if op.opcode.name == "QUANTIZE" and x.dtype == ir.DType.FLOAT32 else "webgpu")
    return out


def _check(results, entries):
    for cid, data, samples in entries:
        got = results[cid]
        assert not isinstance(got, str), f"{cid}: {got}"
        for inputs, outputs in zip(samples, got["outputs"]):
            compare(reference_run(from_bytes(data), inputs), outputs, FLOAT_RTOL, f"webgpu {cid}")
        placement = expected_placement(data)
        assert [o["backend"] for o in got["report"]["ops"]] == placement, (cid, got["report"])
        assert got["backend"] == ("webgpu" if "webgpu" in placement else "wasm"), (cid, got["report"])


def test_webgpu_op_parity(dawn, supported):
    entries = [(cid, data, [inputs]) for cid, data, inputs in op_cases_with_kernel(supported) + simd_cases()]
    assert sum("webgpu" in expected_placement(data) for _, data, _ in entries) >= 75
    _check(run_webgpu_cases(entries), entries)


def test_webgpu_int8_softmax_sweep(dawn):
    """Int8 SOFTMAX and LOG_SOFTMAX (gemmlowp exp tables at load; reciprocal and log of each row's sum on the GPU)
    bit for bit over row lengths from 3 to 511 classes, input scales from 0.004 to 1, betas 0.7 to 2 and rows at
    the int8 maximum."""
    rng = np.random.default_rng(5)
    entries = []
    for opcode, out_q in ((OpCode.SOFTMAX, (1 / 256, -128)), (OpCode.LOG_SOFTMAX, (16 / 256, 127))):
        for k, (rows, classes, scale, beta) in enumerate([(7, 3, 0.1, 1.0), (5, 10, 0.02, 1.0), (3, 511, 0.5, 1.0),
                                                           (64, 12, 0.25, 0.7), (9, 100, 1.0, 2.0),
                                                           (4, 33, 0.004, 1.0), (2, 256, 0.08, 1.0)]):
            model = single_op_model(opcode, [act("x", (rows, classes), scale, int(rng.integers(-20, 20)))],
                                    act("y", (rows, classes), *out_q), ir.SoftmaxOptions(beta=beta))
            x = rng.integers(-128, 128, (rows, classes)).astype(np.int8)
            x[0] = 127
            entries.append((f"{opcode.name.lower()}{k}-int8", to_bytes(model), [[x]]))
    _check(run_webgpu_cases(entries), entries)


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")
def test_webgpu_mlperf_tiny_models(dawn):
    """Float models within 1e-4, int8 models bit for bit, and TFLite Micro's goldens, every operator on the GPU."""
    entries = []
    for name in FLOAT_MODELS + INT8_MODELS:
        data = tlet(MLPERF / name)
        entries.append((name, data, [random_inputs(data, 0)]))  # SwiftShader is slow: one sample (+ the goldens)
    kws = np.load(GOLDENS / "kws_ref_model_sample.npz")
    ad = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    goldens = [("kws-golden", tlet(MLPERF / "kws/kws_ref_model.tflite"), [[kws["x"]]]),
               ("ad-golden", tlet(MLPERF / "ad/ad01_int8.tflite"), [[ad["x_int8"][i:i + 1]] for i in range(8)])]
    results = run_webgpu_cases(entries + goldens, timeout=300)
    _check(results, entries)
    np.testing.assert_array_equal(results["kws-golden"]["outputs"][0][0].reshape(kws["y_tflm"].shape), kws["y_tflm"])
    np.testing.assert_array_equal(np.stack([s[0][0] for s in results["ad-golden"]["outputs"]]),
                                  ad["y_int8_tflm"][:8])


def mixed_model() -> ir.Model:
    """A float model with an op the GPU lacks in the middle: CONV_2D -> QUANTIZE (float -> int8: wasm) ->
    DEQUANTIZE -> ADD (of the conv output and the dequantized) -> SOFTMAX; outputs the softmax and the int8."""
    rng = np.random.default_rng(11)
    tensors = [act("x", (1, 6, 6, 3)), const("w", (rng.standard_normal((4, 3, 3, 3)) * 0.5).astype(np.float32)),
               const("b", rng.standard_normal(4).astype(np.float32)), act("c", (1, 6, 6, 4)),
               act("q", (1, 6, 6, 4), 0.05, -10), act("d", (1, 6, 6, 4)), act("s", (1, 6, 6, 4)),
               act("y", (1, 6, 6, 4))]
    specs = [(OpCode.CONV_2D, [0, 1, 2], [3], ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1,
                                                                activation=Activation.RELU)),
             (OpCode.QUANTIZE, [3], [4], None), (OpCode.DEQUANTIZE, [4], [5], None),
             (OpCode.ADD, [5, 3], [6], ir.BinaryOptions()), (OpCode.SOFTMAX, [6], [7], ir.SoftmaxOptions())]
    operators = []
    for opcode, ins, outs, options in specs:
        op = ir.Operator(opcode, ins, outs, options, None)
        if any(tensors[i].dtype == ir.DType.INT8 for i in ins + outs):
            op.quant_params = OPS[opcode].prepare(op, [tensors[i] for i in ins], [tensors[i] for i in outs])
        operators.append(op)
    model = ir.Model(tensors, operators, [0], [7, 4])
    apply_plan(model)
    validate(model)
    return model


def big_model() -> bytes:
    """A float CONV_2D of 38 M multiply-accumulates (what "auto" weighs)."""
    w = const("w", np.zeros((32, 3, 3, 32), np.float32))
    model = single_op_model(OpCode.CONV_2D, [act("x", (1, 64, 64, 32)), w, None], act("y", (1, 64, 64, 32)),
                            ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1))
    return to_bytes(model)


def test_webgpu_mixed_model_parity(dawn):
    data = to_bytes(mixed_model())
    samples = [[np.random.default_rng(s).standard_normal((1, 6, 6, 3)).astype(np.float32) * 2] for s in range(3)]
    got = run_webgpu_cases([("mixed", data, samples)])["mixed"]
    assert not isinstance(got, str), got
    for inputs, outputs in zip(samples, got["outputs"]):
        compare(reference_run(from_bytes(data), inputs), outputs, FLOAT_RTOL, "webgpu mixed")
    assert got["backend"] == "webgpu"
    assert [(o["op"], o["backend"]) for o in got["report"]["ops"]] == [
        ("CONV_2D", "webgpu"), ("QUANTIZE", "wasm"), ("DEQUANTIZE", "webgpu"), ("ADD", "webgpu"), ("SOFTMAX", "webgpu")]


def test_webgpu_api(dawn, tmp_path):
    mixed = mixed_model()
    data = to_bytes(mixed)
    (tmp_path / "mixed.tlet").write_bytes(data)
    (tmp_path / "big.tlet").write_bytes(big_model())
    (tmp_path / "int8.tlet").write_bytes(fc_model())
    x = np.random.default_rng(3).standard_normal((1, 6, 6, 3)).astype(np.float32)
    y = reference_run(from_bytes(data), [x])
    xi = np.random.default_rng(4).integers(-128, 128, (1, 8)).astype(np.int8)
    yi = reference_run(from_bytes(fc_model()), [xi])[0]
    fixtures = {
        "mixed": {"x": x.ravel().tolist(), "y": [o.ravel().tolist() for o in y],
                  "ops": [op.opcode.name for op in mixed.operators],
                  "placement": ["CONV_2D:webgpu", "QUANTIZE:wasm", "DEQUANTIZE:webgpu", "ADD:webgpu",
                                "SOFTMAX:webgpu"]},
        "int8": {"x": xi.ravel().tolist(), "y": yi.ravel().tolist()},
    }
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures))
    result = subprocess.run(["node", "--test", "--test-reporter=spec", str(NODE_DIR / "webgpu_api.test.mjs")],
                            capture_output=True, text=True, timeout=240,
                            env={**gpu_env(), "TLW_FIXTURES": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_npm_package_ships_the_webgpu_backend(node_ok):
    """The package has the webgpu/ modules tensorlet.js imports (every file of runtime_wasm/webgpu/)."""
    result = subprocess.run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=RUNTIME_WASM,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    files = {f["path"] for f in json.loads(result.stdout)[0]["files"]}
    shipped = {str(p.relative_to(RUNTIME_WASM)) for p in (RUNTIME_WASM / "webgpu").rglob("*.js")}
    assert {"webgpu/backend.js", "webgpu/op_table.js", "webgpu/ops/conv_2d.js"} <= shipped <= files


def test_wasm_only_path_needs_no_webgpu_modules(node_ok, tmp_path):
    """tensorlet.js served without its webgpu/ folder: the default load (no GPU in Node) runs on wasm without
    importing it, and asking for WebGPU with a GPU at hand reports that the backend could not be loaded."""
    for name in ("tensorlet.js", "tensorlet.wasm", "tensorlet-nosimd.wasm"):
        (tmp_path / name).write_bytes((RUNTIME_WASM / name).read_bytes())
    (tmp_path / "fc.tlet").write_bytes(fc_model())
    script = tmp_path / "check.mjs"
    script.write_text("""
import { load } from "./tensorlet.js";
const plain = await load(new URL("./fc.tlet", import.meta.url));
const gpu = { requestAdapter: async () => { throw new Error("must not be asked"); } };
const asked = await load(new URL("./fc.tlet", import.meta.url), { backend: "webgpu", gpu });
const [y] = await asked.run(new Int8Array(8));
console.log(JSON.stringify({ plain: [plain.backend, plain.backendReport.reason], asked: [asked.backend,
  asked.backendReport.reason], y: y.data.length }));
""")
    result = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout)
    assert got["plain"] == ["wasm", "this engine has no WebGPU"]
    assert got["asked"][0] == "wasm" and "could not be loaded" in got["asked"][1]
    assert got["y"] == 3
