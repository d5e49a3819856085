"""tensorlet bench: per-backend timings of a real model on the host backends, instruction counts on Cortex-M, the
CLI's table and JSON, an unknown backend's error."""
import json
import shutil

import numpy as np
import pytest

from op_cases import cases
from tensorlet.bench import bench, random_inputs
from tensorlet.cli import main
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import TensorletError


def conv_int8() -> bytes:
    return next(to_bytes(m) for cid, m, _ in cases() if cid == "conv_2d-int8")


def test_host_backends_time_the_model(tmp_path):
    data = conv_int8()
    report = bench(data, ["wasm", "native", "reference"], runs=15, warmup=2)
    model = from_bytes(data)
    assert report["file_bytes"] == len(data) and report["macs"] > 0 and report["arena_bytes"] > 0
    for backend, r in report["backends"].items():
        assert 0 < r["p10_ms"] <= r["median_ms"] <= r["p90_ms"], backend
        assert r["runs"] == 15 and r["gmacs_per_s"] == pytest.approx(report["macs"] / (r["median_ms"] * 1e6))
    x = random_inputs(model)
    assert [a.shape for a in x] == [tuple(model.tensors[i].shape) for i in model.inputs]
    assert all(a.dtype == np.int8 for a in x)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain is not installed (make apt)")
def test_cortex_m4_counts_instructions():
    report = bench(conv_int8(), ["cortex-m4"])
    r = report["backends"]["cortex-m4"]
    assert r["repeatable"] and r["instructions"] > report["macs"] // 4  # SMLAD: at most two MACs per instruction
    assert r["arena_bytes"] >= report["arena_bytes"]


def test_cli_table_json_and_errors(tmp_path, capsys):
    path = tmp_path / "conv.tlet"
    path.write_bytes(conv_int8())
    x = random_inputs(from_bytes(path.read_bytes()), seed=3)[0]
    np.save(tmp_path / "x.npy", x)
    assert main(["bench", str(path), "--backend", "wasm,reference", "--runs", "5", "--warmup", "1",
                 "--input", str(tmp_path / "x.npy")]) == 0
    out = capsys.readouterr().out
    assert "MACs" in out and "\nwasm " in out and "\nreference " in out
    assert main(["bench", str(path), "--backend", "wasm", "--runs", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["backends"]) == {"wasm"} and report["backends"]["wasm"]["runs"] == 5
    with pytest.raises(TensorletError, match="unknown backend 'gpu'"):
        bench(path.read_bytes(), ["gpu"])
    assert main(["bench", str(path), "--backend", "gpu"]) != 0
    assert "unknown backend 'gpu'" in capsys.readouterr().err
