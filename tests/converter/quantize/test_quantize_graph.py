"""Graph-level rules of quantize_model: shared and fixed quantization, CONCATENATION merging or requantizing,
float-only LAYER_NORM, io modes and names, kernel scale limits, float16 weights, progress callbacks."""
import numpy as np
import pytest

from quant_graphs import Graph, by_name, opcodes, params, samples
from tensorlet.converter import ir
from tensorlet.converter.quantize import quantize_float16, quantize_model
from tensorlet.converter.quantize.params import dequantize_array
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import UnsupportedOpError

OpCode = ir.OpCode


def conv(g: Graph, x: str, out: str, channels_in: int, channels_out: int, seed: int, shape) -> str:
    rng = np.random.default_rng(seed)
    w = g.const(f"{out}_w", rng.standard_normal((channels_out, 3, 3, channels_in)) * 0.3)
    b = g.const(f"{out}_b", rng.standard_normal(channels_out) * 0.1)
    g.act(out, shape)
    return g.op(OpCode.CONV_2D, [x, w, b], out, ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1))


def concat_model(extra_consumer: bool) -> ir.Model:
    """x -> conv a, conv b (b scaled up) -> concat; optionally `a` also feeds a RELU that is a model output."""
    g = Graph()
    g.act("x", (1, 4, 4, 2))
    conv(g, "x", "a", 2, 3, 0, (1, 4, 4, 3))
    conv(g, "x", "b0", 2, 3, 1, (1, 4, 4, 3))
    g.const("ten", np.full((1, 1, 1, 3), 10.0))
    g.act("b", (1, 4, 4, 3))
    g.op(OpCode.MUL, ["b0", "ten"], "b", ir.BinaryOptions())
    g.act("y", (1, 4, 4, 6))
    g.op(OpCode.CONCATENATION, ["a", "b"], "y", ir.ConcatenationOptions(axis=3))
    outputs = ["y"]
    if extra_consumer:
        g.act("r", (1, 4, 4, 3))
        g.op(OpCode.RELU, ["a"], "r")
        outputs.append("r")
    return g.model(["x"], outputs)


def test_concat_inputs_with_no_other_consumer_share_its_quantization():
    model = concat_model(extra_consumer=False)
    q = quantize_model(model, samples(model, 8))
    assert "QUANTIZE" not in opcodes(q)[1:]                      # only the input QUANTIZE
    assert params(q, "a") == params(q, "b") == params(q, "y/int8")


def test_concat_input_used_elsewhere_is_requantized():
    model = concat_model(extra_consumer=True)
    cal = samples(model, 8)
    q = quantize_model(model, cal)
    assert opcodes(q).count("QUANTIZE") == 2                     # the model input, then a/requantized
    assert params(q, "a/requantized") == params(q, "y/int8") == params(q, "b")
    assert params(q, "a")[0] < params(q, "y/int8")[0] / 3        # `a` keeps its own, finer scale for the RELU
    concat = next(op for op in q.operators if op.opcode == OpCode.CONCATENATION)
    assert q.tensors[concat.inputs[0]].name == "a/requantized"
    f, y = run(model, cal[0]), run(q, cal[0])
    assert np.abs(y[0] - f[0]).max() < 2 * params(q, "y/int8")[0]
    assert np.abs(y[1] - f[1]).max() < 2 * params(q, "r/int8")[0]


def test_concat_with_a_fixed_softmax_input_and_a_constant():
    g = Graph()
    g.act("x", (2, 5))
    g.act("p", (2, 5))
    g.op(OpCode.SOFTMAX, ["x"], "p", ir.SoftmaxOptions(beta=1.0))
    g.act("h", (2, 5))
    g.op(OpCode.RELU, ["x"], "h")
    g.const("c", np.array([[3.0, -1.0], [0.5, 2.0]]))
    g.act("y", (2, 12))
    g.op(OpCode.CONCATENATION, ["p", "h", "c"], "y", ir.ConcatenationOptions(axis=1))
    model = g.model(["x"], ["y"])
    cal = samples(model, 8)
    q = quantize_model(model, cal)
    assert params(q, "p") == pytest.approx((1 / 256, -128))     # fixed by SOFTMAX, so requantized for the concat
    assert params(q, "p/requantized") == params(q, "y/int8") == params(q, "h")
    c = by_name(q, "c")
    assert c.dtype == ir.DType.INT8 and c.is_constant and params(q, "c") == params(q, "y/int8")
    assert np.abs(run(q, cal[0])[0] - run(model, cal[0])[0]).max() < 1.5 * params(q, "y/int8")[0]


