"""LAYER_NORM reference kernel: float against a direct formula, known answers, and int8 rejection."""
import numpy as np
import pytest

from support import act, const, run_through_file, single_op_model
from tensorlet.converter.ir import LayerNormOptions, OpCode
from tensorlet.errors import FormatError


def layer_norm_direct(x, gamma, beta, eps):
    """Per row of the last axis: (x - mean) / sqrt(population variance + eps) * gamma + beta."""
    out = np.empty(x.shape)
    for row in np.ndindex(x.shape[:-1]):
        v = x[row].astype(np.float64)
        out[row] = (v - v.mean()) / np.sqrt(np.var(v) + eps) * gamma + (0 if beta is None else beta)
    return out


def test_known_answer():
    # [1, 2, 3, 4]: mean 2.5, population variance 1.25 -> (x - 2.5) / sqrt(1.25) = +-1.3416, +-0.4472;
    # then * gamma [1, 2, 1, 1] + beta [0, 0, 0, 10].
    x = np.array([[1, 2, 3, 4]], np.float32)
    gamma, beta = np.array([1, 2, 1, 1], np.float32), np.array([0, 0, 0, 10], np.float32)
    model = single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4)), const("g", gamma), const("b", beta)],
                            act("y", (1, 4)), LayerNormOptions(epsilon=0.0))
    s = 1 / np.sqrt(1.25)
    np.testing.assert_allclose(run_through_file(model, x), [[-1.5 * s, -0.5 * s * 2, 0.5 * s, 1.5 * s + 10]],
                               rtol=1e-6)


@pytest.mark.parametrize("shape,eps,with_beta", [((3, 8), 1e-5, True), ((2, 5, 16), 1e-3, False), ((7,), 0.1, True)])
def test_matches_direct_formula(shape, eps, with_beta):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    gamma = rng.standard_normal(shape[-1]).astype(np.float32)
    beta = rng.standard_normal(shape[-1]).astype(np.float32) if with_beta else None
    model = single_op_model(OpCode.LAYER_NORM, [act("x", shape), const("g", gamma),
                                                const("b", beta) if with_beta else None],
                            act("y", shape), LayerNormOptions(epsilon=eps))
    got = run_through_file(model, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, layer_norm_direct(x, gamma, beta, float(np.float32(eps))), rtol=1e-5, atol=1e-6)


def test_epsilon_matters_for_flat_rows():
    # A constant row has variance 0: the output is beta, and epsilon keeps it finite.
    x = np.full((1, 4), 3.0, np.float32)
    model = single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4)), const("g", np.ones(4, np.float32)),
                                                const("b", np.arange(4, dtype=np.float32))],
                            act("y", (1, 4)), LayerNormOptions())
    np.testing.assert_array_equal(run_through_file(model, x), [[0, 1, 2, 3]])


def test_rejects_int8_and_bad_shapes():
    gamma = const("g", np.ones(4, np.float32))
    with pytest.raises(FormatError, match="LAYER_NORM is float only"):
        single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4), 0.1, 0), gamma], act("y", (1, 4), 0.1, 0),
                        LayerNormOptions())
    with pytest.raises(FormatError, match=r"gamma 'g' has shape \[4\], expected \[5\]"):
        single_op_model(OpCode.LAYER_NORM, [act("x", (1, 5)), gamma], act("y", (1, 5)), LayerNormOptions())
    with pytest.raises(FormatError, match=r"beta 'b' has shape \[3\], expected \[4\]"):
        single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4)), gamma, const("b", np.ones(3, np.float32))],
                        act("y", (1, 4)), LayerNormOptions())
    with pytest.raises(FormatError, match=r"output 'y' has shape \[1,5\], expected \[1,4\]"):
        single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4)), gamma], act("y", (1, 5)), LayerNormOptions())
    with pytest.raises(FormatError, match="epsilon"):
        single_op_model(OpCode.LAYER_NORM, [act("x", (1, 4)), gamma], act("y", (1, 4)),
                        LayerNormOptions(epsilon=-1.0))
