"""End to end on real data: scikit-learn's digits (1,797 8x8 scans) trained to a stated held-out accuracy, and
the callbacks that watch training (EarlyStopping, ModelCheckpoint, LearningRateScheduler, History)."""
import numpy as np
import pytest

from tensorlet.train import Sequential, set_seed
from tensorlet.train.callbacks import Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint
from tensorlet.train.data import load_digits, train_val_split
from tensorlet.train.layers import Conv2D, Dense, Dropout, Flatten, MaxPool2D
from tensorlet.train.optim import Adam, StepDecay



@pytest.fixture(scope="module")
def digits():
    x, y = load_digits()
    return train_val_split(x, y, 0.2, seed=0)


def mlp(seed=0):
    set_seed(seed)
    return Sequential([Dense(64, activation="relu", kernel_initializer="he_normal"), Dropout(0.1), Dense(10)],
                      input_shape=(64,))


def test_mlp_reaches_96_percent_on_held_out_digits(digits):
    (x, y), (x_val, y_val) = digits
    model = mlp()
    model.compile(Adam(3e-3), "softmax_cross_entropy", ["accuracy", "top_3_accuracy"])
    history = model.fit(x, y, epochs=12, batch_size=32, validation_data=(x_val, y_val), verbose=0)
    logs = model.evaluate(x_val, y_val)
    assert logs["accuracy"] >= 0.96, logs
    assert logs["top_3_accuracy"] >= logs["accuracy"]
    assert history.epoch == list(range(12)) and len(history.history["val_accuracy"]) == 12
    assert history.history["val_accuracy"][-1] == pytest.approx(logs["accuracy"])


def test_cnn_on_digit_images_learns(digits):
    (x, y), (x_val, y_val) = digits
    set_seed(1)
    model = Sequential([Conv2D(8, 3, padding="same", activation="relu"), MaxPool2D(), Flatten(), Dense(10)],
                       input_shape=(1, 8, 8))
    model.compile(Adam(5e-3), "softmax_cross_entropy", ["accuracy"])
    model.fit(x.reshape(-1, 1, 8, 8), y, epochs=4, batch_size=32, verbose=0)
    assert model.evaluate(x_val.reshape(-1, 1, 8, 8), y_val)["accuracy"] >= 0.9


def test_early_stopping_restores_the_best_weights(digits):
    (x, y), (x_val, y_val) = digits

    class Worsen(Callback):
        """Makes every epoch after the second look worse, so patience runs out."""
        def on_epoch_end(self, epoch, logs):
            if epoch >= 2:
                logs["val_loss"] = 10.0 + epoch

    model = mlp()
    model.compile("adam", "softmax_cross_entropy")
    stopper = EarlyStopping(patience=1, restore_best_weights=True)
    best = []
    keep = type("Keep", (Callback,), {"on_epoch_end": lambda self, e, logs: best.append(self.model.get_weights())
                                      if e == 1 else None})()
    history = model.fit(x, y, epochs=20, batch_size=64, validation_data=(x_val, y_val), verbose=0,
                        callbacks=[Worsen(), keep, stopper])
    assert stopper.stopped_epoch == 3 and history.epoch == [0, 1, 2, 3]
    for now, then in zip(model.get_weights(), best[0]):
        np.testing.assert_array_equal(now, then)


def test_learning_rate_scheduler_and_checkpoints(digits, tmp_path):
    (x, y), (x_val, y_val) = digits
    model = mlp()
    model.compile("sgd", "softmax_cross_entropy", ["accuracy"])
    saver = ModelCheckpoint(tmp_path / "ckpt-{epoch:02d}-{val_accuracy:.2f}.npz", monitor="val_accuracy",
                            save_best_only=True)
    history = model.fit(x[:256], y[:256], epochs=4, batch_size=64, validation_data=(x_val, y_val), verbose=0,
                        callbacks=[LearningRateScheduler(StepDecay(0.4, step_size=2, gamma=0.1)), saver])
    assert history.history["lr"] == pytest.approx([0.4, 0.4, 0.04, 0.04])
    assert saver.saved and all(p.endswith(".npz") for p in saver.saved)
    assert (tmp_path / saver.saved[0].split("/")[-1]).exists()
    halving = LearningRateScheduler(lambda epoch, lr: lr / 2)
    history = model.fit(x[:64], y[:64], epochs=2, batch_size=64, verbose=0, callbacks=[halving])
    assert history.history["lr"] == pytest.approx([0.02, 0.01])


def test_callbacks_reject_an_unknown_mode():
    for make in (lambda mode: EarlyStopping(mode=mode), lambda mode: ModelCheckpoint("m.npz", mode=mode)):
        with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', not 'maxx'"):
            make("maxx")
    assert ModelCheckpoint("m.npz", monitor="val_accuracy").maximize
    assert not ModelCheckpoint("m.npz", monitor="val_accuracy", mode="min").maximize


def test_progress_bar_prints_loss_metrics_and_speed(digits, capsys):
    (x, y), _ = digits
    model = mlp()
    model.compile("adam", "softmax_cross_entropy", ["accuracy"])
    model.fit(x[:128], y[:128], epochs=1, batch_size=64, verbose=1)
    model.fit(x[:128], y[:128], epochs=1, batch_size=64, verbose=2)
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "loss" in err and "accuracy" in err and "samples/s" in err
