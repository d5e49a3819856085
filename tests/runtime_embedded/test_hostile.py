"""Hostile inputs: truncated, bit-flipped and overwritten .tlet files and random byte strings go through the C
loader, bind and invoke built with ASan+UBSan (any memory error or undefined behaviour aborts it). Every file the
Python reader rejects must be rejected by the C runtime too (it is at least as strict); every file the Python
reader accepts must load and bind, unless it uses an op this build has no kernel for."""
import subprocess

import numpy as np
import pytest

import native
from op_cases import cases
from support import SHARED_CORPUS
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.tflite_import import import_tflite
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import FormatError

TL_OK, TL_ERROR_UNSUPPORTED_OP, TL_ERROR_LIMIT = 0, 10, 11
SMALL_CASES = ["conv_2d-int8", "depthwise_conv_2d-float", "fully_connected-int8", "add-int8", "softmax-int8",
               "average_pool_2d_count_pad-int8", "logistic-int8", "quantize-float", "concatenation-int8",
               "mean-int8"]


def seed_models() -> dict[str, bytes]:
    models = {cid: to_bytes(model) for cid, model, _ in cases() if cid in SMALL_CASES}
    for name in ("tflite_micro/hello_world_int8.tflite", "mlperf_tiny/kws/kws_ref_model.tflite"):
        path = SHARED_CORPUS / name
        if path.is_file():
            model = import_tflite(path.read_bytes())
            apply_plan(model)
            models[path.stem] = to_bytes(model)
    return models


def mutations(data: bytes, rng: np.random.Generator, count: int) -> list[bytes]:
    """Truncations, single-bit flips, random bytes and random int32 words written over the file."""
    out = [data[:n] for n in sorted(set(rng.integers(0, len(data), count // 4).tolist()) | {0, 8, 16, len(data) - 16})]
    for _ in range(count):
        b = bytearray(data)
        kind = rng.integers(0, 3)
        at = int(rng.integers(0, len(b)))
        if kind == 0:
            b[at] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1:
            b[at] = int(rng.integers(0, 256))
        else:
            at -= at % 4
            word = int(rng.choice([0, 1, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, int(rng.integers(0, 1 << 32)),
                                   len(b), len(b) - at]))
            b[at:at + 4] = (word & 0xFFFFFFFF).to_bytes(4, "little")[:len(b) - at]
        out.append(bytes(b))
    return out


def random_strings(rng: np.random.Generator, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        n = int(rng.integers(0, 40)) * 16
        b = bytearray(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
        if n >= 8 and rng.random() < 0.7:            # a plausible header: small root offset and the identifier
            b[0:4] = int(rng.integers(0, n)).to_bytes(4, "little")
            b[4:8] = b"TLET"
        out.append(bytes(b))
    return out


def python_accepts(data: bytes) -> bool:
    try:
        from_bytes(data)
    except FormatError:
        return False
    return True


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    rng = np.random.default_rng(2024)
    files = []
    for name, data in seed_models().items():
        files += [(f"{name}-{i}", d) for i, d in enumerate(mutations(data, rng, 60 if len(data) > 8192 else 150))]
    files += [(f"random-{i}", d) for i, d in enumerate(random_strings(rng, 300))]
    directory = tmp_path_factory.mktemp("hostile")
    for name, data in files:
        (directory / name).write_bytes(data)
    return directory, files


def test_hostile_inputs_never_break_memory_and_match_python_verdicts(builds, hostile_files):
    directory, files = hostile_files
    result = subprocess.run([str(native.ASAN_FUZZ_LOAD)] + [str(directory / n) for n, _ in files],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"sanitizer report:\n{result.stderr[-6000:]}"
    verdicts = {}
    for line in result.stdout.splitlines():
        checked, invoked, path = line.split(" ", 2)
        verdicts[path.rsplit("/", 1)[-1]] = (int(checked), int(invoked))
    assert len(verdicts) == len(files)
    weaker, stricter, accepted = [], [], 0
    for name, data in files:
        checked, _ = verdicts[name]
        if python_accepts(data):
            accepted += 1
            if checked not in (TL_OK, TL_ERROR_UNSUPPORTED_OP, TL_ERROR_LIMIT):
                stricter.append((name, checked))
        elif checked == TL_OK:
            weaker.append(name)
    assert not weaker, f"the C runtime accepts files the Python reader rejects: {weaker[:10]}"
    assert not stricter, f"the C runtime rejects files the Python reader accepts: {stricter[:10]}"
    assert accepted > 50 and len(files) - accepted > 500   # both verdicts are well represented


def test_libfuzzer_harness_runs(builds, tmp_path):
    """The libFuzzer target builds (clang, -fsanitize=fuzzer,address,undefined) and fuzzes its seeds cleanly for a
    few seconds; `make -C runtime_embedded fuzz-run FUZZ_SECONDS=N` is the long run."""
    import shutil
    import sys
    if shutil.which("clang-16") is None:
        pytest.skip("clang-16 is needed for the libFuzzer build")
    build = subprocess.run(["make", "-C", str(native.RUNTIME), f"BUILD={tmp_path}", "fuzz"], capture_output=True,
                           text=True)
    if build.returncode != 0 and "libclang_rt.fuzzer" in build.stderr:
        pytest.skip("libclang-rt-16-dev (libFuzzer's runtime) is not installed")
    assert build.returncode == 0, build.stderr[-3000:]
    seeds = tmp_path / "seeds"
    subprocess.run([sys.executable, str(native.RUNTIME / "fuzz" / "make_seeds.py"), str(seeds)], check=True)
    run = subprocess.run([str(tmp_path / "fuzz" / "fuzz_load"), "-max_total_time=3", "-max_len=65536",
                          "-print_final_stats=1", f"-artifact_prefix={tmp_path}/", str(seeds)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "stat::number_of_executed_units" in run.stderr
