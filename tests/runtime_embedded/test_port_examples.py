"""runtime_embedded/examples: the Cortex-M4 firmware (QEMU) and the Linux program (host, and aarch64 under
qemu-aarch64) embed a model with `tensorlet export-c`, classify one input and print the class the reference
interpreter picks. KWS and its TFLite Micro golden sample when the corpus is present, else a small int8 model."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from port_support import GOLDENS, SHARED_CORPUS, mlperf, needs
from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import to_bytes
from tensorlet import native
from tensorlet.native import RUNTIME

APP_LINES = 40


def _small_model() -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(3)
    w = const("w", rng.integers(-127, 128, (6, 10)).astype(np.int8), rng.uniform(0.005, 0.02, 6), 0, 0)
    model = single_op_model(ir.OpCode.FULLY_CONNECTED, [act("x", (1, 10), 0.05, 3), w, None],
                            act("y", (1, 6), 0.1, -5), ir.FullyConnectedOptions())
    return to_bytes(model), rng.integers(-128, 128, (1, 10)).astype(np.int8)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """(build dir, make arguments, expected class)."""
    tmp = tmp_path_factory.mktemp("examples")
    if SHARED_CORPUS.is_dir():
        data, x = mlperf("kws"), np.load(GOLDENS / "kws_ref_model_sample.npz")["x"]
    else:
        data, x = _small_model()
    (tmp / "model.tlet").write_bytes(data)
    np.save(tmp / "input.npy", x)
    x.tofile(tmp / "input.bin")
    expected = int(np.argmax(run(from_bytes(data), [x])[0]))
    args = [f"EXAMPLE_MODEL={tmp / 'model.tlet'}", f"EXAMPLE_INPUT={tmp / 'input.npy'}", f"EXAMPLE_BUILD={tmp}",
            f"PYTHON={sys.executable}"]
    return tmp, args, expected


def _make(target: str, args: list[str]) -> None:
    native.make(target, *args)  # BuildError with the compiler's output on failure


def test_port_examples_are_short():
    for path in (RUNTIME / "examples/cortex-m4/classify.c", RUNTIME / "examples/linux/classify.c"):
        code = [line for line in path.read_text().splitlines()
                if line.strip() and not line.strip().startswith(("/*", "*", "//"))]
        assert len(code) < APP_LINES, (path.name, len(code))


@needs("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
def test_port_example_cortex_m4_classifies_in_qemu(example):
    tmp, args, expected = example
    _make("example-cortex-m4", args)
    result = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial",
                             "none", "-semihosting-config", "enable=on,target=native", "-kernel",
                             str(tmp / "classify-cortex-m4.elf")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"class {expected}\n" in result.stdout + result.stderr
    assert (tmp / "model.h").read_text().count("#define MODEL_SIZE") == 1


@needs("make", "gcc")
def test_port_example_linux_classifies(example):
    tmp, args, expected = example
    _make("example-linux", args)
    result = subprocess.run([str(tmp / "classify-linux"), str(tmp / "input.bin")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"class {expected} ")
    usage = subprocess.run([str(tmp / "classify-linux")], capture_output=True, text=True)
    assert usage.returncode == 64 and "usage: classify INPUT.bin" in usage.stderr


@needs("make", "gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64")
def test_port_example_linux_classifies_on_aarch64(example):
    tmp, args, expected = example
    _make("example-aarch64", args)
    result = subprocess.run(["qemu-aarch64", "-cpu", "cortex-a72", str(tmp / "classify-aarch64"),
                             str(tmp / "input.bin")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"class {expected} ")


def test_port_readme_documents_the_examples():
    readme = Path(RUNTIME / "README.md").read_text()
    for needle in ("examples/cortex-m4/classify.c", "examples/linux/classify.c", "tensorlet export-c",
                   "make -C runtime_embedded examples"):
        assert needle in readme, needle
