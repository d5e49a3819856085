"""Run a .tlet model from Python on Tensorlet's WebAssembly runtime (runtime_wasm/tensorlet.wasm) under wasmtime.

    rt = tensorlet.Runtime("model.tlet")        # a path or the file's bytes
    rt.inputs, rt.outputs                       # name, shape, dtype, quantization of each
    y = rt.run(x)                               # numpy in and out; samples stacked along the first axis

The runtime is the same C core that runs in browsers and on microcontrollers, compiled to WebAssembly: what this
class computes is what `tensorlet.js` computes (int8 bit for bit). Each Runtime owns one instance of the module and
so its own linear memory, sized at load for the file and the arena the model asks for; runs never allocate.
"""
from __future__ import annotations

import atexit
import os
import struct
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from tensorlet.converter.ir import NUMPY_DTYPES, DType
from tensorlet.errors import TensorletError

WASM_NAMES = {True: "tensorlet.wasm", False: "tensorlet-nosimd.wasm"}
# Metadata fields of runtime_wasm/src/wasm_api.c (TLW_META_*).
_PRODUCER, _PRODUCER_VERSION, _DESCRIPTION, _INPUT_NAMES, _OUTPUT_NAMES, _LABELS = range(6)
_EXTRA_KEYS, _EXTRA_VALUES, _PREPROCESSING, _LAYOUT, _MEAN, _STD, _SCALE = range(6, 13)


class WasmError(TensorletError):
    """A status other than TL_OK from the runtime: `status` is its name (e.g. "TL_ERROR_NOT_TLET"), `detail` what
    exactly failed."""

    def __init__(self, message: str, status: str = "", detail: str = ""):
        super().__init__(message)
        self.status, self.detail = status, detail


def wasm_dir() -> Path:
    """The folder holding tensorlet.wasm and tensorlet-nosimd.wasm: $TENSORLET_WASM_DIR, the copy packaged in
    tensorlet/wasm/, or runtime_wasm/ of a source checkout (built by `make wasm`)."""
    candidates = []
    if os.environ.get("TENSORLET_WASM_DIR"):
        candidates.append(Path(os.environ["TENSORLET_WASM_DIR"]))
    here = Path(__file__).resolve().parent
    candidates += [here / "wasm", here.parent / "runtime_wasm"]
    for folder in candidates:
        if (folder / WASM_NAMES[True]).is_file():
            return folder
    raise TensorletError("the WebAssembly runtime is not built: run `make wasm` (needs clang-16 and lld-16) or set "
                         f"TENSORLET_WASM_DIR; looked in {', '.join(str(c) for c in candidates)}")


_modules: dict = {}
_modules_lock = threading.Lock()
_stores: weakref.WeakSet = weakref.WeakSet()  # the live Runtimes' stores


@atexit.register
def _close_all() -> None:
    """Free the live stores, then the compiled modules and engines, while wasmtime's bindings still work: left to
    the interpreter's teardown, their finalizers run after it and print ignored TypeErrors."""
    for store in list(_stores):
        store.close()
    with _modules_lock:
        for engine, module in _modules.values():
            module.close()
            engine.close()
        _modules.clear()


