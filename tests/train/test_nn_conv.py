"""conv2d and conv_transpose2d (stride, padding forms, dilation, groups, depthwise, output_padding) against PyTorch."""
import numpy as np
import pytest
import torch.nn.functional as TF

from tensorlet.train import Tensor, functional as F

from autodiff_checks import check_grads, check_torch

CONV_CASES = [  # (x shape, w shape, bias, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"stride": 2, "padding": 1}),
    ((1, 2, 8, 9), (3, 2, 3, 2), False, {"stride": (1, 2), "padding": (1, 2), "dilation": 2}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"padding": "same"}),
    ((2, 2, 7, 6), (3, 2, 4, 2), True, {"padding": "same", "dilation": (2, 1)}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"padding": "valid", "stride": 2}),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((2, 4, 9, 8), (8, 1, 3, 3), True, {"groups": 4, "stride": 2, "padding": 1}),  # depthwise, multiplier 2
    ((2, 4, 5, 5), (4, 1, 3, 3), False, {"groups": 4, "padding": "same"}),          # depthwise
    ((3, 5, 4, 4), (2, 5, 1, 1), True, {}),
]


def _inputs(x_shape, w_shape, bias, out_channels=None, seed=0):
    """x, w and (when bias) b [out_channels, default w's first dim] as float64 arrays."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape) * 0.5]
    return arrays + ([rng.standard_normal(out_channels or w_shape[0])] if bias else [])


def _transpose_inputs(x_shape, w_shape, bias, groups=1):
    return _inputs(x_shape, w_shape, bias, out_channels=w_shape[1] * groups)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("x_shape, w_shape, bias, kwargs", CONV_CASES)
def test_conv2d_matches_torch(x_shape, w_shape, bias, kwargs):
    check_torch(lambda x, w, b=None: F.conv2d(x, w, b, **kwargs),
                lambda x, w, b=None: TF.conv2d(x, w, b, **kwargs), *_inputs(x_shape, w_shape, bias),
                rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("x_shape, w_shape, bias, kwargs", CONV_CASES[1:3] + CONV_CASES[6:8])
def test_conv2d_grads(x_shape, w_shape, bias, kwargs):
    small = (1,) + x_shape[1:2] + (5, 5)
    check_grads(lambda x, w, b=None: F.conv2d(x, w, b, **kwargs), *_inputs(small, w_shape, bias))


def test_conv2d_asymmetric_and_same_strided_padding():
    x, w, b = _inputs((2, 3, 7, 6), (4, 3, 3, 3), True)
    check_torch(lambda x, w, b: F.conv2d(x, w, b, padding=(0, 2, 1, 0)),
                lambda x, w, b: TF.conv2d(TF.pad(x, (1, 0, 0, 2)), w, b), x, w, b, rtol=1e-4, atol=1e-4)
    # "same" with stride 2 (ONNX SAME_UPPER): H 7 -> 4 needs pads (1, 1), W 6 -> 3 needs (0, 1)
    check_torch(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding="same"),
                lambda x, w, b: TF.conv2d(TF.pad(x, (0, 1, 1, 1)), w, b, stride=2), x, w, b, rtol=1e-4, atol=1e-4)


def test_conv2d_input_without_grad_and_shape_errors():
    x, w, b = _inputs((2, 3, 6, 6), (4, 3, 3, 3), True)
    weight = Tensor(w, requires_grad=True)
    F.conv2d(Tensor(x), weight, Tensor(b)).sum().backward()
    assert weight.grad.shape == w.shape
    with pytest.raises(ValueError):
        F.conv2d(Tensor(x), Tensor(np.zeros((4, 2, 3, 3))))
    with pytest.raises(ValueError):
        F.conv2d(Tensor(x), Tensor(w), padding="full")


TRANSPOSE_CASES = [  # (x shape, w shape, bias, kwargs)
    ((2, 3, 4, 5), (3, 4, 3, 3), True, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 3, 3), (4, 3, 3, 3), True, {"stride": 2, "groups": 2, "dilation": 2, "output_padding": 1}),
    ((1, 2, 4, 3), (2, 3, 2, 3), False, {"stride": (2, 3), "padding": (0, 1), "output_padding": (1, 2)}),
    ((2, 3, 5, 5), (3, 2, 3, 3), True, {}),
    ((2, 4, 4, 4), (4, 1, 3, 3), True, {"groups": 4, "stride": 2, "padding": 1, "output_padding": 1}),
]


@pytest.mark.parametrize("x_shape, w_shape, bias, kwargs", TRANSPOSE_CASES)
def test_conv_transpose2d_matches_torch(x_shape, w_shape, bias, kwargs):
    check_torch(lambda x, w, b=None: F.conv_transpose2d(x, w, b, **kwargs),
                lambda x, w, b=None: TF.conv_transpose2d(x, w, b, **kwargs),
                *_transpose_inputs(x_shape, w_shape, bias, kwargs.get("groups", 1)),
                rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("x_shape, w_shape, bias, kwargs", TRANSPOSE_CASES[:3])
def test_conv_transpose2d_grads(x_shape, w_shape, bias, kwargs):
    small = (1,) + x_shape[1:2] + (3, 3)
    check_grads(lambda x, w, b=None: F.conv_transpose2d(x, w, b, **kwargs),
                *_transpose_inputs(small, w_shape, bias, kwargs.get("groups", 1)))


def test_conv_transpose2d_asymmetric_padding():
    x, w, b = _transpose_inputs((2, 3, 4, 4), (3, 2, 3, 3), True)
    check_torch(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=(1, 0, 0, 2)),
                lambda x, w, b: TF.conv_transpose2d(x, w, b, stride=2)[:, :, 1:, :-2], x, w, b, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError):
        F.conv_transpose2d(Tensor(x), Tensor(w), padding="same")
