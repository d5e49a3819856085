"""Run .tlet models with Tensorlet's C runtime (runtime_embedded/) on the host and on the ports it ships:

- `Runtime`: libtensorlet.so in this process through ctypes (`tensorlet run --backend native`);
- `CortexM`: a runner firmware for Cortex-M4 / M7 / M55 under QEMU system emulation (mps2-an386, mps2-an500,
  mps3-an547), the models and samples compiled in, outputs written back over semihosting (`--backend cortex-m4`...);
- `Aarch64`: tlrun built for the Raspberry Pi 4 (-mcpu=cortex-a72) or 5 (cortex-a76) under qemu-aarch64 with the
  same -cpu (`--backend aarch64`, `aarch64-a76`).

Everything is built on first use with `make -C runtime_embedded ...` and cached under runtime_embedded/build/.
A missing toolchain raises ToolchainMissing naming the Debian package to install.
"""
from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from tensorlet.errors import TensorletError

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = Path(os.environ.get("TENSORLET_RUNTIME_DIR", ROOT / "runtime_embedded"))
BUILD = RUNTIME / "build"
TL_MAX_RANK = 8
TL_ALIGNMENT = 16
STEPS = {1: "load", 2: "bind", 3: "set_input", 4: "invoke"}

# tool -> the Debian packages that provide it (Makefile's APT_PACKAGES names the same)
PACKAGES = {
    "make": "make",
    "gcc": "gcc",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    "qemu-system-arm": "qemu-system-arm",
    "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
    "qemu-aarch64": "qemu-user",
}

# Cortex-M: cpu -> (QEMU board, -mcpu name)
BOARDS = {"m4": ("mps2-an386", "cortex-m4"), "m7": ("mps2-an500", "cortex-m7"), "m55": ("mps3-an547", "cortex-m55")}
CODE_BYTES = {"m4": 4 << 20, "m7": 4 << 20, "m55": 512 << 10}  # the linker scripts' CODE regions
CODE_RESERVE = 112 << 10  # for the runtime, every kernel and libgcc at -O2 (about 60 KB today)
AARCH64_CPUS = ("cortex-a72", "cortex-a76")


class NativeError(TensorletError):
    """A non-OK tl_status from the C runtime: `step` (load/bind/set_input/invoke/...), `status` (its code),
    `detail` (tl_model_detail: which tensor or operator, and why)."""

    def __init__(self, step: str, status: int, message: str, detail: str, where: str = "C runtime"):
        super().__init__(f"{where}: {step}: {message}: {detail}")
        self.step, self.status, self.message, self.detail = step, status, message, detail


class ToolchainMissing(TensorletError):
    """A compiler or emulator a backend needs is not installed."""


class BuildError(TensorletError):
    """Building the C runtime (or a firmware) failed; the message holds the end of the compiler's output."""


@lru_cache(maxsize=1)
def _status_names() -> tuple[str, ...]:
    header = (RUNTIME / "include" / "tensorlet.h").read_text()
    block = header[header.index("typedef enum tl_status"):header.index("} tl_status;")]
    return tuple(re.findall(r"^\s*(TL_[A-Z_]+)\b", block, re.M))


def status_name(status: int) -> str:
    """The tl_status enum name of a code (TL_ERROR_NOT_TLET, ...), from include/tensorlet.h."""
    try:
        names = _status_names()
    except (OSError, ValueError):
        names = ()
    return names[status] if 0 <= status < len(names) - 1 else f"status {status}"


def missing_tools(*tools: str) -> list[str]:
    """The tools (of PACKAGES) not found on PATH."""
    return [t for t in tools if shutil.which(t) is None]


def require(*tools: str) -> None:
    """ToolchainMissing naming the apt packages unless every tool is on PATH."""
    missing = missing_tools(*tools)
    if missing:
        packages = " ".join(dict.fromkeys(" ".join(PACKAGES.get(t, t) for t in missing).split()))
        raise ToolchainMissing(f"{', '.join(missing)} not found: install it with "
                               f"`sudo apt-get install --no-install-recommends {packages}` (Debian/Ubuntu)")


def _require_sources() -> None:
    if not (RUNTIME / "Makefile").is_file():
        raise TensorletError(f"the C runtime sources are not at {RUNTIME}: the native backends need a source "
                             "checkout of Tensorlet (or TENSORLET_RUNTIME_DIR pointing at runtime_embedded/)")


