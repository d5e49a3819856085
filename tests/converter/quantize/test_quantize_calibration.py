"""Calibration data loading: .npy, .npz (by name and in order), image directories (layout, channels,
preprocessing), and the checks on mismatched data."""
import numpy as np
import pytest

from quant_graphs import Graph
from tensorlet.converter import ir
from tensorlet.converter.quantize.calibration import as_sample, input_layout, load_calibration
from tensorlet.errors import ShapeError


def image_model(shape, preprocessing=None) -> ir.Model:
    g = Graph()
    g.act("image", shape)
    g.act("y", shape)
    g.op(ir.OpCode.RELU, ["image"], "y")
    model = g.model(["image"], ["y"])
    model.metadata.preprocessing = preprocessing
    return model


def two_input_model() -> ir.Model:
    g = Graph()
    g.act("a", (1, 4))
    g.act("b", (1, 4))
    g.act("y", (1, 4))
    g.op(ir.OpCode.ADD, ["a", "b"], "y", ir.BinaryOptions())
    model = g.model(["a", "b"], ["y"])
    model.metadata.input_names = ["first", "second"]
    return model


def test_npy_samples_along_the_first_axis(tmp_path):
    model = image_model((1, 2, 3, 1))
    data = np.arange(5 * 6, dtype=np.float64).reshape(5, 2, 3, 1)
    np.save(tmp_path / "cal.npy", data)
    samples = load_calibration(tmp_path / "cal.npy", model)
    assert len(samples) == 5
    assert samples[2][0].shape == (1, 2, 3, 1) and samples[2][0].dtype == np.float32
    np.testing.assert_array_equal(samples[2][0][0], data[2])
    assert len(load_calibration(tmp_path / "cal.npy", model, limit=2)) == 2


def test_npz_by_tensor_name_metadata_name_or_order(tmp_path):
    model = two_input_model()
    a, b = np.ones((3, 1, 4)), 2 * np.ones((3, 4))
    for kwargs in ({"b": b, "a": a}, {"second": b, "first": a}, {"arr_0": a, "arr_1": b}):
        np.savez(tmp_path / "cal.npz", **kwargs)
        samples = load_calibration(tmp_path / "cal.npz", model)
        assert len(samples) == 3
        assert samples[0][0].mean() == 1.0 and samples[0][1].mean() == 2.0


def test_mismatched_data_is_rejected(tmp_path):
    model = two_input_model()
    np.savez(tmp_path / "cal.npz", a=np.ones((3, 4)), b=np.ones((2, 4)))
    with pytest.raises(ShapeError, match="different numbers of samples"):
        load_calibration(tmp_path / "cal.npz", model)
    np.save(tmp_path / "cal.npy", np.ones((3, 5)))
    with pytest.raises(ShapeError):
        load_calibration(tmp_path / "cal.npy", image_model((1, 2, 2, 1)))
    with pytest.raises(ShapeError, match="feeds one input"):
        load_calibration(tmp_path / "cal.npy", model)
    with pytest.raises(ValueError, match=".npy or .npz"):
        load_calibration(tmp_path / "cal.txt", model)


def test_samples_from_arrays_lists_and_dicts():
    model = two_input_model()
    by_list = as_sample(model, [np.zeros(4), np.ones((1, 4))])
    by_name = as_sample(model, {"second": np.ones(4), "a": np.zeros(4)})
    for sample in (by_list, by_name):
        assert [x.shape for x in sample] == [(1, 4), (1, 4)] and sample[1].sum() == 4
    with pytest.raises(ShapeError):
        as_sample(model, [np.zeros(4)])


def write_images(directory, count: int, size=(20, 10), mode="RGB"):
    from PIL import Image as image

    rng = np.random.default_rng(0)
    pixels = []
    for k in range(count):
        channels = 3 if mode == "RGB" else 1
        array = rng.integers(0, 256, (size[1], size[0], channels)).astype(np.uint8)
        image.fromarray(array if channels == 3 else array[..., 0], mode).save(directory / f"img{k}.png")
        pixels.append(array)
    (directory / "notes.txt").write_text("not an image")
    return pixels


def test_image_directory_nhwc_rgb_with_preprocessing(tmp_path):
    pixels = write_images(tmp_path, 3, size=(8, 6))
    pre = ir.Preprocessing(scale=1 / 255, mean=[0.5, 0.25, 0.0], std=[0.5, 0.25, 1.0], layout="NHWC")
    model = image_model((1, 6, 8, 3), pre)
    samples = load_calibration(tmp_path, model)
    assert len(samples) == 3 and samples[0][0].shape == (1, 6, 8, 3)
    expected = (pixels[0] / 255.0 - np.array([0.5, 0.25, 0.0])) / np.array([0.5, 0.25, 1.0])
    np.testing.assert_allclose(samples[0][0][0], expected, atol=1e-5)   # same size: no resampling


def test_image_directory_nchw_grayscale_resized(tmp_path):
    write_images(tmp_path, 2, size=(20, 10), mode="L")
    model = image_model((1, 1, 5, 7))
    assert input_layout(model, model.tensors[0]) == "NCHW"
    samples = load_calibration(tmp_path, model)
    x = samples[1][0]
    assert x.shape == (1, 1, 5, 7) and 0 <= x.min() and x.max() <= 255


def test_image_rgb_into_nchw(tmp_path):
    pixels = write_images(tmp_path, 1, size=(4, 4))
    model = image_model((1, 3, 4, 4))
    x = load_calibration(tmp_path, model)[0][0]
    np.testing.assert_array_equal(x[0], pixels[0].transpose(2, 0, 1))


def test_layout_from_metadata_when_the_shape_is_ambiguous():
    model = image_model((1, 3, 3, 3), ir.Preprocessing(layout="NCHW"))
    assert input_layout(model, model.tensors[0]) == "NCHW"
    assert input_layout(image_model((1, 3, 3, 3)), model.tensors[0]) == "NHWC"


def test_empty_image_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_calibration(tmp_path, image_model((1, 4, 4, 3)))
