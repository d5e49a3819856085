"""The C runtime built for the Raspberry Pi 4 (aarch64-linux-gnu-gcc -mcpu=cortex-a72) and Pi 5 (-mcpu=cortex-a76),
run under qemu-aarch64 -cpu <the same core>: every op-catalog case with a kernel, the MLPerf Tiny int8 models against
the reference interpreter, and the TFLite Micro goldens bit for bit."""
import numpy as np
import pytest

from parity import assert_parity, compare
from port_support import (CORPUS_REASON, INT8_MODELS, SHARED_CORPUS, golden_samples, mlperf, needs, random_inputs,
                          reference, supported_cases)
from tensorlet import native

pytestmark = needs("make", "gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64")
CPUS = ["cortex-a72", "cortex-a76"]
_RUNNERS: dict = {}


def runner(cpu: str) -> native.Aarch64:
    if cpu not in _RUNNERS:
        _RUNNERS[cpu] = native.Aarch64(cpu)
    return _RUNNERS[cpu]


@pytest.mark.parametrize("cpu", CPUS)
def test_port_op_cases_on_aarch64(cpu):
    for cid, data, inputs in supported_cases():
        assert_parity(data, inputs, runner(cpu), what=f"{cid} on {cpu}")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("name", list(INT8_MODELS))
def test_port_mlperf_tiny_int8_on_aarch64(cpu, name):
    data = mlperf(name)
    outputs = runner(cpu).run_samples(data, [random_inputs(data, seed) for seed in range(2)])
    for seed in range(2):
        compare(reference(data, seed), outputs[seed], what=f"{name} seed {seed} on {cpu}")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)
@pytest.mark.parametrize("cpu", CPUS)
def test_port_tflite_micro_goldens_bit_exact_on_aarch64(cpu):
    for name, (data, samples, expected) in golden_samples().items():
        outputs = runner(cpu).run_samples(data, samples)
        for k, (got, want) in enumerate(zip(outputs, expected)):
            np.testing.assert_array_equal(got[0].reshape(want.shape), want, err_msg=f"{name} sample {k} on {cpu}")


def test_port_aarch64_reports_runtime_errors():
    cid, data, inputs = supported_cases()[0]
    broken = bytearray(data)
    broken[4:8] = b"XXXX"
    with pytest.raises(native.NativeError) as e:
        runner("cortex-a72").run_samples(bytes(broken), [inputs])
    assert e.value.status == 2 and "load" in str(e.value)  # TL_ERROR_NOT_TLET
