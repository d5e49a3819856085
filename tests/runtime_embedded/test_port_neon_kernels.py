"""The aarch64 NEON kernels (runtime_embedded/kernels/aarch64/: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) under
qemu-aarch64, built for the Raspberry Pi 4 (-mcpu=cortex-a72: SMULL/SADALP) and 5 (-mcpu=cortex-a76: SDOT), bit for
bit against the reference interpreter (float32 within the parity tolerance): the op-catalog cases of these ops and
the harder shapes of test_port_mve_kernels.kernel_cases, the MLPerf Tiny int8 models and the TFLite Micro goldens;
the vectorized requantization against the scalar one; and the SDOT guard: the cortex-a76 build contains SDOT and runs
it in CONV_2D (qemu's cortex-a72 stops there with SIGILL), the cortex-a72 build contains none."""
from __future__ import annotations

import re
import signal
import subprocess

import numpy as np
import pytest

from parity import assert_parity, compare
from port_support import CORPUS_REASON, INT8_MODELS, SHARED_CORPUS, golden_samples, mlperf, needs, random_inputs, \
    reference
from test_port_mve_kernels import all_cases, kernel_cases
from tensorlet import native

pytestmark = needs("make", "gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64")
CPUS = ["cortex-a72", "cortex-a76"]
_RUNNERS: dict = {}


def runner(cpu: str) -> native.Aarch64:
    if cpu not in _RUNNERS:
        _RUNNERS[cpu] = native.Aarch64(cpu)
        _RUNNERS[cpu].ensure_built()
    return _RUNNERS[cpu]


def _objdump(path) -> str:
    return subprocess.run(["aarch64-linux-gnu-objdump", "-d", str(path)], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("cpu", CPUS)
def test_neon_kernel_cases_on_aarch64(cpu):
    for cid, data, inputs in all_cases():
        assert_parity(data, inputs, runner(cpu), what=f"{cid} on {cpu}")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
def test_neon_mlperf_tiny_int8_and_goldens_on_aarch64(cpu):
    for name in INT8_MODELS:
        data = mlperf(name)
        outputs = runner(cpu).run_samples(data, [random_inputs(data, seed) for seed in range(2)])
        for seed in range(2):
            compare(reference(data, seed), outputs[seed], what=f"{name} seed {seed} on {cpu}")
    for name, (data, samples, expected) in golden_samples().items():
        outputs = runner(cpu).run_samples(data, samples)
        for k, (got, want) in enumerate(zip(outputs, expected)):
            np.testing.assert_array_equal(got[0].reshape(want.shape), want, err_msg=f"{name} sample {k} on {cpu}")


def _sdot_words(dis: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s+sdot\b", dis, re.M)}


def test_neon_sdot_only_in_the_cortex_a76_build():
    a72, a76 = (_objdump(runner(cpu).tlrun) for cpu in CPUS)
    assert not _sdot_words(a72), "the cortex-a72 build must not contain SDOT"
    assert "sadalp" in a72
    assert _sdot_words(a76), "the cortex-a76 build has no SDOT"


def test_neon_cortex_a76_build_runs_sdot_in_conv(tmp_path):
    """qemu-aarch64 -cpu cortex-a72 has no dot product: the a76 build loads fine there but dies with SIGILL on the
    first int8 CONV_2D, at one of its SDOT instructions (qemu's instruction trace names it)."""
    cid, data, inputs = next(c for c in kernel_cases() if c[0] == "conv_1x1_16to24")
    (tmp_path / "m.tlet").write_bytes(data)
    (tmp_path / "in.bin").write_bytes(inputs[0].tobytes())
    tlrun = str(runner("cortex-a76").tlrun)
    info = subprocess.run(["qemu-aarch64", "-cpu", "cortex-a72", tlrun, "--info", "m.tlet"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    trace = tmp_path / "trace.txt"
    run = subprocess.run(["qemu-aarch64", "-cpu", "cortex-a72", "-d", "in_asm,nochain", "-D", str(trace), tlrun,
                          "m.tlet", "in.bin", "out.bin"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode in (-signal.SIGILL, 128 + signal.SIGILL), (run.returncode, run.stderr)
    last = [line for line in trace.read_text().splitlines() if re.match(r"^0x[0-9a-f]+:", line)][-1]
    word = last.split()[1]
    assert word in _sdot_words(_objdump(tlrun)), last
    # and the same model runs on qemu's cortex-a76
    assert_parity(data, inputs, runner("cortex-a76"), what=cid)


REQUANT_MAIN = r"""
#include <stdio.h>
#include "aarch64/neon_int8.h"

static uint32_t state = 777u;
static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

int main(void)
{
    static tln_rq rq;
    uint32_t round, c, bad = 0, n = 0;
    static const int32_t edges[] = {TL_INT32_MIN, TL_INT32_MAX, 0, 1, -1, TL_INT32_MIN + 1, TL_INT32_MAX - 1};
    for (round = 0; round < 20000u; round++) {
        int32_t acc[4], shift[4], got[4];
        rq.any_left = 0;
        for (c = 0; c < 4u; c++) {
            const uint32_t kind = next() % 4u;
            shift[c] = (int32_t)((round * 4u + c) % 63u) - 31;
            rq.mult[c] = (round + c) % 5u == 0u ? TL_INT32_MAX : (int32_t)(next() & 0x7FFFFFFFu);
            rq.left[c] = shift[c] > 0 ? shift[c] : 0;
            rq.right[c] = shift[c] < 0 ? shift[c] : 0;
            rq.any_left |= shift[c] > 0;
            if (kind == 0u) {
                acc[c] = (int32_t)(next() & 0x7FFFFFFFu) - (int32_t)(next() & 0x7FFFFFFFu);
            } else if (kind == 1u) {
                acc[c] = edges[next() % 7u];
            } else if (kind == 2u && shift[c] < 0) {
                const int32_t q = (int32_t)(next() % 4096u) - 2048;
                acc[c] = (int32_t)((uint32_t)q * ((uint32_t)1 << -shift[c]) + ((uint32_t)1 << (-shift[c] - 1)));
            } else {
                acc[c] = (int32_t)(next() % 200001u) - 100000;
            }
        }
        rq.y_zp = (int32_t)(next() % 256u) - 128;
        rq.act_min = (int32_t)(next() % 100u) - 128;
        rq.act_max = 127 - (int32_t)(next() % 100u);
        vst1q_s32(got, tln_requant4(vld1q_s32(acc), &rq, 0u));
        for (c = 0; c < 4u; c++, n++) {
            const int64_t want = (int64_t)tl_mbqm(acc[c], rq.mult[c], shift[c]) + rq.y_zp;
            bad += got[c] != (int32_t)(want < rq.act_min ? rq.act_min : (want > rq.act_max ? rq.act_max : want));
        }
    }
    printf("requant cases %u mismatches %u\n", n, bad);
    return bad ? 1 : 0;
}
"""


@pytest.mark.parametrize("cpu", CPUS)
def test_neon_requantization_matches_the_scalar_reference(cpu, tmp_path):
    source, exe = tmp_path / "requant.c", tmp_path / "requant"
    source.write_text(REQUANT_MAIN)
    rt = native.RUNTIME
    subprocess.run(["aarch64-linux-gnu-gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-static",
                    f"-mcpu={cpu}", f"-I{rt / 'include'}", f"-I{rt / 'src'}", f"-I{rt / 'kernels'}", str(source), "-o",
                    str(exe)], check=True, capture_output=True, text=True)
    result = subprocess.run(["qemu-aarch64", "-cpu", cpu, str(exe)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "requant cases 80000 mismatches 0" in result.stdout
