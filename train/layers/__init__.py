"""Keras-like layers over NCHW tensors, and the functional API's Input.

    x = Input((1, 28, 28))
    y = Conv2D(16, 3, padding="same", activation="relu")(x)
"""
from .activation import ACTIVATIONS, Activation
from .conv import Conv2D, DepthwiseConv2D, SeparableConv2D
from .conv_transpose import Conv2DTranspose
from .dense import Dense
from .dropout import Dropout
from .layer import Layer, LayerShapeError
from .merge import Add, Concatenate
from .normalization import BatchNorm, LayerNorm
from .pooling import AvgPool2D, GlobalAvgPool2D, MaxPool2D
from .reshaping import Flatten, Reshape
from .symbolic import Input, SymbolicTensor

__all__ = ["ACTIVATIONS", "Activation", "Add", "AvgPool2D", "BatchNorm", "Concatenate", "Conv2D", "Conv2DTranspose",
           "Dense", "DepthwiseConv2D", "Dropout", "Flatten", "GlobalAvgPool2D", "Input", "Layer", "LayerNorm",
           "LayerShapeError", "MaxPool2D", "Reshape", "SeparableConv2D", "SymbolicTensor"]
