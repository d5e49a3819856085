"""Latency of .tlet models on the native host build of the same C core (runtime_embedded's libtensorlet.so, gcc -O2),
for comparison with tools/bench.mjs: median (p10/p90) of N tl_model_invoke calls after a warm-up.

    python runtime_wasm/tools/bench_native.py [--lib path/to/libtensorlet.so] [--runs N] MODEL.tlet...
"""
from __future__ import annotations

import argparse
import ctypes
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def aligned(size: int, data: bytes | None = None) -> np.ndarray:
    raw = np.zeros(size + 16, np.uint8)
    view = raw[-raw.ctypes.data % 16:][:size]
    if data is not None:
        view[:] = np.frombuffer(data, np.uint8)
    return view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--lib", default=str(ROOT / "runtime_embedded" / "build" / "linux" / "libtensorlet.so"))
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    lib = ctypes.CDLL(args.lib)
    p, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.tl_model_load.argtypes, lib.tl_model_arena_size.argtypes = [p, p, sz], [p]
    lib.tl_model_arena_size.restype = sz
    lib.tl_model_bind.argtypes, lib.tl_model_invoke.argtypes = [p, p, sz], [p]
    lib.tl_model_struct_size.restype = sz
    for path in args.models:
        data = Path(path).read_bytes()
        file = aligned(len(data), data)
        model = ctypes.create_string_buffer(lib.tl_model_struct_size())
        assert lib.tl_model_load(model, file.ctypes.data, len(data)) == 0, path
        arena = aligned(lib.tl_model_arena_size(model))
        assert lib.tl_model_bind(model, arena.ctypes.data, arena.size) == 0, path  # inputs: zeros
        end = time.perf_counter() + 0.3
        while time.perf_counter() < end:
            lib.tl_model_invoke(model)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            lib.tl_model_invoke(model)
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        q = lambda f: times[min(len(times) - 1, int(f * len(times)))]  # noqa: E731
        print(f"{Path(path).name:32} native median {q(0.5):.3f} ms  p10 {q(0.1):.3f}  p90 {q(0.9):.3f}")


if __name__ == "__main__":
    main()
