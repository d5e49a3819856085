"""The scikit-learn digits recipe: 1,797 8x8 scans, 80/20 split (seed 0), an MLP."""
from __future__ import annotations

from ..data.digits import load_digits
from ..data.split import train_val_split
from ..layers import Dense, Dropout
from ..model.sequential import Sequential
from .recipe import Recipe, Split


def load(data_dir: str | None) -> Split:
    """The bundled digits, [N, 64] in [0, 1], 1,438 train / 359 held out (data_dir is unused)."""
    x, y = load_digits()
    return train_val_split(x, y, 0.2, seed=0)


def build_mlp() -> Sequential:
    """[64] -> dense 128 -> 10 logits."""
    return Sequential([Dense(128, activation="relu", kernel_initializer="he_normal"), Dropout(0.1), Dense(10)],
                      input_shape=(64,))


DIGITS_MLP = Recipe("digits-mlp", "MLP on scikit-learn's 8x8 digits (1,438 train / 359 held out)", load, build_mlp,
                    epochs=30, batch_size=32, lr=3e-3, target=0.97)
