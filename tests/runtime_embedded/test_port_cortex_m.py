"""The C runtime on Cortex-M4 (mps2-an386) and Cortex-M55 (mps3-an547) under QEMU, built with arm-none-eabi-gcc and
no C library: every op-catalog case with a kernel (float and int8), the MLPerf Tiny int8 models against the reference
interpreter, and the TFLite Micro goldens bit for bit. All of it runs in one runner firmware per core (split only
where the M55's 512 KB ITCM is too small), batched in a session-wide run."""
import numpy as np
import pytest

from parity import assert_parity, compare
from port_support import (CORPUS_REASON, INT8_MODELS, SHARED_CORPUS, golden_samples, mlperf, needs, random_inputs,
                          reference, supported_cases)
from tensorlet import native

pytestmark = needs("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
CPUS = ["m4", "m55"]
_RUNS: dict = {}


def _jobs() -> tuple[list, list]:
    """(keys, jobs) of everything the Cortex-M tests check, in one list."""
    keys, jobs = [], []
    for cid, data, inputs in supported_cases():
        keys.append(("case", cid))
        jobs.append(native.Job(data, [inputs]))
    if SHARED_CORPUS.is_dir():
        for name in INT8_MODELS:
            data = mlperf(name)
            keys.append(("model", name))
            jobs.append(native.Job(data, [random_inputs(data, seed) for seed in range(2)]))
        for name, (data, samples, _) in golden_samples().items():
            keys.append(("golden", name))
            jobs.append(native.Job(data, samples))
    return keys, jobs


def results(cpu: str) -> dict:
    """key -> JobResult for one core, from one session-wide batch."""
    if cpu not in _RUNS:
        keys, jobs = _jobs()
        run = native.CortexM(cpu).run_jobs(jobs)
        _RUNS[cpu] = (dict(zip(keys, run.jobs)), run)
    return _RUNS[cpu][0]


def _ids(items):
    return [c[0] for c in items]


@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("cid,data,inputs", supported_cases(), ids=_ids(supported_cases()))
def test_port_op_case_on_cortex_m(cpu, cid, data, inputs):
    job = results(cpu)[("case", cid)].check(f"cortex-{cpu}")
    assert_parity(data, inputs, lambda _data, _inputs: job.outputs[0], what=f"{cid} on cortex-{cpu}")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("name", list(INT8_MODELS))
def test_port_mlperf_tiny_int8_on_cortex_m(cpu, name):
    job = results(cpu)[("model", name)].check(f"cortex-{cpu}")
    data = mlperf(name)
    for seed in range(2):
        compare(reference(data, seed), job.outputs[seed], what=f"{name} seed {seed} on cortex-{cpu}")
    assert_parity(data, random_inputs(data, 0), lambda _d, _i: job.outputs[0], what=f"{name} on cortex-{cpu}")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("name", ["kws", "ad01", "hello_world"])
def test_port_tflite_micro_golden_bit_exact_on_cortex_m(cpu, name):
    job = results(cpu)[("golden", name)].check(f"cortex-{cpu}")
    _, samples, expected = golden_samples()[name]
    assert len(job.outputs) == len(samples)
    for k, (got, want) in enumerate(zip(job.outputs, expected)):
        np.testing.assert_array_equal(got[0].reshape(want.shape), want, err_msg=f"{name} sample {k} on cortex-{cpu}")
    if name == "kws":
        assert int(np.argmax(job.outputs[0][0])) == 5  # the sample says "on"


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
def test_port_cortex_m_arena_is_smaller_than_tflite_micros(cpu):
    """The target's own tl_model_arena_size (32-bit tables) for the MLPerf Tiny int8 models, against TFLite Micro's
    arenas (anchors.md)."""
    tflm = {"kws": 24224, "ic": 55936, "vww": 103568, "ad": 17360}
    for name, arena in tflm.items():
        assert 0 < results(cpu)[("model", name)].arena_bytes < arena, name


@pytest.mark.parametrize("cpu", CPUS)
def test_port_cortex_m_reports_a_failing_model_by_name(cpu):
    """A job whose model the runtime rejects reports the step, status and detail; the jobs after it still run."""
    cid, data, inputs = supported_cases()[0]
    broken = bytearray(data)
    broken[4:8] = b"XXXX"  # the file identifier
    run = native.CortexM(cpu).run_jobs([native.Job(bytes(broken), [inputs]), native.Job(data, [inputs])])
    bad, good = run.jobs
    assert (bad.status, bad.step, bad.outputs) == (2, "load", [])  # TL_ERROR_NOT_TLET
    assert "tensorlet runner: job 0 load:" in run.console
    with pytest.raises(native.NativeError, match="load: TL_ERROR_NOT_TLET: "):
        bad.check("cortex-" + cpu)
    assert_parity(data, inputs, lambda _d, _i: good.check(cpu).outputs[0], what=cid)
    assert 0 < run.stack_used < 16384


FAULT_APP = r"""
#include "semihost.h"
int main(void)
{
    tl_sh_puts("before the fault\n");
    __asm__ volatile("udf #0");
    return 0;
}
"""
EXIT_APP = r"""
#include "board.h"
int main(void)
{
    size_t n;
    return tl_board_free_ram(&n) != 0 && n > 400000u ? 7 : 1;
}
"""


@pytest.mark.parametrize("cpu", CPUS)
def test_port_cortex_m_startup_exit_code_and_fault_report(cpu, tmp_path):
    """main's result becomes QEMU's exit status (SYS_EXIT_EXTENDED); an undefined instruction escalates to a
    HardFault that the startup code reports and turns into exit status 103."""
    runner = native.CortexM(cpu)
    runner.ensure_built()
    codes = {}
    for name, source in (("fault", FAULT_APP), ("exit", EXIT_APP)):
        (tmp_path / f"{name}.c").write_text(source)
        native.make("cm-app", *runner.make_args(), f"APP_SOURCES={tmp_path / name}.c", f"APP_ELF={tmp_path / name}.elf")
        result = native.subprocess.run(runner.qemu_command(tmp_path / f"{name}.elf"), capture_output=True, text=True,
                                       timeout=60)
        codes[name] = (result.returncode, result.stdout + result.stderr)
    assert codes["exit"][0] == 7
    assert codes["fault"][0] == 103
    assert "before the fault\ntensorlet: unexpected exception 3 (HardFault)" in codes["fault"][1]
