"""The tensorlet command line: inspect prints a table or JSON, bad files give one line and a non-zero exit."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from support import act, const, single_op_model
from tensorlet.cli import main
from tensorlet.converter import ir
from tensorlet.converter.writer import save


def conv_file(tmp_path: Path) -> Path:
    w = np.ones((8, 3, 3, 2), np.float32)
    model = single_op_model(ir.OpCode.CONV_2D, [act("image", (1, 10, 10, 2)), const("w", w),
                                                const("b", np.zeros(8, np.float32))],
                            act("features", (1, 8, 8, 8)), ir.Conv2DOptions())
    model.metadata = ir.Metadata(description="one conv", labels=["cat", "dog"],
                                 preprocessing=ir.Preprocessing(scale=1 / 255, mean=[0.5], std=[0.25]))
    path = tmp_path / "conv.tlet"
    save(model, str(path))
    return path


def test_inspect_table(tmp_path, capsys):
    path = conv_file(tmp_path)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "CONV_2D" in out and "1x10x10x2" in out and "1x8x8x8" in out
    assert "MACs        9,216" in out                           # 8*8*8 outputs x 3*3*2 taps
    assert "parameters  152 (608 bytes)" in out                  # 144 weights + 8 biases
    assert f"file        {path.stat().st_size:,} bytes" in out
    assert "labels      cat, dog" in out and "description one conv" in out


def test_inspect_json(tmp_path, capsys):
    path = conv_file(tmp_path)
    assert main(["inspect", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ops"][0] == {"index": 0, "op": "CONV_2D", "inputs": ["1x10x10x2"], "outputs": ["1x8x8x8"],
                                 "dtype": "float32", "macs": 9216}
    totals = summary["totals"]
    assert totals["arena_bytes"] == 800 + 2048 and totals["arena_lower_bound"] == 800 + 2048
    assert summary["inputs"] == [{"name": "image", "shape": [1, 10, 10, 2], "dtype": "float32"}]
    assert summary["metadata"]["preprocessing"]["mean"] == [0.5]


def test_inspect_rejects_a_corrupt_file_with_one_line(tmp_path, capsys):
    path = tmp_path / "bad.tlet"
    path.write_bytes(conv_file(tmp_path).read_bytes()[:100])
    assert main(["inspect", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tensorlet inspect: error:") and "\n" not in err


def test_console_script_help():
    script = Path(sys.executable).with_name("tensorlet")
    result = subprocess.run([str(script), "inspect", "--help"], capture_output=True, text=True, check=True)
    assert "--json" in result.stdout
    result = subprocess.run([str(script), "inspect", "/no/such.tlet"], capture_output=True, text=True)
    assert result.returncode == 1 and "No such file" in result.stderr


def fc_file(tmp_path: Path) -> Path:
    """y = x @ W.T with W = [[1,2,3],[4,5,6]]: a model whose outputs are easy to state."""
    w = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    model = single_op_model(ir.OpCode.FULLY_CONNECTED, [act("x", (1, 3)), const("w", w)], act("y", (1, 2)),
                            ir.FullyConnectedOptions())
    path = tmp_path / "fc.tlet"
    save(model, str(path))
    return path


def test_run_stacks_samples_along_the_first_axis(tmp_path, capsys):
    path = fc_file(tmp_path)
    np.save(tmp_path / "x.npy", np.array([[1, 0, 0], [0, 1, 0], [1, 1, 1]], np.float32))
    assert main(["run", str(path), "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), [[1, 4], [2, 5], [6, 15]])
    assert "wrote y float32[3, 2]" in capsys.readouterr().out


def test_run_accepts_npz_by_name_and_prints(tmp_path, capsys):
    path = fc_file(tmp_path)
    np.savez(tmp_path / "x.npz", x=np.array([[0, 0, 1]], np.float32))
    assert main(["run", str(path), "--input", str(tmp_path / "x.npz")]) == 0
    out = capsys.readouterr().out
    assert "y float32[1, 2]" in out and "[[3. 6.]]" in out


def test_run_rejects_wrong_shapes_and_dtypes_with_one_line(tmp_path, capsys):
    path = fc_file(tmp_path)
    np.save(tmp_path / "bad.npy", np.zeros((2, 4), np.float32))
    assert main(["run", str(path), "--input", str(tmp_path / "bad.npy")]) == 1
    assert "takes samples of shape [3]" in capsys.readouterr().err
    np.save(tmp_path / "bad.npy", np.zeros((2, 3), np.int32))
    assert main(["run", str(path), "--input", str(tmp_path / "bad.npy")]) == 1
    assert "input 'x' must be float32, got int32" in capsys.readouterr().err
