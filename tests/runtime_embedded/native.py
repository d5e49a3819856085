"""Backends that run .tlet bytes on numpy inputs through the C runtime (runtime_embedded) for the tests: the ctypes
binding of tensorlet.native with every function of the library reachable as an attribute, and the tlrun runner (used
for the ASan+UBSan build, whose runtime cannot load into Python).

Each backend is a callable `backend(model_bytes, inputs) -> list of output arrays`, as parity.assert_parity takes.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tensorlet import native as host
from tensorlet.native import NativeError, NativeModel, TlTensor, aligned_bytes  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime_embedded"
BUILD = RUNTIME / "build"
LIB = BUILD / "linux" / "libtensorlet.so"
ASAN_TLRUN = BUILD / "asan" / "tlrun"
ASAN_FUZZ_LOAD = BUILD / "asan" / "fuzz_load"


build = host.make  # make -C runtime_embedded TARGETS..., one build at a time per checkout


class Library(host.Runtime):
    """libtensorlet.so at `path`, with its C functions as attributes (lib.tl_model_load(...)) for the API tests."""

    def __init__(self, path: Path = LIB):
        super().__init__(path)

    def __getattr__(self, name: str):
        return getattr(self.lib, name)


class CtypesBackend:
    """Runs models in-process through libtensorlet.so."""

    def __init__(self, path: Path = LIB):
        self.lib = Library(path)

    def __call__(self, model_bytes: bytes, inputs) -> list[np.ndarray]:
        return NativeModel(self.lib, model_bytes).run(inputs)


class TlrunBackend:
    """Runs models through a tlrun executable (e.g. the ASan+UBSan build), many samples per process."""

    def __init__(self, path: Path = ASAN_TLRUN):
        self.path = path

    def batch(self, model_bytes: bytes, samples: list) -> list[list[np.ndarray]]:
        """samples: a list of input lists -> a list of output lists (one tlrun process for all)."""
        inputs, outputs = host.model_io(model_bytes)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "m.tlet").write_bytes(model_bytes)
            (tmp / "in.bin").write_bytes(b"".join(host.sample_bytes(inputs, s) for s in samples))
            result = subprocess.run([str(self.path), str(tmp / "m.tlet"), str(tmp / "in.bin"), str(tmp / "out.bin")],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"tlrun exited with {result.returncode}: {result.stderr[-4000:]}")
            return host.split_outputs(outputs, (tmp / "out.bin").read_bytes(), len(samples))

    def __call__(self, model_bytes: bytes, inputs) -> list[np.ndarray]:
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        return self.batch(model_bytes, [inputs])[0]
