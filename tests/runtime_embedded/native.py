"""Backends that run .tlet bytes on numpy inputs through the C runtime (runtime_embedded): a ctypes binding of
libtensorlet.so, and the tlrun runner (used for the ASan+UBSan build, whose runtime cannot load into Python).

Each backend is a callable `backend(model_bytes, inputs) -> list of output arrays`, as parity.assert_parity takes.
"""
from __future__ import annotations

import ctypes
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime_embedded"
BUILD = RUNTIME / "build"
LIB = BUILD / "linux" / "libtensorlet.so"
ASAN_TLRUN = BUILD / "asan" / "tlrun"
ASAN_FUZZ_LOAD = BUILD / "asan" / "fuzz_load"
TL_MAX_RANK = 8
TL_ALIGNMENT = 16
DTYPES = {0: np.dtype("<f4"), 1: np.dtype("i1"), 2: np.dtype("u1"), 3: np.dtype("<i2"), 4: np.dtype("<i4"),
          5: np.dtype("<f2")}


def build(*targets: str) -> None:
    """Run `make -C runtime_embedded <targets>` (default: test-builds); RuntimeError with the output on failure."""
    result = subprocess.run(["make", "-C", str(RUNTIME), "-j2", *(targets or ("test-builds",))],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"building the C runtime failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


class TlTensor(ctypes.Structure):
    """tl_tensor of include/tensorlet.h (the test checks sizeof against tl_tensor_struct_size)."""

    _fields_ = [("data", ctypes.c_void_p), ("name", ctypes.c_char_p), ("scales", ctypes.POINTER(ctypes.c_float)),
                ("zero_points", ctypes.POINTER(ctypes.c_int32)), ("dims", ctypes.c_int32 * TL_MAX_RANK),
                ("rank", ctypes.c_uint32), ("elements", ctypes.c_uint32), ("bytes", ctypes.c_uint32),
                ("index", ctypes.c_int32), ("arena_offset", ctypes.c_int32), ("scale", ctypes.c_float),
                ("zero_point", ctypes.c_int32), ("quant_count", ctypes.c_uint32), ("quant_axis", ctypes.c_int32),
                ("producer", ctypes.c_int32), ("first_use", ctypes.c_int32), ("last_use", ctypes.c_int32),
                ("dtype", ctypes.c_uint8), ("is_constant", ctypes.c_uint8), ("flags", ctypes.c_uint8),
                ("reserved", ctypes.c_uint8)]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.dims[i] for i in range(self.rank))

    @property
    def np_dtype(self) -> np.dtype:
        return DTYPES[self.dtype]


class NativeError(RuntimeError):
    """A non-OK tl_status: `status` (its code), `step` (load/bind/invoke/...), `detail` (tl_model_detail)."""

    def __init__(self, step: str, status: int, message: str, detail: str):
        super().__init__(f"{step}: {message}: {detail}")
        self.step, self.status, self.detail = step, status, detail


class Library:
    """libtensorlet.so with the argument and result types of its functions declared."""

    def __init__(self, path: Path = LIB):
        lib = ctypes.CDLL(str(path))
        p, u32, sz = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_size_t
        tensor_p = ctypes.POINTER(TlTensor)
        signatures = {
            "tl_model_load": ([p, p, sz], ctypes.c_int),
            "tl_model_arena_size": ([p], sz),
            "tl_model_bind": ([p, p, sz], ctypes.c_int),
            "tl_model_invoke": ([p], ctypes.c_int),
            "tl_model_input_count": ([p], u32),
            "tl_model_output_count": ([p], u32),
            "tl_model_tensor_count": ([p], u32),
            "tl_model_operator_count": ([p], u32),
            "tl_model_input": ([p, u32, tensor_p], ctypes.c_int),
            "tl_model_output": ([p, u32, tensor_p], ctypes.c_int),
            "tl_model_tensor": ([p, u32, tensor_p], ctypes.c_int),
            "tl_model_set_input": ([p, u32, p, sz], ctypes.c_int),
            "tl_model_get_output": ([p, u32, p, sz], ctypes.c_int),
            "tl_model_detail": ([p], ctypes.c_char_p),
            "tl_status_string": ([ctypes.c_int], ctypes.c_char_p),
            "tl_dtype_name": ([u32], ctypes.c_char_p),
            "tl_dtype_size": ([u32], u32),
            "tl_opcode_name": ([u32], ctypes.c_char_p),
            "tl_opcode_supported": ([u32], ctypes.c_int),
            "tl_model_struct_size": ([], sz),
            "tl_tensor_struct_size": ([], sz),
        }
        for name, (argtypes, restype) in signatures.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = argtypes, restype
        self.lib = lib

    def __getattr__(self, name: str):
        return getattr(self.lib, name)

    def status_string(self, status: int) -> str:
        return self.lib.tl_status_string(status).decode()