@contextmanager
def _build_lock():
    """One build at a time per checkout (pytest workers, parallel CLI runs share runtime_embedded/build)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".tensorlet-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def make(*args: str) -> None:
    """`make -C runtime_embedded args...` (serialized); BuildError with the output's end on failure."""
    _require_sources()
    require("make")
    jobs = str(min(8, os.cpu_count() or 2))
    with _build_lock():
        result = subprocess.run(["make", "-C", str(RUNTIME), f"-j{jobs}", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"make {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def model_bytes_of(model) -> bytes:
    """.tlet bytes of a Model (written with the converter's writer) or of bytes-like data."""
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model)
    from tensorlet.converter.writer import to_bytes
    return to_bytes(model)


@dataclass(frozen=True)
class TensorSpec:
    """A model input or output as the Python side sees it: name, shape, numpy dtype, byte size."""
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


def model_io(data: bytes) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """The inputs and outputs of .tlet bytes (parsed with the converter's reader)."""
    from tensorlet.converter.ir import NUMPY_DTYPES
    from tensorlet.converter.reader import from_bytes
    model = from_bytes(data)

    def spec(i):
        t = model.tensors[i]
        return TensorSpec(t.name, tuple(int(d) for d in t.shape), np.dtype(NUMPY_DTYPES[t.dtype]).newbyteorder("<"))
    return [spec(i) for i in model.inputs], [spec(i) for i in model.outputs]


def sample_bytes(inputs: list[TensorSpec], sample) -> bytes:
    """One sample's input arrays (model-input order) as the runners take them: bytes concatenated."""
    sample = [sample] if isinstance(sample, np.ndarray) else list(sample)
    if len(sample) != len(inputs):
        raise ValueError(f"the model takes {len(inputs)} input(s), got {len(sample)}")
    parts = []
    for k, (spec, x) in enumerate(zip(inputs, sample)):
        x = np.asarray(x)
        if x.dtype.newbyteorder("<") != spec.dtype or x.size * x.dtype.itemsize != spec.nbytes:
            raise ValueError(f"input {k} ({spec.name!r}) must be {spec.dtype.name}{list(spec.shape)}, "
                             f"got {x.dtype.name}{list(x.shape)}")
        parts.append(np.ascontiguousarray(x, dtype=spec.dtype).tobytes())
    return b"".join(parts)


def split_outputs(outputs: list[TensorSpec], raw: bytes, samples: int) -> list[list[np.ndarray]]:
    """samples x (outputs' bytes concatenated) -> per sample, one array per output."""
    per_sample = sum(o.nbytes for o in outputs)
    if len(raw) != per_sample * samples:
        raise TensorletError(f"the runner wrote {len(raw)} bytes of outputs, expected {per_sample * samples}")
    result, at = [], 0
    for _ in range(samples):
        sample = []
        for o in outputs:
            native_order = o.dtype.newbyteorder("=")
            sample.append(np.frombuffer(raw[at:at + o.nbytes], o.dtype).reshape(o.shape).astype(native_order))
            at += o.nbytes
        result.append(sample)
    return result


# ---------------------------------------------------------------------------------------------------------------
# The host library through ctypes

class TlTensor(ctypes.Structure):
    """tl_tensor of include/tensorlet.h."""

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
        from tensorlet.converter.ir import NUMPY_DTYPES, DType
        return NUMPY_DTYPES[DType(self.dtype)]


def aligned_bytes(size: int, data: bytes | None = None) -> np.ndarray:
    """A uint8 array of `size` bytes whose buffer is TL_ALIGNMENT-aligned (holding `data` when given)."""
    raw = np.zeros(size + TL_ALIGNMENT, np.uint8)
    offset = -raw.ctypes.data % TL_ALIGNMENT
    view = raw[offset:offset + size]
    if data is not None:
        view[:] = np.frombuffer(data, np.uint8)
    return view


class NativeModel:
    """One model loaded and bound by the C runtime in this process (it owns the file copy, struct and arena)."""

    def __init__(self, runtime: "Runtime", data: bytes):
        lib = runtime.lib
        self.runtime = runtime
        self.file = aligned_bytes(len(data), data)
        self.struct = ctypes.create_string_buffer(lib.tl_model_struct_size())
        self._check("load", lib.tl_model_load(self.struct, self.file.ctypes.data, len(data)))
        self.arena_bytes = lib.tl_model_arena_size(self.struct)
        self.arena = aligned_bytes(self.arena_bytes)
        self._check("bind", lib.tl_model_bind(self.struct, self.arena.ctypes.data, self.arena.size))

    def _check(self, step: str, status: int) -> None:
        if status != 0:
            raise NativeError(step, status, self.runtime.status_string(status), self.detail)

    @property
    def detail(self) -> str:
        return self.runtime.lib.tl_model_detail(self.struct).decode()

    def _describe(self, function, count: int) -> list[TlTensor]:
        tensors = []
        for i in range(count):
            t = TlTensor()
            self._check("describe", function(self.struct, i, ctypes.byref(t)))
            tensors.append(t)
        return tensors

    @property
    def inputs(self) -> list[TlTensor]:
        lib = self.runtime.lib
        return self._describe(lib.tl_model_input, lib.tl_model_input_count(self.struct))

    @property
    def outputs(self) -> list[TlTensor]:
        lib = self.runtime.lib
        return self._describe(lib.tl_model_output, lib.tl_model_output_count(self.struct))

    def run(self, inputs) -> list[np.ndarray]:
        """inputs: arrays in model-input order -> output arrays in model-output order."""
        lib = self.runtime.lib
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        specs = self.inputs
        if len(inputs) != len(specs):
            raise ValueError(f"the model takes {len(specs)} input(s), got {len(inputs)}")
        for i, (t, x) in enumerate(zip(specs, inputs)):
            x = np.ascontiguousarray(x)
            if x.dtype != t.np_dtype or x.nbytes != t.bytes:
                raise ValueError(f"input {i} must be {t.np_dtype}{list(t.shape)}, got {x.dtype}{list(x.shape)}")
            self._check("set_input", lib.tl_model_set_input(self.struct, i, x.ctypes.data, x.nbytes))
        self._check("invoke", lib.tl_model_invoke(self.struct))
        outputs = []
        for i, t in enumerate(self.outputs):
            y = np.empty(t.shape, t.np_dtype)
            self._check("get_output", lib.tl_model_get_output(self.struct, i, y.ctypes.data, y.nbytes))
            outputs.append(y)
        return outputs


class Runtime:
    """libtensorlet.so (runtime_embedded/build/linux, built on first use) loaded through ctypes.

        rt = Runtime(); model = rt.load(data); outputs = model.run([x])
    """

    def __init__(self, path: str | Path | None = None):
        if path is None:
            require("gcc", "make")
            make("lib")
            path = BUILD / "linux" / "libtensorlet.so"
        lib = ctypes.CDLL(str(path))
        p, u32, sz = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_size_t
        tensor_p = ctypes.POINTER(TlTensor)
        signatures = {
            "tl_model_load": ([p, p, sz], ctypes.c_int), "tl_model_arena_size": ([p], sz),
            "tl_model_bind": ([p, p, sz], ctypes.c_int), "tl_model_invoke": ([p], ctypes.c_int),
            "tl_model_input_count": ([p], u32), "tl_model_output_count": ([p], u32),
            "tl_model_input": ([p, u32, tensor_p], ctypes.c_int), "tl_model_output": ([p, u32, tensor_p], ctypes.c_int),
            "tl_model_invoke_range": ([p, u32, u32], ctypes.c_int),
            "tl_model_set_input": ([p, u32, p, sz], ctypes.c_int),
            "tl_model_get_output": ([p, u32, p, sz], ctypes.c_int), "tl_model_detail": ([p], ctypes.c_char_p),
            "tl_status_string": ([ctypes.c_int], ctypes.c_char_p), "tl_opcode_supported": ([u32], ctypes.c_int),
            "tl_model_struct_size": ([], sz), "tl_tensor_struct_size": ([], sz),
            "tl_model_tensor_count": ([p], u32), "tl_model_operator_count": ([p], u32),
            "tl_model_tensor": ([p, u32, tensor_p], ctypes.c_int), "tl_dtype_name": ([u32], ctypes.c_char_p),
            "tl_dtype_size": ([u32], u32), "tl_opcode_name": ([u32], ctypes.c_char_p),
        }
        for name, (argtypes, restype) in signatures.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = argtypes, restype
        if lib.tl_tensor_struct_size() != ctypes.sizeof(TlTensor):
            raise TensorletError(f"{path} does not match this binding: sizeof(tl_tensor) "
                                 f"{lib.tl_tensor_struct_size()} vs {ctypes.sizeof(TlTensor)}")
        self.lib = lib
        self.path = Path(path)

    def status_string(self, status: int) -> str:
        return self.lib.tl_status_string(status).decode()

    def load(self, model) -> NativeModel:
        """Load and bind a model (.tlet bytes or a converter Model)."""
        return NativeModel(self, model_bytes_of(model))

    def run(self, model, inputs) -> list[np.ndarray]:
        """One inference: inputs in model-input order -> outputs in model-output order."""
        return self.load(model).run(inputs)

    def run_samples(self, model, samples: list) -> list[list[np.ndarray]]:
        """Many inferences on one loaded model: a list of input lists -> a list of output lists."""
        loaded = self.load(model)
        return [loaded.run(s) for s in samples]


# ---------------------------------------------------------------------------------------------------------------
# Cortex-M under QEMU system emulation

@dataclass
class Job:
    """One model and its samples for the Cortex-M runner firmware."""
    model: bytes
    samples: list = field(default_factory=list)  # each a list of arrays in model-input order
    repeat: int = 1                               # invokes per sample (benchmarks)


@dataclass
class JobResult:
    status: int                 # 0 when every sample ran
    step: str                   # "" or the failing step (load, bind, set_input, invoke)
    detail: str                 # tl_model_detail of the failure
    arena_bytes: int            # tl_model_arena_size on the target (0 when load failed)
    outputs: list               # per completed sample: one array per model output
    ticks: int                  # SysTick ticks spent in tl_model_invoke, all samples and repeats

    def check(self, where: str) -> "JobResult":
        """self, or NativeError naming the failing step, status and detail."""
        if self.status != 0:
            raise NativeError(self.step, self.status, status_name(self.status), self.detail, where)
        return self


@dataclass
class FirmwareRun:
    """What one runner firmware reported."""
    jobs: list[JobResult]
    calibration_iterations: int
    calibration_ticks: int
    stack_used: int             # deepest stack use of the whole run, bytes
    free_ram: int               # the RAM the runner had for arenas, bytes
    console: str                # QEMU's stdout + stderr (semihosting console text)
    firmware: Path | None = None

    @property
    def instructions_per_tick(self) -> float:
        """With -icount shift=0: instructions per SysTick tick (from the calibration loop of 2 x iterations)."""
        return 2.0 * self.calibration_iterations / self.calibration_ticks if self.calibration_ticks else 0.0


def _c_model_source(name: str, data: bytes) -> str:
    from tensorlet.export_c import alignment_macros, c_array
    return (f"/* generated by tensorlet.native: a .tlet model for the Cortex-M runner */\n#include <stdint.h>\n"
            f"{alignment_macros()}{c_array(name, data, storage='const')}")


def _job_inputs(job: Job) -> tuple[bytes, int]:
    """All of a job's samples as bytes, and the bytes per sample. A model the Python reader rejects (the runtime
    will reject it too, which is what such a job tests) takes its samples' bytes as given."""
    try:
        inputs, _ = model_io(job.model)
    except TensorletError:
        parts = [b"".join(np.ascontiguousarray(x).tobytes() for x in s) for s in job.samples]
        return b"".join(parts), len(parts[0]) if parts else 0
    return b"".join(sample_bytes(inputs, s) for s in job.samples), sum(i.nbytes for i in inputs)


def _c_jobs_source(jobs: list[Job], model_names: list[str], calibration: int) -> str:
    from tensorlet.export_c import alignment_macros, c_array
    lines = ["/* generated by tensorlet.native: the Cortex-M runner's jobs */", "#include <stdint.h>",
             '#include "runner.h"', alignment_macros()]
    table = []
    for k, (job, name) in enumerate(zip(jobs, model_names)):
        raw, per_sample = _job_inputs(job)
        lines.append(f"extern const uint8_t {name}[];")
        lines.append(c_array(f"job{k}_inputs", raw))
        table.append(f"    {{{name}, {len(job.model)}u, job{k}_inputs, {per_sample}u, {len(job.samples)}u, "
                     f"{max(1, int(job.repeat))}u}},")
    if not table:
        table.append("    {0, 0u, 0, 0u, 0u, 0u},")
    lines += ["const tl_runner_job tl_runner_jobs[] = {", *table, "};",
              f"const uint32_t tl_runner_job_count = {len(jobs)}u;",
              'const char tl_runner_output_path[] = "tl_out.bin";',
              f"const uint32_t tl_runner_calibration_iterations = {calibration}u;", ""]
    return "\n".join(lines)


def _words(raw: bytes, at: int, n: int) -> tuple[tuple[int, ...], int]:
    if at + 4 * n > len(raw):
        raise TensorletError("the runner's output file is truncated")
    return struct.unpack_from(f"<{n}I", raw, at), at + 4 * n


def _magic(text: str) -> int:
    return struct.unpack("<I", text.encode())[0]


def parse_records(raw: bytes, jobs: list[Job]) -> tuple[list[JobResult], tuple[int, ...]]:
    """The runner's output file (format in ports/cortex-m/runner.h) -> per-job results and the end record."""
    at, results = 0, []
    for k, job in enumerate(jobs):
        (magic, status, step, arena, detail_len), at = _words(raw, at, 5)
        if magic != _magic("TLJB"):
            raise TensorletError(f"the runner's output file is malformed at job {k}")
        detail = raw[at:at + detail_len].decode(errors="replace")
        at += detail_len
        samples, failing_step = [], STEPS.get(step, "")
        if status == 0:
            _, outputs = model_io(job.model)
            per_sample = sum(o.nbytes for o in outputs)
            for _ in range(len(job.samples)):
                (sample_status,), at = _words(raw, at, 1)
                if sample_status != 0:
                    (detail_len,), at = _words(raw, at, 1)
                    detail = raw[at:at + detail_len].decode(errors="replace")
                    at += detail_len
                    status, failing_step = sample_status, "invoke"
                    break
                samples += split_outputs(outputs, raw[at:at + per_sample], 1)
                at += per_sample
        (magic, done, ticks_lo, ticks_hi), at = _words(raw, at, 4)
        if magic != _magic("TLJE") or done != len(samples):
            raise TensorletError(f"the runner's output file is malformed after job {k}")
        results.append(JobResult(status, failing_step, detail, arena, samples, ticks_lo | ticks_hi << 32))
    end, at = _words(raw, at, 5)
    if end[0] != _magic("TLEN"):
        raise TensorletError("the runner's output file has no end record")
    return results, end[1:]


class CortexM:
    """Runs models on a Cortex-M core under QEMU (cpu: m4, m7 or m55): builds the runtime for it (cached), compiles
    models (cached by content) and samples into a runner firmware, runs it, reads the outputs back.

        CortexM("m4").run_jobs([Job(data, [[x0], [x1]])]).jobs[0].outputs
    """

    def __init__(self, cpu: str = "m4", opt: str = "-O2", icount: bool = False, timeout: float = 600.0):
        if cpu not in BOARDS:
            raise ValueError(f"unknown Cortex-M cpu {cpu!r}; one of {', '.join(BOARDS)}")
        self.cpu, self.opt, self.icount, self.timeout = cpu, opt, icount, timeout
        self.board = BOARDS[cpu][0]
        self.build_dir = BUILD / f"cortex-{cpu}{'-Os' if opt == '-Os' else ''}"
        self._built = False

    @property
    def name(self) -> str:
        return f"cortex-{self.cpu}"

    def make_args(self) -> list[str]:
        return [f"CM_CPU={self.cpu}", f"CM_OPT={self.opt}", f"CM_BUILD={self.build_dir.relative_to(RUNTIME)}"]

    def ensure_built(self) -> None:
        require("make", "arm-none-eabi-gcc", "qemu-system-arm")
        if not self._built:
            make("cortex-m", *self.make_args())
            self._built = True

    def _model_source(self, data: bytes) -> tuple[str, Path]:
        digest = hashlib.sha256(data).hexdigest()[:20]
        name = f"tl_runner_model_{digest}"
        path = BUILD / "runner-models" / f"{digest}.c"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(_c_model_source(name, data))
            os.replace(tmp, path)
        return name, path

    def build_firmware(self, jobs: list[Job], directory: Path, calibration: int = 0) -> Path:
        """Write the jobs' sources into `directory` and link directory/firmware.elf."""
        self.ensure_built()
        names, sources = [], []
        for job in jobs:
            name, path = self._model_source(job.model)
            names.append(name)
            if path not in sources:
                sources.append(path)
        jobs_c = directory / "jobs.c"
        jobs_c.write_text(_c_jobs_source(jobs, names, calibration))
        elf = directory / "firmware.elf"
        make("cm-firmware", *self.make_args(), f"FW_SOURCES={' '.join(str(s) for s in [jobs_c, *sources])}",
             f"FW_ELF={elf}")
        return elf

    def qemu_command(self, elf: Path) -> list[str]:
        command = ["qemu-system-arm", "-M", self.board, "-nographic", "-monitor", "none", "-serial", "none",
                   "-semihosting-config", "enable=on,target=native"]
        if self.icount:
            command += ["-icount", "shift=0"]
        return command + ["-kernel", str(elf)]

    def groups(self, jobs: list[Job]) -> list[list[Job]]:
        """Split jobs into firmwares that fit the board's code memory (models counted once per firmware)."""
        budget = CODE_BYTES[self.cpu] - CODE_RESERVE
        groups, current, used, models = [], [], 0, set()
        for job in jobs:
            samples_bytes = len(_job_inputs(job)[0])
            need = samples_bytes + (0 if job.model in models else len(job.model))
            if current and used + need > budget:
                groups.append(current)
                current, used, models = [], 0, set()
                need = samples_bytes + len(job.model)
            if need > budget:
                raise TensorletError(f"{self.name}: a model and its samples take {need:,} bytes, more than the "
                                     f"{budget:,} bytes of {self.board}'s code memory left for them")
            current.append(job)
            used += need
            models.add(job.model)
        return groups + ([current] if current else [])

    def run_jobs(self, jobs: list[Job], calibration: int = 0, keep: Path | None = None) -> FirmwareRun:
        """Run the jobs in as few firmwares as fit the board (usually one), parse what they wrote. calibration:
        iterations of the SysTick calibration loop (benchmarks, with icount=True). keep: a directory to keep the
        (last) firmware in."""
        runs = [self._run_group(group, calibration, keep) for group in self.groups(jobs)]
        if not runs:
            return FirmwareRun([], 0, 0, 0, 0, "")
        return FirmwareRun([j for r in runs for j in r.jobs], runs[-1].calibration_iterations,
                           runs[-1].calibration_ticks, max(r.stack_used for r in runs),
                           min(r.free_ram for r in runs), "".join(r.console for r in runs), runs[-1].firmware)

    def _run_group(self, jobs: list[Job], calibration: int, keep: Path | None) -> FirmwareRun:
        with tempfile.TemporaryDirectory(prefix="tensorlet-cm-") as tmp:
            directory = Path(keep) if keep else Path(tmp)
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "tl_out.bin").unlink(missing_ok=True)
            elf = self.build_firmware(jobs, directory, calibration)
            try:
                result = subprocess.run(self.qemu_command(elf), cwd=directory, capture_output=True, text=True,
                                        timeout=self.timeout)
            except subprocess.TimeoutExpired as e:
                raise TensorletError(f"{self.name}: QEMU ran past {self.timeout:.0f} s") from e
            console = result.stdout + result.stderr
            out = directory / "tl_out.bin"
            if result.returncode != 0 or not out.exists():
                raise TensorletError(f"{self.name}: the runner firmware exited with {result.returncode}: "
                                     f"{console.strip()[-2000:]}")
            results, end = parse_records(out.read_bytes(), jobs)
        return FirmwareRun(results, end[0], end[1], end[2], end[3], console, elf if keep else None)

    def run_samples(self, model, samples: list) -> list[list[np.ndarray]]:
        """A list of input lists -> a list of output lists, all in one firmware run."""
        job = self.run_jobs([Job(model_bytes_of(model), list(samples))]).jobs[0]
        return job.check(self.name).outputs

    def __call__(self, model, inputs) -> list[np.ndarray]:
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        return self.run_samples(model, [inputs])[0]


