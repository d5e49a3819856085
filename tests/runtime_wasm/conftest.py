"""Fixtures of the WebAssembly runtime tests: runtime_wasm is built once per session (clang-16 + wasm-ld-16)."""
import pytest

import wasm_support


@pytest.fixture(scope="session")
def wasm_build():
    """make -C runtime_wasm: tensorlet.wasm and tensorlet-nosimd.wasm."""
    reason = wasm_support.build_reason()
    if reason:
        pytest.skip(reason)
    wasm_support.build()
    return wasm_support


@pytest.fixture(scope="session")
def wasmtime_ok(wasm_build):
    """The wasm builds, for tests that run them under wasmtime (a runtime dependency of tensorlet: imported plainly,
    so that a broken install fails instead of skipping)."""
    import wasmtime  # noqa: F401
    return wasm_build


@pytest.fixture(scope="session")
def node_ok(wasm_build):
    reason = wasm_support.node_reason()
    if reason:
        pytest.skip(reason)
    return wasm_build


@pytest.fixture(scope="session")
def supported(wasmtime_ok):
    """Opcode names with a kernel in the SIMD build (the MVP build is checked to have the same)."""
    ops = wasm_support.supported_opcodes(wasm_support.WASM[True])
    assert ops == wasm_support.supported_opcodes(wasm_support.WASM[False])
    return ops
