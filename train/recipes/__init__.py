"""Recipes behind `tensorlet train NAME`: each trains a model on real data to a stated held-out accuracy and
exports it as ONNX."""
from .digits import DIGITS_MLP
from .fashion import FASHION_CNN
from .mnist import MNIST_CNN, MNIST_MLP
from .recipe import Recipe, RecipeResult, run_recipe

RECIPES: dict[str, Recipe] = {r.name: r for r in (MNIST_CNN, MNIST_MLP, FASHION_CNN, DIGITS_MLP)}

__all__ = ["RECIPES", "Recipe", "RecipeResult", "run_recipe"]
