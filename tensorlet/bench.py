"""`tensorlet bench`: how fast a .tlet model runs on each backend, measured here.

Host backends (wasm under wasmtime, native through ctypes, the numpy reference) load the model once, warm up, then
time single inferences one by one: median, p10 and p90 in milliseconds, and the MAC rate. Cortex-M backends run
the model in QEMU with -icount shift=0 (one instruction per virtual clock tick, SysTick calibrated against a
counted loop) and report instructions per inference, repeatable from run to run. Timings on a shared machine are
noisy: compare backends within one run.
"""
from __future__ import annotations

import time

import numpy as np

from tensorlet.converter.ir import NUMPY_DTYPES, Model
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run
from tensorlet.converter.summary import summarize
from tensorlet.errors import TensorletError

HOST_BACKENDS = ("wasm", "native", "reference")
CORTEX_M = {"cortex-m4": "m4", "cortex-m7": "m7", "cortex-m55": "m55"}
CALIBRATION_ITERATIONS = 5_000_000  # SysTick calibration loop of the Cortex-M runner (instructions per tick)


def random_inputs(model: Model, seed: int = 0) -> list[np.ndarray]:
    """One sample of the model's inputs: uniform int8 over its range, or standard normal float32."""
    rng = np.random.default_rng(seed)
    arrays = []
    for i in model.inputs:
        t = model.tensors[i]
        dtype = NUMPY_DTYPES[t.dtype]
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            arrays.append(rng.integers(info.min, info.max + 1, t.shape).astype(dtype))
        else:
            arrays.append(rng.standard_normal(t.shape).astype(dtype))
    return arrays


def _host_runner(backend: str, data: bytes, model: Model):
    """A callable running one inference of the loaded model on `backend` (load cost paid here)."""
    if backend == "wasm":
        from tensorlet.runtime import Runtime
        return Runtime(data).run_sample
    if backend == "native":
        from tensorlet import native
        return native.Runtime().load(data).run
    return lambda inputs: reference_run(model, inputs)


def time_host(backend: str, data: bytes, inputs: list[np.ndarray], runs: int, warmup: int) -> dict:
    """Median / p10 / p90 milliseconds of `runs` single inferences after `warmup` untimed ones."""
    model = from_bytes(data)
    run = _host_runner(backend, data, model)
    for _ in range(warmup):
        run(inputs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(inputs)
        times.append((time.perf_counter() - start) * 1e3)
    p10, median, p90 = np.percentile(times, [10, 50, 90])
    return {"median_ms": float(median), "p10_ms": float(p10), "p90_ms": float(p90), "runs": runs}


def count_instructions(cpu: str, data: bytes, inputs: list[np.ndarray]) -> dict:
    """Instructions of one inference on a Cortex-M core (m4, m7, m55) in QEMU, from two identical runs; the arena
    bytes and peak stack the target reports."""
    from tensorlet import native
    runner = native.CortexM(cpu, icount=True)
    counts, run = [], None
    for _ in range(2):
        run = runner.run_jobs([native.Job(data, [inputs])], calibration=CALIBRATION_ITERATIONS)
        counts.append(run.jobs[0].check(runner.name).ticks)
    return {"instructions": round(counts[0] * run.instructions_per_tick), "repeatable": counts[0] == counts[1],
            "arena_bytes": run.jobs[0].arena_bytes, "stack_peak_bytes": run.stack_used}


def bench(data: bytes, backends: list[str], runs: int = 200, warmup: int = 20,
          inputs: list[np.ndarray] | None = None) -> dict:
    """The model's size and MACs, and per backend its timing (host) or instruction count (Cortex-M)."""
    model = from_bytes(data)
    totals = summarize(model, len(data))["totals"]
    inputs = inputs if inputs is not None else random_inputs(model)
    results = {}
    for backend in backends:
        if backend in HOST_BACKENDS:
            result = time_host(backend, data, inputs, runs, warmup)
            result["gmacs_per_s"] = totals["macs"] / (result["median_ms"] * 1e6) if result["median_ms"] else 0.0
        elif backend in CORTEX_M:
            result = count_instructions(CORTEX_M[backend], data, inputs)
        else:
            raise TensorletError(f"unknown backend {backend!r}; bench takes "
                                 f"{', '.join(HOST_BACKENDS + tuple(CORTEX_M))}")
        results[backend] = result
    return {"file_bytes": len(data), "macs": totals["macs"], "arena_bytes": totals["arena_bytes"],
            "backends": results}


def format_bench(name: str, report: dict) -> str:
    """The report as a table: one line per backend."""
    lines = [f"{name}: {report['file_bytes']:,} bytes, {report['macs']:,} MACs, arena {report['arena_bytes']:,} bytes",
             f"{'backend':<12}{'median ms':>11}{'p10-p90 ms':>16}{'GMAC/s':>9}{'instructions':>15}"]
    for backend, r in report["backends"].items():
        if "median_ms" in r:
            lines.append(f"{backend:<12}{r['median_ms']:>11.4f}{r['p10_ms']:>8.4f}-{r['p90_ms']:<7.4f}"
                         f"{r['gmacs_per_s']:>9.2f}{'':>15}")
        else:
            note = "" if r["repeatable"] else " (runs differ)"
            lines.append(f"{backend:<12}{'':>11}{'':>16}{'':>9}{r['instructions']:>15,}{note}")
    return "\n".join(lines)