def _module(simd: bool, path: Path | None):
    """(engine, module) for a flavour, compiled once per process and file."""
    import wasmtime

    path = Path(path) if path is not None else wasm_dir() / WASM_NAMES[simd]
    if not path.is_file():
        raise TensorletError(f"no WebAssembly runtime at {path}: build it with `make wasm` or set TENSORLET_WASM_DIR")
    key = (str(path), path.stat().st_mtime_ns)
    with _modules_lock:
        if key not in _modules:
            config = wasmtime.Config()
            config.wasm_simd = True
            config.wasm_bulk_memory = True
            engine = wasmtime.Engine(config)
            _modules[key] = (engine, wasmtime.Module.from_file(engine, str(path)))
        return _modules[key]


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output: quantization is None or a dict (scale, zero_point, scales, zero_points, axis)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    quantization: dict | None = None
    index: int = -1
    _at: int = field(default=0, repr=False, compare=False)
    _bytes: int = field(default=0, repr=False, compare=False)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class Runtime:
    """One .tlet model on the WebAssembly runtime. path_or_bytes: a file path or the model's bytes.
    simd: None (SIMD128 build; wasmtime always has it), True or False (the MVP build, the reference kernels).
    wasm: a path to a runtime .wasm file to use instead of the packaged one."""

    def __init__(self, path_or_bytes, simd: bool | None = None, wasm: str | Path | None = None):
        import wasmtime

        data = bytes(path_or_bytes) if isinstance(path_or_bytes, (bytes, bytearray, memoryview)) \
            else Path(path_or_bytes).read_bytes()
        engine, module = _module(True if simd is None else bool(simd), wasm)
        self._store = wasmtime.Store(engine)
        _stores.add(self._store)
        instance = wasmtime.Instance(self._store, module, [])
        exports = instance.exports(self._store)
        self._x = {name: exports[name] for name in (
            "tlw_alloc", "tlw_model_new", "tlw_load", "tlw_bind", "tlw_invoke", "tlw_input_count",
            "tlw_output_count", "tlw_tensor_info", "tlw_info_words", "tlw_max_rank", "tlw_detail",
            "tlw_status_string", "tlw_status_name", "tlw_arena_size", "tlw_heap_top", "tlw_simd", "tlw_meta_count",
            "tlw_meta_string", "tlw_meta_floats", "tlw_meta_floats_count")}
        self._memory = exports["memory"]
        self.simd = bool(self._call("tlw_simd"))
        self._model = self._call("tlw_model_new")
        at = self._call("tlw_alloc", len(data)) if self._model else 0
        if not at:
            raise WasmError(f"a {len(data)}-byte model does not fit in WebAssembly memory", "TL_ERROR_LIMIT")
        self._memory.write(self._store, data, at)
        self._check(self._call("tlw_load", self._model, at, len(data)), "the model was rejected")
        self._check(self._call("tlw_bind", self._model), "the model cannot be prepared")
        self.arena_bytes = self._call("tlw_arena_size", self._model)
        self.inputs = self._describe(0, self._call("tlw_input_count", self._model))
        self.outputs = self._describe(1, self._call("tlw_output_count", self._model))
        self.metadata = self._read_metadata()

    # ---- low level ----

    def _call(self, name: str, *args):
        import wasmtime

        if self._x is None:
            raise WasmError("the model was disposed after a trap: load it again", "TL_TRAP")
        try:
            return self._x[name](self._store, *args)
        except wasmtime.Trap as e:  # never expected: the core verifies every file; keep the host alive if it does
            self._x = None
            raise WasmError(f"the WebAssembly runtime trapped in {name}: {e}", "TL_TRAP") from None

    def _read(self, at: int, n: int) -> bytes:
        return bytes(self._memory.read(self._store, at, at + n))

    def _string(self, at: int) -> str | None:
        if not at:
            return None
        end, size = at, self._memory.data_len(self._store)
        chunk = b""
        while end < size:
            block = self._read(end, min(256, size - end))
            cut = block.find(b"\0")
            if cut >= 0:
                chunk += block[:cut]
                break
            chunk += block
            end += len(block)
        return chunk.decode("utf-8", "replace")

    def _check(self, status: int, what: str) -> None:
        if status == 0:
            return
        name = self._string(self._call("tlw_status_name", status))
        sentence = self._string(self._call("tlw_status_string", status))
        detail = self._string(self._call("tlw_detail", self._model)) if self._model else ""
        said = sentence if not detail or detail == sentence else f"{sentence}: {detail}"
        raise WasmError(f"{what}: {said} ({name})", name, detail)

    def _describe(self, is_output: int, count: int) -> list[TensorInfo]:
        words = self._call("tlw_info_words")
        d = 3 + self._call("tlw_max_rank")
        out = []
        for i in range(count):
            at = self._call("tlw_tensor_info", self._model, is_output, i)
            w = struct.unpack(f"<{words}I", self._read(at, 4 * words))
            s = struct.unpack(f"<{words}i", self._read(at, 4 * words))
            rank = w[2]
            quant = None
            if w[d + 5]:
                n = w[d + 5]
                scales = list(struct.unpack(f"<{n}f", self._read(w[d + 7], 4 * n)))
                zero_points = list(struct.unpack(f"<{n}i", self._read(w[d + 8], 4 * n)))
                quant = {"scale": scales[0], "zero_point": zero_points[0], "scales": scales,
                         "zero_points": zero_points, "axis": s[d + 6]}
            dtype = NUMPY_DTYPES[DType(w[d])]
            out.append(TensorInfo(self._string(w[1]) or "", tuple(w[3:3 + rank]), dtype, quant, s[d + 9], w[0],
                                  w[d + 1]))
        return out

    def _read_metadata(self) -> dict:
        m = self._model

        def string(f, i=0):
            return self._string(self._call("tlw_meta_string", m, f, i))

        def strings(f):
            return [string(f, i) for i in range(self._call("tlw_meta_count", m, f))]

        def floats(f):
            at = self._call("tlw_meta_floats", m, f)
            n = self._call("tlw_meta_floats_count")
            return list(struct.unpack(f"<{n}f", self._read(at, 4 * n))) if at else []

        pre = None
        if self._call("tlw_meta_count", m, _PREPROCESSING):
            pre = {"scale": (floats(_SCALE) or [1.0])[0], "mean": floats(_MEAN), "std": floats(_STD),
                   "layout": string(_LAYOUT) or ""}
        return {"producer": string(_PRODUCER) or "", "producer_version": string(_PRODUCER_VERSION) or "",
                "description": string(_DESCRIPTION) or "", "input_names": strings(_INPUT_NAMES),
                "output_names": strings(_OUTPUT_NAMES), "labels": strings(_LABELS), "preprocessing": pre,
                "extra": dict(zip(strings(_EXTRA_KEYS), strings(_EXTRA_VALUES)))}

    @property
    def memory_bytes(self) -> int:
        """Bytes of linear memory this model holds (file, arena, tables, stack)."""
        return self._memory.data_len(self._store)

    @property
    def heap_top(self) -> int:
        return self._call("tlw_heap_top")

    # ---- running ----

    def run_sample(self, inputs) -> list[np.ndarray]:
        """One sample: arrays in model-input order, each of the input's exact dtype and size -> outputs in
        model-output order, of the outputs' shapes."""
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        if len(inputs) != len(self.inputs):
            raise TensorletError(f"the model takes {len(self.inputs)} input(s): {[t.name for t in self.inputs]}")
        for spec, x in zip(self.inputs, inputs):
            x = np.ascontiguousarray(x)
            if x.dtype != spec.dtype or x.size != spec.size:
                raise TensorletError(f"input {spec.name!r} takes {spec.dtype.name}{list(spec.shape)}, got "
                                     f"{x.dtype.name}{list(x.shape)}")
            self._memory.write(self._store, x.tobytes(), spec._at)
        self._check(self._call("tlw_invoke", self._model), "the run failed")
        return [np.frombuffer(self._read(spec._at, spec._bytes), spec.dtype).reshape(spec.shape).copy()
                for spec in self.outputs]

    def run(self, inputs) -> list[np.ndarray] | np.ndarray:
        """Run every sample of a batch, as tensorlet.backends.run_batch does: inputs is an array, a list in
        model-input order or a mapping by input name, each [N, *sample shape] (a model input of shape [1, ...] takes
        samples of shape [...]) or exactly the input's shape. Returns one array per output, samples stacked along
        the first axis; a single array when the model has one output."""
        from tensorlet.backends import _bind, sample_shape
        from tensorlet.converter.ir import Tensor

        dtypes = {np_dtype: dtype for dtype, np_dtype in NUMPY_DTYPES.items()}
        tensors = [Tensor(t.name, t.shape, dtypes[t.dtype]) for t in self.inputs]
        view = SimpleNamespace(tensors=tensors, inputs=list(range(len(tensors))))
        if isinstance(inputs, Mapping):
            inputs = dict(inputs)
        batches = _bind(view, inputs)
        results = [self.run_sample([b[n] for b in batches]) for n in range(len(batches[0]))]
        outs = [np.stack([r[k].reshape(sample_shape(Tensor(t.name, t.shape))) for r in results])
                for k, t in enumerate(self.outputs)]
        return outs[0] if len(outs) == 1 else outs

    def __repr__(self) -> str:
        ins = ", ".join(f"{t.name}:{t.dtype.name}{list(t.shape)}" for t in self.inputs)
        outs = ", ".join(f"{t.name}:{t.dtype.name}{list(t.shape)}" for t in self.outputs)
        return f"Runtime(inputs=[{ins}], outputs=[{outs}], simd={self.simd})"


# ---- the `wasm` backend of tensorlet.backends ----

class WasmBackend:
    """tensorlet.backends.BACKENDS["wasm"]: runs an ir.Model on the WebAssembly runtime, written to bytes and loaded
    once per call of run_samples (a whole batch), or once per model object for single samples."""

    def __init__(self):
        self._last: tuple[object, Runtime] | None = None

    def _runtime(self, model) -> Runtime:
        from tensorlet.converter.writer import to_bytes

        if self._last is None or self._last[0] is not model:
            self._last = (model, Runtime(to_bytes(model)))
        return self._last[1]

    def __call__(self, model, inputs: list[np.ndarray]) -> list[np.ndarray]:
        return self._runtime(model).run_sample(inputs)

    def run_samples(self, model, samples: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
        runtime = self._runtime(model)
        return [runtime.run_sample(sample) for sample in samples]
