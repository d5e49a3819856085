"""`tensorlet run --backend native|cortex-m4|cortex-m7|cortex-m55|aarch64|aarch64-a76`: the same CLI as the reference
backend, the same outputs (batches run in one firmware / process), and a clear error naming the apt package when a
toolchain is missing."""
import numpy as np
import pytest

from parity import compare
from port_support import needs, supported_cases
from tensorlet import native
from tensorlet.backends import BACKENDS, run_batch
from tensorlet.cli import main
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run

NEW_BACKENDS = ["native", "cortex-m4", "cortex-m7", "cortex-m55", "aarch64", "aarch64-a76"]
TOOLS = {"native": ("make", "gcc"), "cortex-m4": ("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm"),
         "cortex-m7": ("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm"),
         "cortex-m55": ("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm"),
         "aarch64": ("make", "gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64"),
         "aarch64-a76": ("make", "gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64")}


def _case(kind: str):
    """An int8 or float case with a batch dimension of 1 on its (single) input, stacked 3 samples deep."""
    for cid, data, inputs in supported_cases():
        model = from_bytes(data)
        shape = model.tensors[model.inputs[0]].shape
        if cid.endswith(kind) and len(inputs) == 1 and shape[0] == 1 and len(shape) > 1:
            rng = np.random.default_rng(7)
            if kind == "int8":
                batch = rng.integers(-128, 128, (3,) + tuple(shape[1:])).astype(np.int8)
            else:
                batch = rng.standard_normal((3,) + tuple(shape[1:])).astype(np.float32)
            return cid, data, batch
    raise AssertionError(f"no {kind} case with a batch-1 input")


def test_port_backends_are_registered():
    for name in NEW_BACKENDS:
        assert name in BACKENDS, name
        assert hasattr(BACKENDS[name], "run_samples")


@pytest.mark.parametrize("backend", NEW_BACKENDS)
def test_port_run_batch_matches_the_reference(backend):
    if native.missing_tools(*TOOLS[backend]):
        pytest.skip(f"{', '.join(native.missing_tools(*TOOLS[backend]))} not installed")
    for kind in ("int8", "float"):
        cid, data, batch = _case(kind)
        expected = run_batch(data, batch, backend="reference")
        compare(expected, run_batch(data, batch, backend=backend), what=f"{cid} on {backend}")


@needs("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
def test_port_cli_run_on_cortex_m7(tmp_path, capsys):
    cid, data, batch = _case("int8")
    (tmp_path / "m.tlet").write_bytes(data)
    np.save(tmp_path / "x.npy", batch)
    for backend in ("reference", "cortex-m7"):
        assert main(["run", str(tmp_path / "m.tlet"), "--input", str(tmp_path / "x.npy"), "--output",
                     str(tmp_path / f"{backend}.npy"), "--backend", backend]) == 0
    assert "wrote" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(tmp_path / "cortex-m7.npy"), np.load(tmp_path / "reference.npy"))


def test_port_missing_toolchain_names_the_apt_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(native.shutil, "which", lambda tool: None if tool == "arm-none-eabi-gcc" else "/usr/bin/x")
    with pytest.raises(native.ToolchainMissing, match="apt-get install .*gcc-arm-none-eabi"):
        native.CortexM("m4").ensure_built()
    cid, data, batch = _case("int8")
    (tmp_path / "m.tlet").write_bytes(data)
    np.save(tmp_path / "x.npy", batch)
    assert main(["run", str(tmp_path / "m.tlet"), "--input", str(tmp_path / "x.npy"), "--backend", "cortex-m55"]) == 1
    err = capsys.readouterr().err
    assert "tensorlet run: error: arm-none-eabi-gcc not found" in err and "gcc-arm-none-eabi" in err
    monkeypatch.setattr(native.shutil, "which", lambda tool: None if tool == "qemu-aarch64" else "/usr/bin/x")
    with pytest.raises(native.ToolchainMissing, match="qemu-user"):
        native.Aarch64("cortex-a76").ensure_built()


@needs("make", "gcc")
def test_port_native_runtime_is_importable_from_the_package():
    from tensorlet.native import Runtime

    cid, data, inputs = supported_cases()[-1]
    model = Runtime().load(data)
    assert model.arena_bytes > 0 and len(model.inputs) == len(inputs)
    compare(run(from_bytes(data), inputs), model.run(inputs), what=cid)
    broken = bytearray(data)
    broken[4:8] = b"XXXX"
    with pytest.raises(native.NativeError) as e:
        Runtime().run(bytes(broken), inputs)
    assert (e.value.step, e.value.status) == ("load", 2)