def aligned_bytes(size: int, data: bytes | None = None) -> np.ndarray:
    """A uint8 array of `size` bytes whose buffer is TL_ALIGNMENT-aligned (holding `data` when given)."""
    raw = np.zeros(size + TL_ALIGNMENT, np.uint8)
    offset = -raw.ctypes.data % TL_ALIGNMENT
    view = raw[offset:offset + size]
    if data is not None:
        view[:] = np.frombuffer(data, np.uint8)
    return view


class NativeModel:
    """One loaded and bound model: its file copy, tl_model struct and arena, all owned by this object."""

    def __init__(self, lib: Library, model_bytes: bytes, arena_slack: int = 0):
        self.lib = lib
        self.file = aligned_bytes(len(model_bytes), model_bytes)
        self.struct = ctypes.create_string_buffer(lib.tl_model_struct_size())
        self._check("load", lib.tl_model_load(self.struct, self.file.ctypes.data, len(model_bytes)))
        self.arena_size = lib.tl_model_arena_size(self.struct)
        self.arena = aligned_bytes(self.arena_size + arena_slack)
        self._check("bind", lib.tl_model_bind(self.struct, self.arena.ctypes.data, self.arena.size))

    def _check(self, step: str, status: int) -> None:
        if status != 0:
            raise NativeError(step, status, self.lib.status_string(status), self.detail)

    @property
    def detail(self) -> str:
        return self.lib.tl_model_detail(self.struct).decode()

    def _describe(self, function, count: int) -> list[TlTensor]:
        tensors = []
        for i in range(count):
            t = TlTensor()
            self._check("describe", function(self.struct, i, ctypes.byref(t)))
            tensors.append(t)
        return tensors

    @property
    def inputs(self) -> list[TlTensor]:
        return self._describe(self.lib.tl_model_input, self.lib.tl_model_input_count(self.struct))

    @property
    def outputs(self) -> list[TlTensor]:
        return self._describe(self.lib.tl_model_output, self.lib.tl_model_output_count(self.struct))

    def run(self, inputs) -> list[np.ndarray]:
        """inputs: arrays in model-input order (dtype and size must match) -> output arrays in model-output order."""
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        for i, (t, x) in enumerate(zip(self.inputs, inputs)):
            x = np.ascontiguousarray(x)
            if x.dtype != t.np_dtype or x.nbytes != t.bytes:
                raise ValueError(f"input {i} must be {t.np_dtype}{list(t.shape)}, got {x.dtype}{list(x.shape)}")
            self._check("set_input", self.lib.tl_model_set_input(self.struct, i, x.ctypes.data, x.nbytes))
        self._check("invoke", self.lib.tl_model_invoke(self.struct))
        outputs = []
        for i, t in enumerate(self.outputs):
            y = np.empty(t.shape, t.np_dtype)
            self._check("get_output", self.lib.tl_model_get_output(self.struct, i, y.ctypes.data, y.nbytes))
            outputs.append(y)
        return outputs


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
        from tensorlet.converter.reader import from_bytes
        from tensorlet.converter.ir import NUMPY_DTYPES
        model = from_bytes(model_bytes)
        outs = [model.tensors[i] for i in model.outputs]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "m.tlet").write_bytes(model_bytes)
            (tmp / "in.bin").write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for s in samples for x in s))
            result = subprocess.run([str(self.path), str(tmp / "m.tlet"), str(tmp / "in.bin"), str(tmp / "out.bin")],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"tlrun exited with {result.returncode}: {result.stderr[-4000:]}")
            raw = (tmp / "out.bin").read_bytes()
        results, at = [], 0
        for _ in samples:
            sample = []
            for t in outs:
                dtype = NUMPY_DTYPES[t.dtype]
                n = int(np.prod(t.shape)) * dtype.itemsize
                sample.append(np.frombuffer(raw[at:at + n], dtype).reshape(t.shape).copy())
                at += n
            results.append(sample)
        if at != len(raw):
            raise RuntimeError(f"tlrun wrote {len(raw)} bytes, expected {at}")
        return results

    def __call__(self, model_bytes: bytes, inputs) -> list[np.ndarray]:
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        return self.batch(model_bytes, [inputs])[0]
