"""tensorlet.Runtime (the Python host over wasmtime): descriptions, metadata, batches along the first axis, the
`wasm` backend of `tensorlet run`, every error path, several models at once, and a fixed memory over many runs."""
import numpy as np
import pytest

from wasm_support import fc_model, two_input_model
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run as reference_run
from tensorlet.errors import DTypeError, ShapeError, TensorletError


def test_descriptions_and_metadata(wasmtime_ok, tmp_path):
    from tensorlet import runtime

    path = tmp_path / "fc.tlet"
    path.write_bytes(fc_model())
    rt = runtime.Runtime(path)
    assert rt.simd
    (x,) = rt.inputs
    assert (x.name, x.shape, x.dtype) == ("features", (1, 8), np.dtype("i1"))
    assert x.quantization["zero_point"] == -4 and np.float32(x.quantization["scale"]) == np.float32(0.1)
    (y,) = rt.outputs
    assert (y.name, y.shape, y.dtype) == ("scores", (1, 3), np.dtype("i1"))
    m = rt.metadata
    assert m["labels"] == ["cat", "dog", "émeu"]
    assert (m["producer"], m["producer_version"], m["description"]) == ("tests", "9.1", "a tiny classifier")
    assert m["input_names"] == ["features"] and m["output_names"] == ["scores"]
    assert m["extra"] == {"license": "CC0", "k": "v"}
    pre = m["preprocessing"]
    assert pre["layout"] == "NHWC" and pre["mean"] == [0.5, 0.25]
    assert np.float32(pre["scale"]) == np.float32(1 / 255) and pre["std"] == [np.float32(0.2), np.float32(0.1)]
    assert runtime.Runtime(fc_model(False)).metadata["preprocessing"] is None
    assert "features:int8[1, 8]" in repr(rt)


def test_batches_along_the_first_axis_and_by_name(wasmtime_ok):
    from tensorlet.runtime import Runtime

    data = fc_model()
    rt = Runtime(data)
    xs = np.random.default_rng(1).integers(-128, 128, (5, 8)).astype(np.int8)
    y = rt.run(xs)
    assert y.shape == (5, 3)
    model = from_bytes(data)
    for n in range(5):
        np.testing.assert_array_equal(y[n], reference_run(model, [xs[n:n + 1]])[0][0])
    np.testing.assert_array_equal(rt.run({"features": xs}), y)
    np.testing.assert_array_equal(rt.run(xs[:1].reshape(1, 8)), y[:1])  # exactly the input's shape: one sample
    two = Runtime(two_input_model())
    a, b = np.ones((2, 4), np.float32), np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_array_equal(two.run([a, b]), a + b)
    np.testing.assert_array_equal(two.run({"b": b, "a": a}), a + b)


def test_the_wasm_backend_of_tensorlet_run(wasmtime_ok, tmp_path, capsys):
    from tensorlet.backends import BACKENDS, run_batch
    from tensorlet.cli import main

    assert "wasm" in BACKENDS
    data = fc_model()
    xs = np.random.default_rng(2).integers(-128, 128, (4, 8)).astype(np.int8)
    np.testing.assert_array_equal(run_batch(data, xs, backend="wasm")[0], run_batch(data, xs)[0])
    (tmp_path / "m.tlet").write_bytes(data)
    np.save(tmp_path / "x.npy", xs)
    assert main(["run", str(tmp_path / "m.tlet"), "--input", str(tmp_path / "x.npy"), "--backend", "wasm",
                 "--output", str(tmp_path / "y.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), run_batch(data, xs)[0])


def test_error_paths(wasmtime_ok):
    from tensorlet.runtime import Runtime, WasmError

    with pytest.raises(WasmError, match="not a .tlet model") as e:
        Runtime(b"definitely not a model, 32 bytes")
    assert e.value.status == "TL_ERROR_NOT_TLET"
    with pytest.raises(WasmError, match="file is too short"):
        Runtime(b"short")
    with pytest.raises(WasmError, match="not a multiple of 16"):
        Runtime(fc_model() + b"\0")
    data = bytearray(fc_model())
    with pytest.raises(WasmError) as e:
        Runtime(bytes(data[:-16]))
    assert e.value.status.startswith("TL_ERROR_") and e.value.detail
    data[4:8] = b"XXXX"
    with pytest.raises(WasmError, match="TL_ERROR_NOT_TLET"):
        Runtime(bytes(data))
    rt = Runtime(fc_model())
    with pytest.raises(DTypeError, match="must be int8, got float32"):
        rt.run(np.zeros((1, 8), np.float32))
    with pytest.raises(ShapeError, match=r"samples of shape \[8\]"):
        rt.run(np.zeros((1, 9), np.int8))
    with pytest.raises(ShapeError, match="the model takes"):
        rt.run({"nope": np.zeros((1, 8), np.int8)})
    with pytest.raises(TensorletError, match=r"takes int8\[1, 8\], got int8\[7\]"):
        rt.run_sample([np.zeros(7, np.int8)])
    with pytest.raises(TensorletError, match="takes 1 input"):
        rt.run_sample([np.zeros(8, np.int8)] * 2)
    with pytest.raises(TensorletError, match="TENSORLET_WASM_DIR|no such file|No such file"):
        Runtime(fc_model(), wasm="/nonexistent/tensorlet.wasm")


def test_many_models_at_once_and_no_memory_growth(wasmtime_ok):
    from tensorlet.runtime import Runtime

    fc, add = Runtime(fc_model()), Runtime(two_input_model())
    others = [Runtime(fc_model(), simd=False) for _ in range(3)]
    x = np.random.default_rng(3).integers(-128, 128, (1, 8)).astype(np.int8)
    expected = fc.run_sample([x])[0]
    memory, top = fc.memory_bytes, fc.heap_top
    for _ in range(1000):
        np.testing.assert_array_equal(fc.run_sample([x])[0], expected)
    assert (fc.memory_bytes, fc.heap_top) == (memory, top)
    assert memory < 256 * 1024  # stack 64 KiB + file + arena, in whole pages
    for other in others:
        np.testing.assert_array_equal(other.run_sample([x])[0], expected)
    ones = np.ones((1, 4), np.float32)
    np.testing.assert_array_equal(add.run([ones, ones]), 2 * ones)
