"""The WebAssembly runtime under wasmtime (tensorlet.Runtime) against the reference interpreter, SIMD128 build and
MVP build: every op-catalog case with a kernel, cases aimed at the SIMD kernels' edges, the MLPerf Tiny models (int8
identical, float within 1e-5 relative) and TFLite Micro's goldens bit for bit."""
import numpy as np
import pytest

from wasm_support import (FC_ONLY, FLOAT_MODELS, GOLDENS, INT8_MODELS, MLPERF, SHARED_CORPUS, SIMD_FLAVOURS,
                          WasmtimeBackend, fc_only_wasm, op_cases_with_kernel, op_cases_without_kernel,
                          random_inputs, simd_cases, supported_opcodes, tlet)
from parity import assert_parity, compare  # noqa: E402  (wasm_support puts it on the path)

CORPUS = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")
FLAVOUR_IDS = ["simd", "nosimd"]


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_every_op_case_with_a_kernel(supported, simd):
    backend = WasmtimeBackend(simd)
    checked = op_cases_with_kernel(supported)
    assert len(checked) >= 30
    for cid, data, inputs in checked:
        assert_parity(data, inputs, backend, what=cid)


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_simd_kernel_edge_cases(supported, simd):
    backend = WasmtimeBackend(simd)
    for cid, data, inputs in simd_cases():
        assert_parity(data, inputs, backend, what=cid)


def test_ops_without_a_kernel_are_rejected_by_name(wasmtime_ok, tmp_path):
    from tensorlet.runtime import Runtime, WasmError
    from tensorlet.converter.reader import from_bytes

    wasm = fc_only_wasm(tmp_path)
    assert supported_opcodes(wasm) == {FC_ONLY}
    missing = op_cases_without_kernel({FC_ONLY})
    assert len(missing) > 20
    for cid, data, _ in missing[:3]:
        with pytest.raises(WasmError) as e:
            Runtime(data, wasm=wasm)
        name = from_bytes(data).operators[0].opcode.name
        assert e.value.status == "TL_ERROR_UNSUPPORTED_OP", cid
        assert e.value.detail == f"operator 0: {name} has no kernel in this build"


@CORPUS
@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("name", INT8_MODELS + FLOAT_MODELS)
def test_mlperf_tiny_model(wasmtime_ok, name, simd):
    from tensorlet.runtime import Runtime

    data = tlet(MLPERF / name)
    runtime = Runtime(data, simd=simd)
    for seed in range(2):
        assert_parity(data, random_inputs(data, seed), lambda _, x: runtime.run_sample(x), what=name)


@CORPUS
@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_goldens_bit_exact(wasmtime_ok, simd):
    from tensorlet.runtime import Runtime

    golden = np.load(GOLDENS / "kws_ref_model_sample.npz")
    y = Runtime(tlet(MLPERF / "kws/kws_ref_model.tflite"), simd=simd).run_sample([golden["x"]])[0]
    np.testing.assert_array_equal(y.reshape(golden["y_tflm"].shape), golden["y_tflm"])
    assert int(np.argmax(y)) == 5  # "on"

    golden = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    ad = Runtime(tlet(MLPERF / "ad/ad01_int8.tflite"), simd=simd)
    assert len(golden["x_int8"]) == 196
    got = ad.run(golden["x_int8"])  # a batch of 196 windows of shape [640]
    np.testing.assert_array_equal(got, golden["y_int8_tflm"])

    golden = np.load(GOLDENS / "hello_world_int8.npz")
    hello = Runtime(tlet(SHARED_CORPUS / "tflite_micro/hello_world_int8.tflite"), simd=simd)
    got = np.array([hello.run_sample([np.array([[x]], np.int8)])[0].item() for x in golden["x"]])
    np.testing.assert_array_equal(got, golden["y_tflm"])


@CORPUS
def test_ad01_float_on_the_real_clip(wasmtime_ok):
    from tensorlet.converter.reader import from_bytes
    from tensorlet.converter.reference import run
    from tensorlet.runtime import Runtime

    golden = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    data = tlet(MLPERF / "ad/ad01_fp32.tflite")
    model, runtime = from_bytes(data), Runtime(data)
    for i in range(0, 196, 39):
        x = golden["x_float"][i:i + 1].astype(np.float32)
        compare(run(model, [x]), runtime.run_sample([x]), what=f"ad01 fp32 window {i}")


@CORPUS
def test_tflite_micro_float_models(wasmtime_ok):
    for name in ("hello_world_float.tflite", "simple_add_model.tflite"):
        data = tlet(SHARED_CORPUS / "tflite_micro" / name)
        assert_parity(data, random_inputs(data, 1), WasmtimeBackend(True), what=name)


@pytest.mark.parametrize("simd", SIMD_FLAVOURS, ids=FLAVOUR_IDS)
def test_hostile_files_are_rejected_never_trapped(supported, simd):
    """Truncated, bit-flipped and overwritten models (seeded from the ops with SIMD kernels): every one is loaded and
    run or rejected with a WasmError carrying a TL_ERROR status; none traps the module."""
    from tensorlet.runtime import Runtime, WasmError

    rng = np.random.default_rng(77 + simd)
    seeds = [(cid, data) for cid, data, _ in simd_cases()]
    outcomes = {"ok": 0, "rejected": 0}
    for cid, data in seeds:
        for mutated in _mutations(data, rng, 30):
            try:
                runtime = Runtime(mutated, simd=simd)
                runtime.run_sample([np.zeros(t.size, t.dtype) for t in runtime.inputs])
                outcomes["ok"] += 1
            except WasmError as e:
                assert e.status.startswith("TL_ERROR_"), f"{cid}: {e}"
                outcomes["rejected"] += 1
    assert outcomes["rejected"] > 200


def _mutations(data: bytes, rng, count: int) -> list[bytes]:
    out = [data[:n] for n in (0, 8, 16, len(data) - 16)]
    for _ in range(count):
        b = bytearray(data)
        at = int(rng.integers(0, len(b)))
        if rng.integers(0, 2):
            b[at] ^= 1 << int(rng.integers(0, 8))
        else:
            at -= at % 4
            word = int(rng.choice([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, int(rng.integers(0, 1 << 32)), len(b)]))
            b[at:at + 4] = word.to_bytes(4, "little")
        out.append(bytes(b))
    return out