def test_shared_ops_take_their_input_quantization():
    g = Graph()
    g.act("x", (1, 6, 6, 2))
    conv(g, "x", "c", 2, 4, 0, (1, 6, 6, 4))
    g.act("m", (1, 3, 3, 4))
    g.op(OpCode.MAX_POOL_2D, ["c"], "m", ir.Pool2DOptions(filter_h=2, filter_w=2, stride_h=2, stride_w=2))
    g.act("r", (1, 36))
    g.op(OpCode.RESHAPE, ["m"], "r")
    g.act("p", (1, 40))
    g.op(OpCode.PAD, ["r"], "p", ir.PadOptions(paddings=(0, 0, 2, 2)))
    model = g.model(["x"], ["p"])
    q = quantize_model(model, samples(model, 4), io="int8")
    assert params(q, "c") == params(q, "m") == params(q, "r") == params(q, "p")
    assert opcodes(q) == ["CONV_2D", "MAX_POOL_2D", "RESHAPE", "PAD"]


def test_fixed_outputs_and_conv_weights_and_bias():
    g = Graph()
    g.act("x", (1, 4, 4, 2))
    conv(g, "x", "c", 2, 3, 0, (1, 4, 4, 3))
    for opcode, name, options in ((OpCode.LOGISTIC, "s", None), (OpCode.TANH, "t", None),
                                  (OpCode.LOG_SOFTMAX, "l", ir.SoftmaxOptions(beta=1.0))):
        g.act(name, (1, 4, 4, 3))
        g.op(opcode, ["c"], name, options)
    model = g.model(["x"], ["s", "t", "l"])
    q = quantize_model(model, samples(model, 4), io="int8")
    assert params(q, "s") == pytest.approx((1 / 256, -128))
    assert params(q, "t") == pytest.approx((1 / 128, 0))
    assert params(q, "l") == pytest.approx((16 / 256, 127))
    w, b = by_name(q, "c_w"), by_name(q, "c_b")
    assert w.dtype == ir.DType.INT8 and w.quantization.axis == 0 and set(w.quantization.zero_point) == {0}
    assert np.all(np.abs(w.data.reshape(3, -1)).max(axis=1) == 127)
    x_scale = params(q, "x")[0]
    assert b.dtype == ir.DType.INT32
    np.testing.assert_allclose(b.quantization.scale, np.float32(x_scale) * np.float32(w.quantization.scale),
                               rtol=1e-6)
    np.testing.assert_allclose(b.data * np.asarray(b.quantization.scale), by_name(model, "c_b").data, atol=1e-3)


def test_depthwise_weights_per_channel_along_axis_3():
    g = Graph()
    g.act("x", (1, 5, 5, 3))
    g.const("w", np.random.default_rng(0).standard_normal((1, 3, 3, 6)))
    g.act("y", (1, 5, 5, 6))
    g.op(OpCode.DEPTHWISE_CONV_2D, ["x", "w", None], "y",
         ir.DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, depth_multiplier=2))
    model = g.model(["x"], ["y"])
    q = quantize_model(model, samples(model, 4))
    w = by_name(q, "w")
    assert w.quantization.axis == 3 and len(w.quantization.scale) == 6
    assert np.all(np.abs(w.data.reshape(-1, 6)).max(axis=0) == 127)