# ---------------------------------------------------------------------------------------------------------------
# aarch64 (Raspberry Pi 4 / 5) under qemu-aarch64

class Aarch64:
    """tlrun built for a Raspberry Pi core (cortex-a72: Pi 4, cortex-a76: Pi 5), statically linked, run under
    `qemu-aarch64 -cpu <the same core>`: many samples per process."""

    def __init__(self, cpu: str = "cortex-a72", timeout: float = 600.0):
        if cpu not in AARCH64_CPUS:
            raise ValueError(f"unknown aarch64 cpu {cpu!r}; one of {', '.join(AARCH64_CPUS)}")
        self.cpu, self.timeout = cpu, timeout
        self.tlrun = BUILD / f"aarch64-{cpu}" / "tlrun"
        self._built = False

    @property
    def name(self) -> str:
        return f"aarch64 ({self.cpu})"

    def ensure_built(self) -> None:
        require("make", "aarch64-linux-gnu-gcc", "qemu-aarch64")
        if not self._built:
            make("aarch64", f"AARCH64_CPU={self.cpu}")
            self._built = True

    def run_samples(self, model, samples: list) -> list[list[np.ndarray]]:
        self.ensure_built()
        data = model_bytes_of(model)
        with tempfile.TemporaryDirectory(prefix="tensorlet-a64-") as tmp:
            tmp = Path(tmp)
            (tmp / "m.tlet").write_bytes(data)
            (tmp / "in.bin").write_bytes(_job_inputs(Job(data, list(samples)))[0])
            command = ["qemu-aarch64", "-cpu", self.cpu, str(self.tlrun), "m.tlet", "in.bin", "out.bin"]
            try:
                result = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=self.timeout)
            except subprocess.TimeoutExpired as e:
                raise TensorletError(f"{self.name}: tlrun ran past {self.timeout:.0f} s") from e
            if result.returncode != 0:
                message = result.stderr.strip()[-2000:]
                parts = message.split(": ", 3)  # tlrun: STEP: STATUS MESSAGE: DETAIL
                if 0 < result.returncode < 64 and len(parts) == 4 and parts[0] == "tlrun":
                    raise NativeError(parts[1], result.returncode, parts[2], parts[3], self.name)
                raise TensorletError(f"{self.name}: tlrun exited with {result.returncode}: {message}")
            raw = (tmp / "out.bin").read_bytes()
        return split_outputs(model_io(data)[1], raw, len(samples))

    def __call__(self, model, inputs) -> list[np.ndarray]:
        inputs = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        return self.run_samples(model, [inputs])[0]


