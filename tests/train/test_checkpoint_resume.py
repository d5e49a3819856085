"""Checkpoints: save/load round trips weights, BatchNorm statistics and optimizer state, and training resumed from
a checkpoint continues bit for bit as if it had never stopped (shuffling, dropout and augmentation included)."""
import numpy as np
import pytest

from tensorlet.train import Sequential, set_seed
from tensorlet.train.data import shift_and_noise
from tensorlet.train.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from tensorlet.train.model import CheckpointError
from tensorlet.train.optim import AdamW, CosineDecay


def model_and_data():
    set_seed(5)
    model = Sequential([Conv2D(4, 3, padding="same", activation="relu"), BatchNorm(), MaxPool2D(), Flatten(),
                        Dropout(0.3), Dense(3)], input_shape=(1, 6, 6))
    model.compile(AdamW(CosineDecay(0.01, total_steps=40)), "softmax_cross_entropy", ["accuracy"])
    rng = np.random.default_rng(0)
    return model, rng.standard_normal((40, 1, 6, 6)).astype(np.float32), rng.integers(0, 3, 40)


def fit(model, x, y, epochs, initial_epoch=0):
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0, seed=3, initial_epoch=initial_epoch,
              augment=shift_and_noise(1, 0.05))


def test_resumed_training_is_bit_identical(tmp_path):
    straight, x, y = model_and_data()
    fit(straight, x, y, epochs=4)

    first, _, _ = model_and_data()
    fit(first, x, y, epochs=2)
    first.save(tmp_path / "half.npz")
    resumed, _, _ = model_and_data()
    assert resumed.load(tmp_path / "half.npz") == 2
    fit(resumed, x, y, epochs=4, initial_epoch=2)

    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert resumed.compiled.optimizer.iterations == straight.compiled.optimizer.iterations == 12
    for slot in ("exp_avg", "exp_avg_sq"):
        for a, b in zip(straight.compiled.optimizer.state[slot], resumed.compiled.optimizer.state[slot]):
            np.testing.assert_array_equal(a, b)


def test_load_restores_predictions_and_rejects_other_models(tmp_path):
    model, x, y = model_and_data()
    fit(model, x, y, epochs=1)
    path = tmp_path / "model.npz"
    model.save(path)
    fresh, _, _ = model_and_data()
    fresh.load(path)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))

    other = Sequential([Dense(3)], input_shape=(36,))
    with pytest.raises(CheckpointError, match="holds layers"):
        other.load(path)
    wider = Sequential([Conv2D(5, 3, padding="same", activation="relu"), BatchNorm(), MaxPool2D(), Flatten(),
                        Dropout(0.3), Dense(3)], input_shape=(1, 6, 6))
    with pytest.raises(CheckpointError, match="kernel"):
        wider.load(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises((CheckpointError, ValueError, OSError)):
        fresh.load(tmp_path / "junk.npz")
    np.savez(tmp_path / "plain.npz", w=np.zeros(3))
    with pytest.raises(CheckpointError, match="not a tensorlet.train checkpoint"):
        fresh.load(tmp_path / "plain.npz")
