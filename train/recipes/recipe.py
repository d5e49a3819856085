"""Recipe: a dataset, a model and a training schedule that reach a stated test accuracy; run_recipe trains it,
measures the held-out accuracy and exports ONNX."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..data.augment import Augment
from ..model.model import Model
from ..optim import Adam, CosineDecay
from ..seeding import set_seed

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Recipe:
    """load(data_dir or None for the default place) -> ((x_train, y_train), (x_test, y_test)); build() -> Model
    (logits); Adam with a cosine decay from lr over all steps; augment applied to training batches."""

    name: str
    description: str
    load: Callable[[str | None], Split]
    build: Callable[[], Model]
    epochs: int
    batch_size: int
    lr: float
    target: float
    augment: Augment | None = None


@dataclass
class RecipeResult:
    """What a run measured: accuracy on the held-out test split, training time, sizes, the ONNX path."""

    recipe: Recipe
    test_accuracy: float
    train_seconds: float
    epochs: int
    train_samples: int
    test_samples: int
    parameters: int
    history: dict[str, list[float]]
    onnx_path: Path | None
    model: Model


def run_recipe(recipe: Recipe, output: str | Path | None = None, epochs: int | None = None,
               data_dir: str | None = None, seed: int = 0, verbose: int = 1) -> RecipeResult:
    """Train recipe (its epochs unless given) with seed, evaluate on its test split, export ONNX to output."""
    (x_train, y_train), (x_test, y_test) = recipe.load(data_dir)
    epochs = recipe.epochs if epochs is None else epochs
    set_seed(seed)
    model = recipe.build()
    steps = epochs * -(-len(x_train) // recipe.batch_size)
    model.compile(Adam(CosineDecay(recipe.lr, max(steps, 1))), "softmax_cross_entropy", ["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=recipe.batch_size, seed=seed, verbose=verbose,
                        validation_data=(x_test, y_test) if verbose else None, augment=recipe.augment)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(x_test, y_test)["accuracy"]
    path = None
    if output is not None:
        path = Path(output)
        model.export_onnx(path)
    return RecipeResult(recipe, accuracy, seconds, epochs, len(x_train), len(x_test), model.count_params(),
                        history.history, path, model)
