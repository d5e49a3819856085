"""`tensorlet train`: a recipe trains to its target, reports the held-out accuracy and writes ONNX that onnxruntime
runs; a missing dataset is one line on stderr naming the command that installs it."""
import numpy as np
import onnx
import pytest

from tensorlet.cli import main
from tensorlet.train.recipes import RECIPES


def test_digits_recipe_reaches_its_target_and_exports(tmp_path, capsys):
    import onnxruntime as ort

    path = tmp_path / "digits.onnx"
    assert main(["train", "digits-mlp", "-o", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy ")[1].split("%")[0]) / 100
    assert accuracy >= RECIPES["digits-mlp"].target and "reached" in out and f"wrote {path}" in out
    onnx.checker.check_model(onnx.load(path))
    from tensorlet.train.recipes.digits import load
    _, (x_test, y_test) = load(None)
    session = ort.InferenceSession(str(path))
    logits = session.run(None, {session.get_inputs()[0].name: x_test})[0]
    assert (logits.argmax(axis=1) == y_test).mean() == pytest.approx(accuracy, abs=5e-5)  # printed to 0.01%


@pytest.mark.parametrize("recipe, hint", [("mnist-cnn", "make mnist-data"),
                                          ("fashion-cnn", "apt-get install dataset-fashion-mnist")])
def test_missing_dataset_names_the_install_command(tmp_path, capsys, recipe, hint):
    assert main(["train", recipe, "--data", str(tmp_path / "absent"), "-o", str(tmp_path / "m.onnx")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tensorlet train: error:") and hint in err and "\n" not in err
    assert not (tmp_path / "m.onnx").exists()


def test_recipes_are_listed():
    assert set(RECIPES) == {"mnist-cnn", "mnist-mlp", "fashion-cnn", "digits-mlp"}
    assert all(0.9 <= r.target < 1 and r.epochs > 0 for r in RECIPES.values())
    assert np.isclose(RECIPES["mnist-cnn"].target, 0.985)
