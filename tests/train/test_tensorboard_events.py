"""TensorBoard event files from our own writer, read back by the real tensorboard package."""
import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator

from tensorlet.train import Sequential, set_seed
from tensorlet.train.callbacks import TensorBoard
from tensorlet.train.layers import Dense
from tensorlet.train.summary import SummaryWriter
from tensorlet.train.summary.crc32c import crc32c, masked_crc32c



def read(log_dir):
    accumulator = event_accumulator.EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0})
    accumulator.Reload()
    return accumulator


def test_crc32c_known_values():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    assert masked_crc32c(b"") == 0xA282EAD8


def test_writer_scalars_and_histograms(tmp_path):
    writer = SummaryWriter(tmp_path)
    values = np.random.default_rng(0).standard_normal(1000)
    for step in range(3):
        writer.add_scalar("loss", 1 / (step + 1), step)
        writer.add_histogram("weights", values * (step + 1), step)
    writer.close()
    events = read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in events.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, 0.333333)]
    histogram = events.Histograms("weights")[2].histogram_value
    assert histogram.num == 1000 and histogram.min == pytest.approx(values.min() * 3)
    assert sum(histogram.bucket) == 1000 and histogram.sum_squares == pytest.approx(np.dot(values, values) * 9)


def test_tensorboard_callback_logs_every_epoch(tmp_path):
    set_seed(0)
    model = Sequential([Dense(4, activation="relu", name="hidden"), Dense(2, name="out")], input_shape=(3,))
    model.compile("adam", "softmax_cross_entropy", ["accuracy"])
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    history = model.fit(x, y, epochs=3, batch_size=8, validation_data=(x, y), verbose=0,
                        callbacks=[TensorBoard(tmp_path, histogram_freq=1)])
    events = read(tmp_path)
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(events.Tags()["scalars"])
    assert [e.value for e in events.Scalars("val_loss")] == pytest.approx(history.history["val_loss"])
    assert "hidden/kernel" in events.Tags()["histograms"] and len(events.Histograms("out/bias")) == 3
