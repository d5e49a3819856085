"""The MLPerf Tiny models and TFLite Micro goldens through the C runtime: int8 bit-exact and float within 1e-5 of
the reference interpreter, and the goldens (TFLite Micro's own outputs) bit for bit; in-process and under
ASan+UBSan."""
import numpy as np
import pytest

import native
from parity import assert_parity, compare
from support import SHARED_CORPUS
from support import random_model_inputs as random_inputs, tflite_tlet as tlet
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run

pytestmark = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")
MLPERF = SHARED_CORPUS / "mlperf_tiny"
GOLDENS = SHARED_CORPUS / "goldens"
INT8_MODELS = ["kws/kws_ref_model.tflite", "vww/vww_96_int8.tflite", "ic/pretrainedResnet_quant.tflite",
               "ad/ad01_int8.tflite"]
FLOAT_MODELS = ["kws/kws_ref_model_float32.tflite", "vww/vww_96_float.tflite", "ic/pretrainedResnet.tflite",
                "ad/ad01_fp32.tflite"]


@pytest.mark.parametrize("name", INT8_MODELS + FLOAT_MODELS)
def test_mlperf_tiny_model_native(ctypes_backend, name):
    data = tlet(MLPERF / name)
    for seed in range(2):
        assert_parity(data, random_inputs(data, seed), ctypes_backend, what=name)


@pytest.mark.parametrize("name", INT8_MODELS + FLOAT_MODELS)
def test_mlperf_tiny_model_under_asan_and_ubsan(asan_backend, name):
    data = tlet(MLPERF / name)
    assert_parity(data, random_inputs(data, 5), asan_backend, what=name)


def test_kws_golden_bit_exact(ctypes_backend, asan_backend):
    golden = np.load(GOLDENS / "kws_ref_model_sample.npz")
    data = tlet(MLPERF / "kws/kws_ref_model.tflite")
    for backend in (ctypes_backend, asan_backend):
        y = backend(data, [golden["x"]])[0]
        np.testing.assert_array_equal(y.reshape(golden["y_tflm"].shape), golden["y_tflm"])
        assert int(np.argmax(y)) == 5  # the sample says "on"


def test_ad01_goldens_all_196_windows_bit_exact(ctypes_backend, asan_backend):
    golden = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    data = tlet(MLPERF / "ad/ad01_int8.tflite")
    windows = [[golden["x_int8"][i:i + 1]] for i in range(len(golden["x_int8"]))]
    assert len(windows) == 196
    native = np.stack([ctypes_backend(data, w)[0][0] for w in windows])
    np.testing.assert_array_equal(native, golden["y_int8_tflm"])
    sanitized = np.stack([out[0][0] for out in asan_backend.batch(data, windows)])
    np.testing.assert_array_equal(sanitized, golden["y_int8_tflm"])


def test_ad01_float_on_the_real_clip(ctypes_backend):
    golden = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    data = tlet(MLPERF / "ad/ad01_fp32.tflite")
    model = from_bytes(data)
    for i in range(0, 196, 39):
        x = golden["x_float"][i:i + 1].astype(np.float32)
        compare(run(model, [x]), ctypes_backend(data, [x]), what=f"ad01 fp32 window {i}")


def test_hello_world_golden_bit_exact(ctypes_backend, asan_backend):
    golden = np.load(GOLDENS / "hello_world_int8.npz")
    data = tlet(SHARED_CORPUS / "tflite_micro/hello_world_int8.tflite")
    samples = [[np.array([[x]], np.int8)] for x in golden["x"]]
    native = np.array([ctypes_backend(data, s)[0].item() for s in samples])
    np.testing.assert_array_equal(native, golden["y_tflm"])
    sanitized = np.array([out[0].item() for out in asan_backend.batch(data, samples)])
    np.testing.assert_array_equal(sanitized, golden["y_tflm"])


def test_hello_world_float_and_simple_add(ctypes_backend):
    for name in ("hello_world_float.tflite", "simple_add_model.tflite"):
        data = tlet(SHARED_CORPUS / "tflite_micro" / name)
        assert_parity(data, random_inputs(data, 1), ctypes_backend, what=name)


def test_arena_is_smaller_than_tflite_micros(lib):
    """TFLite Micro's arenas for these models on x86-64 (anchors.md): ours, activations plus the runtime's own tables,
    is smaller for every one."""
    tflm_arena = {"kws/kws_ref_model.tflite": 24224, "ic/pretrainedResnet_quant.tflite": 55936,
                  "vww/vww_96_int8.tflite": 103568, "ad/ad01_int8.tflite": 17360}
    for name, tflm in tflm_arena.items():
        model = native.NativeModel(lib, tlet(MLPERF / name))
        assert model.arena_bytes < tflm, (name, model.arena_bytes)