# ---------------------------------------------------------------------------------------------------------------
# backends for tensorlet.backends.BACKENDS: callables (model, inputs) -> outputs, with run_samples for batches

class _Lazy:
    """A backend built on first use (nothing is compiled when the CLI merely lists its backends)."""

    def __init__(self, factory, description: str):
        self.factory, self.description, self._runner = factory, description, None

    def runner(self):
        if self._runner is None:
            self._runner = self.factory()
        return self._runner

    def run_samples(self, model, samples: list) -> list[list[np.ndarray]]:
        return self.runner().run_samples(model, samples)

    def __call__(self, model, inputs) -> list[np.ndarray]:
        return self.run_samples(model, [inputs])[0]

    def __repr__(self) -> str:
        return f"<tensorlet backend: {self.description}>"


def backends() -> dict:
    """The C runtime's backends by name, for tensorlet.backends.BACKENDS."""
    table = {"native": _Lazy(Runtime, "the C runtime in this process (ctypes, gcc -O2)")}
    for cpu, (board, core) in BOARDS.items():
        table[f"cortex-{cpu}"] = _Lazy(lambda cpu=cpu: CortexM(cpu), f"{core} under qemu-system-arm -M {board}")
    table["aarch64"] = _Lazy(lambda: Aarch64("cortex-a72"), "Raspberry Pi 4 (cortex-a72) under qemu-aarch64")
    table["aarch64-a76"] = _Lazy(lambda: Aarch64("cortex-a76"), "Raspberry Pi 5 (cortex-a76) under qemu-aarch64")
    return table
