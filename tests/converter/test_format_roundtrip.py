"""Format round trip: IR -> .tlet -> IR is lossless for every op kind, random graphs and random metadata."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from op_cases import cases
from support import act, const
from tensorlet.converter import ir
from tensorlet.converter.fbs_decode import decode
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.reference.ops import OPS
from tensorlet.converter.writer import to_bytes
from tensorlet.fbs.Model import Model as FbModel

CASES = list(cases())


def f32(value):
    """Floats as float32 stores them, so IR values compare with what a file can hold."""
    if isinstance(value, float):
        return float(np.float32(value))
    if isinstance(value, (list, tuple)):
        return type(value)(f32(v) for v in value)
    if isinstance(value, dict):
        return {k: f32(v) for k, v in value.items()}
    return value


def assert_same_model(a: ir.Model, b: ir.Model) -> None:
    assert len(a.tensors) == len(b.tensors)
    for ta, tb in zip(a.tensors, b.tensors):
        assert (ta.name, tuple(ta.shape), ta.dtype, ta.arena_offset) == (tb.name, tuple(tb.shape), tb.dtype,
                                                                         tb.arena_offset)
        qa = None if ta.quantization is None else f32(dataclasses.asdict(ta.quantization))
        qb = None if tb.quantization is None else dataclasses.asdict(tb.quantization)
        assert qa == qb
        assert (ta.data is None) == (tb.data is None)
        if ta.data is not None:
            assert ta.data.dtype == tb.data.dtype
            np.testing.assert_array_equal(ta.data, tb.data)
    for oa, ob in zip(a.operators, b.operators):
        assert (oa.opcode, list(oa.inputs), list(oa.outputs)) == (ob.opcode, list(ob.inputs), list(ob.outputs))
        assert type(oa.options) is type(ob.options)
        if oa.options is not None:
            assert f32(dataclasses.asdict(oa.options)) == dataclasses.asdict(ob.options)
        assert oa.quant_params == ob.quant_params
    assert (a.inputs, a.outputs, a.arena_bytes, a.version) == (b.inputs, b.outputs, b.arena_bytes, b.version)
    assert f32(dataclasses.asdict(a.metadata)) == dataclasses.asdict(b.metadata)


def test_catalog_covers_every_opcode_in_both_dtypes():
    seen = {(model.operators[0].opcode, case_id.endswith("int8")) for case_id, model, _ in CASES}
    assert {op for op, _ in seen} == set(ir.OpCode) == set(OPS)
    assert {op for op, int8 in seen if int8} == set(ir.OpCode) - {ir.OpCode.LAYER_NORM}


@pytest.mark.parametrize("case_id,model,inputs", CASES, ids=[c[0] for c in CASES])
def test_roundtrip_every_op(case_id, model, inputs):
    data = to_bytes(model)
    back = from_bytes(data)
    assert_same_model(model, back)
    assert to_bytes(back) == data                      # the encoding is a function of the model
    for a, b in zip(run(model, inputs), run(back, inputs)):
        np.testing.assert_array_equal(a, b)


def test_generated_bindings_read_what_the_writer_wrote():
    """The committed flatc bindings and our safe decoder see the same file."""
    case_id, model, _ = CASES[0]
    data = to_bytes(model)
    fb = FbModel.GetRootAs(data, 0)
    assert FbModel.ModelBufferHasIdentifier(data, 0)
    assert fb.Version() == 1 and fb.TensorsLength() == len(model.tensors)
    assert fb.Tensors(0).Name().decode() == model.tensors[0].name
    assert fb.Operators(0).Opcode() == model.operators[0].opcode
    assert fb.ArenaBytes() == model.arena_bytes == decode(data)["arena_bytes"]


def test_constant_buffers_are_16_byte_aligned_and_shared():
    w = np.arange(16, dtype=np.float32).reshape(4, 4)
    tensors = [act("x", (1, 4)), const("w1", w), const("w2", w.copy()), act("h", (1, 4)), act("y", (1, 4))]
    ops = [ir.Operator(ir.OpCode.FULLY_CONNECTED, [0, 1], [3], ir.FullyConnectedOptions()),
           ir.Operator(ir.OpCode.FULLY_CONNECTED, [3, 2], [4], ir.FullyConnectedOptions())]
    model = ir.Model(tensors, ops, [0], [4])
    apply_plan(model)
    data = to_bytes(model)
    root = decode(data)
    assert len(root["buffers"]) == 1                                   # identical weights stored once
    raw = root["buffers"][0]["data"]
    offset = raw.__array_interface__["data"][0] - np.frombuffer(data, np.uint8).__array_interface__["data"][0]
    assert offset % 16 == 0 and len(data) % 16 == 0


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def random_graphs(draw):
    """A random float chain of shape-preserving ops on [1,H,W,C] with random metadata."""
    h, w, c = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 5))
    shape = (1, h, w, c)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    tensors = [ir.Tensor(draw(names), shape)]
    ops = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["relu", "tanh", "add", "mul", "conv1x1", "leaky", "softmax"]))
        prev = len(tensors) - 1
        if kind in ("add", "mul"):
            tensors.append(const(draw(names), rng.standard_normal(c).astype(np.float32)))
            ins, opcode = [prev, len(tensors) - 1], ir.OpCode.ADD if kind == "add" else ir.OpCode.MUL
            options = ir.BinaryOptions(activation=draw(st.sampled_from(list(ir.Activation))))
        elif kind == "conv1x1":
            tensors.append(const(draw(names), rng.standard_normal((c, 1, 1, c)).astype(np.float32)))
            ins, opcode, options = [prev, len(tensors) - 1, -1], ir.OpCode.CONV_2D, ir.Conv2DOptions()
        else:
            opcode, options = {"relu": (ir.OpCode.RELU, None), "tanh": (ir.OpCode.TANH, None),
                               "leaky": (ir.OpCode.LEAKY_RELU, ir.LeakyReluOptions(alpha=draw(st.floats(0, 1)))),
                               "softmax": (ir.OpCode.SOFTMAX, ir.SoftmaxOptions(beta=draw(st.floats(0.1, 4))))}[kind]
            ins = [prev]
        tensors.append(ir.Tensor(draw(names), shape))
        ops.append(ir.Operator(opcode, ins, [len(tensors) - 1], options))
    meta = ir.Metadata(producer=draw(names), producer_version=draw(names), description=draw(names),
                       input_names=[draw(names)], output_names=[draw(names)],
                       labels=draw(st.lists(names, max_size=4)),
                       preprocessing=draw(st.none() | st.builds(
                           ir.Preprocessing, scale=st.floats(1e-3, 10), mean=st.lists(st.floats(-1, 1), max_size=3),
                           std=st.lists(st.floats(0.1, 2), max_size=3), layout=st.sampled_from(["", "NHWC", "NCHW"]))),
                       extra=draw(st.dictionaries(names, names, max_size=3)))
    model = ir.Model(tensors, ops, [0], [len(tensors) - 1], meta)
    apply_plan(model)
    return model, rng.standard_normal(shape).astype(np.float32)


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_roundtrip_random_graphs(graph):
    model, x = graph
    back = from_bytes(to_bytes(model))
    assert_same_model(model, back)
    np.testing.assert_array_equal(run(model, x)[0], run(back, x)[0])
