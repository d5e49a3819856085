"""The eight-channel SIMD128 requantization of the kernels (tlw_requant8, kernels/wasm_simd/wasm_simd.h) equals the
scalar reference arithmetic, zero point and activation clamp included, lane for lane (requant8_check.c)."""
import subprocess

from wasm_support import ROOT


def test_simd_requant8_equals_the_scalar_arithmetic(wasmtime_ok, tmp_path):
    import wasmtime

    out = tmp_path / "requant8_check.wasm"
    embedded = ROOT / "runtime_embedded"
    subprocess.run(["clang-16", "--target=wasm32", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2",
                    "-ffreestanding", "-nostdlib", "-msimd128", f"-I{embedded / 'include'}", f"-I{embedded / 'src'}",
                    f"-I{embedded / 'kernels'}", f"-I{embedded / 'kernels' / 'wasm_simd'}",
                    str(embedded / "ports" / "freestanding" / "tl_libc.c"), str(embedded / "src" / "tl_kernel.c"),
                    str(ROOT / "tests" / "runtime_wasm" / "requant8_check.c"), "-Wl,--no-entry", "-o", str(out)],
                   check=True, capture_output=True)
    store = wasmtime.Store()
    check = wasmtime.Instance(store, wasmtime.Module.from_file(store.engine, str(out)), []).exports(store)["check"]
    for seed in (1, 2, 3):
        assert check(store, 200_000, seed) == 0
