"""TFLite import: int8 corpus models reproduce TFLite Micro bit for bit, float ones match it within 1e-5."""
import numpy as np
import pytest

from support import SHARED_CORPUS
from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.tflite_import import import_tflite
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import FormatError, UnsupportedOpError

pytestmark = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (a user's checkout)")
MLPERF = SHARED_CORPUS / "mlperf_tiny"
GOLDENS = SHARED_CORPUS / "goldens"
INT8_MODELS = ["kws/kws_ref_model.tflite", "vww/vww_96_int8.tflite", "ic/pretrainedResnet_quant.tflite",
               "ad/ad01_int8.tflite"]
FLOAT_MODELS = ["vww/vww_96_float.tflite", "ic/pretrainedResnet.tflite", "ad/ad01_fp32.tflite"]


def load(path) -> ir.Model:
    """Import, plan, and pass through the .tlet format, as `tensorlet convert` does."""
    model = import_tflite(path.read_bytes())
    apply_plan(model)
    return from_bytes(to_bytes(model))


def tflm(path):
    from tflite_micro.python.tflite_micro import runtime

    return runtime.Interpreter.from_file(str(path))


def test_kws_golden_bit_exact():
    golden = np.load(GOLDENS / "kws_ref_model_sample.npz")
    y = run(load(MLPERF / "kws/kws_ref_model.tflite"), golden["x"])[0]
    np.testing.assert_array_equal(y.reshape(golden["y_tflm"].shape), golden["y_tflm"])
    assert int(np.argmax(y)) == 5                                   # the sample says "on"


def test_ad01_goldens_all_196_windows_bit_exact():
    golden = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    model = load(MLPERF / "ad/ad01_int8.tflite")
    y = np.stack([run(model, golden["x_int8"][i:i + 1])[0][0] for i in range(len(golden["x_int8"]))])
    np.testing.assert_array_equal(y, golden["y_int8_tflm"])


def test_hello_world_golden_bit_exact():
    golden = np.load(GOLDENS / "hello_world_int8.npz")
    model = load(SHARED_CORPUS / "tflite_micro/hello_world_int8.tflite")
    y = np.array([run(model, np.array([[x]], np.int8))[0].item() for x in golden["x"]])
    np.testing.assert_array_equal(y, golden["y_tflm"])


@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_models_match_tflite_micro_on_random_inputs(name):
    interpreter = tflm(MLPERF / name)
    model = load(MLPERF / name)
    rng = np.random.default_rng(7)
    for _ in range(3):
        x = rng.integers(-128, 128, model.tensors[model.inputs[0]].shape).astype(np.int8)
        interpreter.set_input(x, 0)
        interpreter.invoke()
        expected = interpreter.get_output(0)
        np.testing.assert_array_equal(run(model, x)[0].reshape(expected.shape), expected)


@pytest.mark.parametrize("name", FLOAT_MODELS)
def test_float_models_match_tflite_micro(name):
    interpreter = tflm(MLPERF / name)
    model = load(MLPERF / name)
    x = np.random.default_rng(3).random(model.tensors[model.inputs[0]].shape).astype(np.float32)
    interpreter.set_input(x, 0)
    interpreter.invoke()
    expected = interpreter.get_output(0)
    got = run(model, x)[0].reshape(expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_hybrid_model_imports_with_dequantized_weights():
    """kws_ref_model_float32 keeps int8 conv weights for float I/O: it imports as a float model that agrees with
    the int8 model's decision on the real sample."""
    model = load(MLPERF / "kws/kws_ref_model_float32.tflite")
    assert all(t.dtype == ir.DType.FLOAT32 for t in model.tensors if t.data is not None and t.data.ndim == 4)
    x = np.load(MLPERF / "kws/kws_sample_input_int8.npy")
    x_float = ((x.astype(np.float32) - 83) * 0.5847029089927673).reshape(1, 49, 10, 1).astype(np.float32)
    assert int(np.argmax(run(model, x_float)[0])) == 5


def test_arena_is_no_larger_than_tflite_micro():
    """TFLite Micro's arenas for these models (anchors.md): KWS 24,224, ResNet-8 55,936, VWW 103,568, AD 17,360."""
    tflm_arena = {"kws/kws_ref_model.tflite": 24224, "ic/pretrainedResnet_quant.tflite": 55936,
                  "vww/vww_96_int8.tflite": 103568, "ad/ad01_int8.tflite": 17360}
    for name, bytes_ in tflm_arena.items():
        assert load(MLPERF / name).arena_bytes <= bytes_, name


def test_unsupported_op_names_the_node_and_the_supported_list():
    with pytest.raises(UnsupportedOpError, match=r"TFLite op UNIDIRECTIONAL_SEQUENCE_LSTM is not supported; "
                                                 r"supported: .*CONV_2D"):
        import_tflite((SHARED_CORPUS / "tflite_micro/trained_lstm_int8.tflite").read_bytes())


def test_garbage_is_a_format_error():
    data = (MLPERF / "kws/kws_ref_model.tflite").read_bytes()
    with pytest.raises(FormatError, match="not a .tflite file"):
        import_tflite(data[:4] + b"TLET" + data[8:])
    with pytest.raises(FormatError):
        import_tflite(data[:200])
