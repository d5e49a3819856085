"""The WebAssembly build: both flavours from the same core, freestanding (no imports at all), under the size budget,
reproducible byte for byte, with the SIMD128 kernels where they exist (test_wasm_requant8.py checks their
requantization)."""

import pytest

from wasm_support import ROOT, WASM, build

SIZE_BUDGET = 150 * 1024  # bytes, the SIMD build (issue #5)
EXPORTS = {"memory", "tlw_alloc", "tlw_model_new", "tlw_load", "tlw_bind", "tlw_invoke", "tlw_tensor_info",
           "tlw_detail", "tlw_status_name", "tlw_meta_string"}


def test_both_flavours_are_freestanding_and_small(wasmtime_ok):
    import wasmtime

    engine = wasmtime.Engine()
    for simd, path in WASM.items():
        module = wasmtime.Module.from_file(engine, str(path))
        assert module.imports == [], f"{path.name} imports {[i.name for i in module.imports]}"
        assert EXPORTS <= {e.name for e in module.exports}
    assert WASM[True].stat().st_size < SIZE_BUDGET, f"tensorlet.wasm is {WASM[True].stat().st_size} bytes"
    assert WASM[False].stat().st_size < WASM[True].stat().st_size


def test_flavours_report_themselves(wasmtime_ok):
    from tensorlet.runtime import _module

    import wasmtime
    for simd in (True, False):
        engine, module = _module(simd, None)
        store = wasmtime.Store(engine)
        instance = wasmtime.Instance(store, module, [])
        assert instance.exports(store)["tlw_simd"](store) == int(simd)


def test_build_is_reproducible(wasm_build, tmp_path):
    """A second build of the SIMD flavour in another folder gives the same bytes (paths never enter the file)."""
    build(f"BUILD={tmp_path / 'build'}", f"OUT={tmp_path}", str(tmp_path / "tensorlet.wasm"))
    assert (tmp_path / "tensorlet.wasm").read_bytes() == WASM[True].read_bytes(), "tensorlet.wasm differs"


@pytest.mark.parametrize("simd", [True, False], ids=["simd", "nosimd"])
def test_kernel_selection(wasmtime_ok, simd):
    """The SIMD build takes kernels/wasm_simd/<op>.c for the ops that have one; both builds cover the same ops."""
    optimized = sorted(p.stem for p in (ROOT / "runtime_embedded" / "kernels" / "wasm_simd").glob("*.c"))
    assert {"conv_2d", "depthwise_conv_2d", "fully_connected", "add", "average_pool_2d"} <= set(optimized)
    for name in optimized:
        assert (ROOT / "runtime_embedded" / "kernels" / f"{name}.c").is_file(), f"wasm_simd/{name}.c has no reference"