def layer_norm_model() -> ir.Model:
    rng = np.random.default_rng(0)
    g = Graph()
    g.act("x", (2, 8))
    g.const("w1", rng.standard_normal((8, 8)) * 0.5)
    g.act("h", (2, 8))
    g.op(OpCode.FULLY_CONNECTED, ["x", "w1", None], "h", ir.FullyConnectedOptions())
    g.const("gamma", rng.uniform(0.5, 1.5, 8))
    g.act("n", (2, 8))
    g.op(OpCode.LAYER_NORM, ["h", "gamma", None], "n", ir.LayerNormOptions())
    g.const("w2", rng.standard_normal((4, 8)) * 0.5)
    g.act("y", (2, 4))
    g.op(OpCode.FULLY_CONNECTED, ["n", "w2", None], "y", ir.FullyConnectedOptions())
    return g.model(["x"], ["y"])


def test_layer_norm_stays_float_between_dequantize_and_quantize():
    model = layer_norm_model()
    cal = samples(model, 16)
    q = quantize_model(model, cal)
    assert opcodes(q) == ["QUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE", "LAYER_NORM", "QUANTIZE", "FULLY_CONNECTED",
                          "DEQUANTIZE"]
    assert by_name(q, "h").dtype == ir.DType.INT8 and by_name(q, "h/float").dtype == ir.DType.FLOAT32
    assert by_name(q, "n").dtype == ir.DType.FLOAT32 and by_name(q, "n/int8").dtype == ir.DType.INT8
    assert by_name(q, "gamma").dtype == ir.DType.FLOAT32
    f, y = run(model, cal[3])[0], run(q, cal[3])[0]
    assert np.abs(f - y).max() < 0.05 * np.abs(f).max()


def test_io_float_and_int8_keep_the_names_and_agree_exactly():
    model = layer_norm_model()
    cal = samples(model, 16)
    qf = quantize_model(model, cal, io="float")
    qi = quantize_model(model, cal, io="int8")
    for q, dtype in ((qf, ir.DType.FLOAT32), (qi, ir.DType.INT8)):
        assert [q.tensors[i].name for i in q.inputs] == ["x"] and [q.tensors[i].name for i in q.outputs] == ["y"]
        assert {q.tensors[i].dtype for i in q.inputs + q.outputs} == {dtype}
    assert by_name(qf, "x/int8").dtype == ir.DType.INT8 and by_name(qf, "y/int8").dtype == ir.DType.INT8
    x_scale, x_zp = params(qi, "x")
    y_scale, y_zp = params(qi, "y")
    assert (x_scale, x_zp) == params(qf, "x/int8")
    x_q = by_name(qf, "x/int8")
    from tensorlet.converter.quantize.params import quantize_array
    for sample in cal[:4]:
        expected = run(qf, sample)[0]
        got = dequantize_array(run(qi, [quantize_array(sample[0], x_scale, x_zp)])[0], y_scale, y_zp)
        np.testing.assert_array_equal(got, expected)
    assert x_q.arena_offset >= 0


def test_add_and_hard_swish_output_scales_widened_to_kernel_limits():
    g = Graph()
    g.act("a", (1, 64))
    g.const("k", np.full((1, 64), -0.9999999))
    g.act("b", (1, 64))
    g.op(OpCode.MUL, ["a", "k"], "b", ir.BinaryOptions())
    g.act("s", (1, 64))                                      # a + b = a * 1e-7: a tiny range next to large inputs
    g.op(OpCode.ADD, ["a", "b"], "s", ir.BinaryOptions())
    g.act("h", (1, 64))
    g.op(OpCode.HARD_SWISH, ["a"], "h")
    model = g.model(["a"], ["s", "h"])
    cal = [[np.float32(-3.0) + np.float32(0.004) * np.random.default_rng(k).random((1, 64), np.float32)]
           for k in range(4)]                                # a in [-3, -2.996]: hard_swish(a) ~ 0
    q = quantize_model(model, [[1000 * c[0]] for c in cal] + cal)
    a_scale, b_scale, s_scale = params(q, "a/int8")[0], params(q, "b")[0], params(q, "s/int8")[0]
    assert s_scale > 2 * max(a_scale, b_scale) / 2 ** 20
    q2 = quantize_model(model, cal)
    assert params(q2, "h/int8")[0] > params(q2, "a/int8")[0] / 128


