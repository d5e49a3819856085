"""The functional API and Sequential: graphs with residual adds, concatenations, several inputs and outputs,
shared layers, shape inference, and the errors for graphs and calls that do not fit."""
import numpy as np
import pytest

from tensorlet.errors import ShapeError
from tensorlet.train import Input, Model, Sequential, Tensor, set_seed
from tensorlet.train.layers import (Activation, Add, BatchNorm, Concatenate, Conv2D, Dense, Flatten,
                                    GlobalAvgPool2D, LayerShapeError, MaxPool2D, Reshape)
from tensorlet.train.model import NotCompiledError


def residual_two_headed():
    """image [3, 8, 8] and extra [4] in; class logits [5] and a regression [2] out."""
    image, extra = Input((3, 8, 8), name="image"), Input((4,), name="extra")
    stem = Conv2D(8, 3, padding="same", activation="relu")(image)
    block = BatchNorm()(Conv2D(8, 3, padding="same")(stem))
    merged = Activation("relu")(Add()([stem, block]))
    features = Concatenate()([GlobalAvgPool2D()(merged), Dense(6, activation="relu")(extra)])
    return Model([image, extra], [Dense(5, name="classes")(features), Dense(2, name="value")(features)])


def test_shapes_are_inferred_on_build():
    x = Input((1, 28, 28))
    y = Conv2D(4, 5, strides=2)(x)
    assert y.shape == (4, 12, 12)
    assert MaxPool2D(3, padding="same")(y).shape == (4, 4, 4)
    assert Reshape((-1, 8))(Flatten()(y)).shape == (72, 8)
    assert Concatenate(axis=-1)([y, y]).shape == (4, 12, 24)


def test_residual_multi_input_multi_output_forward_and_fit():
    set_seed(0)
    model = residual_two_headed()
    assert [type(layer).__name__ for layer in model.layers][:3] == ["Conv2D", "Conv2D", "BatchNorm"]
    rng = np.random.default_rng(0)
    x = [rng.standard_normal((24, 3, 8, 8)).astype(np.float32), rng.standard_normal((24, 4)).astype(np.float32)]
    y = [rng.integers(0, 5, 24), rng.standard_normal((24, 2)).astype(np.float32)]
    classes, value = model.predict(x)
    assert classes.shape == (24, 5) and value.shape == (24, 2)
    model.compile("adam", ["softmax_cross_entropy", "mse"], ["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert {"loss", "classes_loss", "value_loss", "classes_accuracy", "lr"} <= set(history.history)
    assert history.history["loss"][-1] < history.history["loss"][0]
    logs = model.evaluate(x, y)
    assert logs["loss"] == pytest.approx(logs["classes_loss"] + logs["value_loss"], rel=1e-6)


def test_shared_layer_is_one_set_of_weights():
    x = Input((4,))
    shared = Dense(4, activation="tanh")
    model = Model(x, shared(shared(x)))
    assert model.layers == [shared] and len(model.trainable_weights) == 2
    data = np.ones((2, 4), np.float32)
    once = shared(data).data
    np.testing.assert_allclose(model.predict(data), shared(once).data, rtol=1e-6)


def test_sequential_builds_from_the_first_batch_and_compiles_late():
    model = Sequential([Dense(8, activation="relu"), Dense(3)])
    model.compile("sgd", "softmax_cross_entropy", ["accuracy"])
    x = np.random.default_rng(0).standard_normal((10, 6)).astype(np.float32)
    model.fit(x, np.arange(10) % 3, epochs=1, batch_size=5, verbose=0)
    assert model.layers[0].params["kernel"].shape == (6, 8)
    assert model(x).shape == (10, 3) and model.count_params() == 6 * 8 + 8 + 8 * 3 + 3
    assert "dense" in model.summary()


def test_graph_and_call_errors():
    x, other = Input((4,)), Input((4,))
    with pytest.raises(ValueError, match="not among the model's inputs"):
        Model(x, Add()([Dense(4)(x), other]))
    with pytest.raises(LayerShapeError, match="one shape"):
        Add()([Input((3,)), Input((4,))])
    with pytest.raises(LayerShapeError, match="two or more"):
        Add()(Input((3,)))
    layer = Dense(2)
    layer(Input((3,)))
    with pytest.raises(LayerShapeError, match="built for"):
        layer(Input((5,)))
    with pytest.raises(LayerShapeError, match="images"):
        Conv2D(2, 3)(Input((8, 8)))
    with pytest.raises(LayerShapeError, match="reshape"):
        Reshape((5, -1))(Input((12,)))
    model = Model(x, Dense(2)(x))
    with pytest.raises(ShapeError, match="samples of shape"):
        model.predict(np.zeros((2, 5), np.float32))
    with pytest.raises(NotCompiledError):
        model.fit(np.zeros((2, 4)), np.zeros(2, np.int64), verbose=0)
    with pytest.raises(TypeError):
        layer(Input((3,)), Tensor(np.zeros((1, 3))))
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(2, activation="swishy")
