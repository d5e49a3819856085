"""Models: the functional Model (Input, layer calls, Model(inputs, outputs)) and Sequential, with Keras-like
compile/fit/evaluate/predict, checkpoints and ONNX export."""
from .checkpoint import CheckpointError
from .model import Model, NotCompiledError
from .sequential import Sequential

__all__ = ["CheckpointError", "Model", "NotCompiledError", "Sequential"]
