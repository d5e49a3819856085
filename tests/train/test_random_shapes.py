"""Random shapes and geometries (hypothesis): broadcasting binary ops, reductions, matmul, conv and pool vs PyTorch."""
import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from tensorlet.train import functional as F

from autodiff_checks import check_grads, check_torch

FAST = settings(max_examples=25, deadline=None)
BINARY = [(F.add, torch.add), (F.sub, torch.sub), (F.mul, torch.mul), (F.div, torch.div),
          (F.maximum, torch.maximum), (F.minimum, torch.minimum)]


@FAST
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), op=st.sampled_from(BINARY),
       seed=st.integers(0, 2 ** 16))
def test_binary_broadcasting(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes.input_shapes)
    b = np.sign(b) * (np.abs(b) + 0.5)
    check_grads(op[0], a, b)
    check_torch(*op, a, b)


@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data(),
       name=st.sampled_from(["sum", "mean", "max"]), keepdims=st.booleans())
def test_reductions(shape, data, name, keepdims):
    axes = tuple(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    theirs = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[name]
    check_grads(lambda t: getattr(F, name)(t, axes, keepdims), x)
    check_torch(lambda t: getattr(F, name)(t, axes, keepdims), lambda t: theirs(t, dim=axes, keepdim=keepdims), x)


@FAST
@given(n=st.integers(1, 3), k=st.integers(1, 5), m=st.integers(1, 4), batch=st.lists(st.integers(1, 3), max_size=2),
       one_d=st.sampled_from([None, "a", "b"]))
def test_matmul(n, k, m, batch, one_d):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    a = rng.standard_normal((k,) if one_d == "a" else tuple(batch) + (n, k))
    b = rng.standard_normal((k,) if one_d == "b" else (k, m))
    check_grads(F.matmul, a, b)
    check_torch(F.matmul, torch.matmul, a, b)


@st.composite
def conv_geometry(draw):
    groups = draw(st.integers(1, 3))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, dilation = draw(st.tuples(st.integers(1, 3), st.integers(1, 3))), draw(st.integers(1, 2))
    padding = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    h = draw(st.integers(dilation * (kh - 1) + 1, 9))
    w = draw(st.integers(dilation * (kw - 1) + 1, 9))
    return dict(x=(draw(st.integers(1, 2)), c, h, w), w=(o, c // groups, kh, kw), groups=groups, stride=stride,
                dilation=dilation, padding=padding)


@FAST
@given(g=conv_geometry(), bias=st.booleans())
def test_conv2d(g, bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(g["x"]), rng.standard_normal(g["w"])]
    arrays += [rng.standard_normal(g["w"][0])] if bias else []
    kwargs = {k: g[k] for k in ("stride", "padding", "dilation", "groups")}
    check_torch(lambda *t: F.conv2d(*t, **kwargs), lambda *t: TF.conv2d(*t, **kwargs), *arrays, rtol=1e-4, atol=1e-4)


@FAST
@given(g=conv_geometry(), data=st.data())
def test_conv_transpose2d(g, data):
    rng = np.random.default_rng(1)
    n, c, h, w = g["x"]
    o, _, kh, kw = g["w"]
    weight = rng.standard_normal((c, o // g["groups"], kh, kw))
    stride, dilation = g["stride"], g["dilation"]
    extra = tuple(data.draw(st.integers(0, max(s, dilation) - 1)) for s in stride)
    padding = tuple(min(p, dilation * (k - 1)) for p, k in zip(g["padding"], (kh, kw)))
    kwargs = dict(stride=stride, padding=padding, output_padding=extra, dilation=dilation, groups=g["groups"])
    x = rng.standard_normal((n, c, min(h, 5), min(w, 5)))
    check_torch(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs),
                lambda x, w, b: TF.conv_transpose2d(x, w, b, **kwargs), x, weight, rng.standard_normal(o),
                rtol=1e-4, atol=1e-4)


@FAST
@given(k=st.tuples(st.integers(1, 3), st.integers(1, 3)), s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       hw=st.tuples(st.integers(3, 9), st.integers(3, 9)), ceil_mode=st.booleans(), include_pad=st.booleans(),
       data=st.data())
def test_pools(k, s, data, ceil_mode, include_pad, hw):
    pad = tuple(data.draw(st.integers(0, kk // 2)) for kk in k)
    x = np.random.default_rng(2).standard_normal((2, 2) + hw)
    kwargs = dict(kernel_size=k, stride=s, padding=pad, ceil_mode=ceil_mode)
    check_torch(lambda t: F.max_pool2d(t, **kwargs), lambda t: TF.max_pool2d(t, **kwargs), x)
    check_torch(lambda t: F.avg_pool2d(t, count_include_pad=include_pad, **kwargs),
                lambda t: TF.avg_pool2d(t, count_include_pad=include_pad, **kwargs), x)


def test_small_cnn_chain_matches_torch():
    """Conv outputs are NCHW views over channel-major memory; the ops after them must not care."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((4, 3, 12, 12)), rng.standard_normal((8, 3, 3, 3)) * 0.3, rng.standard_normal(8),
              rng.standard_normal((8, 2, 3, 3)) * 0.3, rng.standard_normal(8), rng.standard_normal(8),
              rng.standard_normal(8), rng.standard_normal((8 * 3 * 3, 5)) * 0.2]

    def ours(x, w1, b1, w2, b2, gamma, beta, wd):
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)                            # [4, 8, 6, 6]
        h = F.batch_norm(F.conv2d(h, w2, b2, padding=1, groups=4), None, None, gamma, beta, training=True)
        h = F.avg_pool2d(F.gelu(h), 2)                                                          # [4, 8, 3, 3]
        return F.log_softmax(h.reshape(4, -1) @ wd)

    def theirs(x, w1, b1, w2, b2, gamma, beta, wd):
        h = TF.max_pool2d(TF.relu(TF.conv2d(x, w1, b1, padding=1)), 2)
        h = TF.batch_norm(TF.conv2d(h, w2, b2, padding=1, groups=4), None, None, gamma, beta, training=True)
        h = TF.avg_pool2d(TF.gelu(h), 2)
        return TF.log_softmax(h.reshape(4, -1) @ wd, -1)

    check_torch(ours, theirs, *arrays, rtol=1e-4, atol=1e-4)