def test_source_quantize_op_keeps_its_int8_output():
    g = Graph()
    g.act("x", (2, 9))
    g.act("r", (2, 9))
    g.op(OpCode.RELU, ["x"], "r")
    g.tensor(ir.Tensor("y", (2, 9), ir.DType.INT8, ir.Quantization([0.05], [-4])))
    g.op(OpCode.QUANTIZE, ["r"], "y")
    model = g.model(["x"], ["y"])
    cal = samples(model, 8)
    q = quantize_model(model, cal)
    assert opcodes(q) == ["QUANTIZE", "RELU", "QUANTIZE"]           # the last one requantizes int8 -> int8
    assert by_name(q, "y").dtype == ir.DType.INT8 and params(q, "y") == pytest.approx((0.05, -4))
    diff = run(q, cal[0])[0].astype(int) - run(model, cal[0])[0].astype(int)
    assert np.abs(diff).max() <= 1


def test_progress_callback_once_per_sample():
    model = layer_norm_model()
    calls = []

    class Bar:                                                      # what tqdm offers
        def update(self, n):
            calls.append(("bar", n))

    quantize_model(model, samples(model, 5), progress=lambda n: calls.append(("fn", n)))
    quantize_model(model, iter(samples(model, 3)), progress=Bar())
    assert calls == [("fn", 1)] * 5 + [("bar", 1)] * 3


def test_bad_arguments_and_unsupported_models():
    model = layer_norm_model()
    with pytest.raises(ValueError, match="calibration method"):
        quantize_model(model, samples(model, 2), method="kl")
    with pytest.raises(ValueError, match="io must be"):
        quantize_model(model, samples(model, 2), io="uint8")
    with pytest.raises(ValueError, match="no sample"):
        quantize_model(model, [])
    g = Graph()
    g.act("x", (1, 4))
    g.tensor(ir.Tensor("w", (2, 4), ir.DType.INT8, ir.Quantization([0.1], [0]), data=np.ones((2, 4), np.int8)))
    g.act("y", (1, 2))
    g.op(OpCode.FULLY_CONNECTED, ["x", "w", None], "y", ir.FullyConnectedOptions())
    hybrid = g.model(["x"], ["y"])
    with pytest.raises(UnsupportedOpError, match="float32 models"):
        quantize_model(hybrid, samples(hybrid, 2))


def test_float16_weights_behind_dequantize():
    model = layer_norm_model()
    h = quantize_float16(model)
    assert opcodes(h) == ["DEQUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE", "LAYER_NORM", "DEQUANTIZE",
                          "FULLY_CONNECTED"]
    assert {by_name(h, n).dtype for n in ("w1", "gamma", "w2")} == {ir.DType.FLOAT16}
    assert by_name(h, "w1/dequantized").dtype == ir.DType.FLOAT32 and h.metadata.extra["quantization"]
    back = from_bytes(to_bytes(h))
    for sample in samples(model, 4):
        np.testing.assert_allclose(run(back, sample)[0], run(model, sample)[0], rtol=2e-3, atol=2e-3)
    q = quantize_model(back, samples(model, 8))                      # int8 from a float16 model
    assert opcodes(q) == opcodes(quantize_model(model, samples(model, 8)))


def test_float16_constant_shared_by_two_consumers():
    g = Graph()
    g.act("x", (1, 3))
    g.const("c", np.array([[1.0, 2.0, 70000.0]]))
    g.act("a", (1, 3))
    g.op(OpCode.ADD, ["x", "c"], "a", ir.BinaryOptions())
    g.act("m", (1, 3))
    g.op(OpCode.MUL, ["a", "c"], "m", ir.BinaryOptions())
    model = g.model(["x"], ["m"])
    h = quantize_float16(model)
    assert opcodes(h) == ["DEQUANTIZE", "ADD", "DEQUANTIZE", "MUL"]
    assert by_name(h, "c").data[0, 2] == np.float16(65504)          # clipped to the float16 range
    assert sorted(t.name for t in h.tensors if t.name.startswith("c/")) == ["c/dequantized", "c/dequantized/2"]
