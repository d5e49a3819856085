"""Hostile .tlet files: every malformed input is rejected with a FormatError that says what is wrong."""
import copy
import struct

import flatbuffers
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.writer import encode, model_to_dict, to_bytes
from tensorlet.errors import FormatError
from tensorlet.fbs import Model as FbModel
from tensorlet.fbs import Tensor as FbTensor


def conv_model() -> ir.Model:
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, (4, 3, 3, 2)).astype(np.int8)
    b = rng.integers(-100, 100, 4).astype(np.int32)
    model = single_op_model(ir.OpCode.CONV_2D, [act("x", (1, 6, 6, 2), 0.1, 3), const("w", w, [0.01] * 4, 0, 0),
                                                const("b", b)],
                            act("y", (1, 4, 4, 4), 0.2, -1), ir.Conv2DOptions(activation=ir.Activation.RELU))
    model.metadata = ir.Metadata(description="hostile", labels=["a", "b"], extra={"k": "v"})
    return model


@pytest.fixture(scope="module")
def good() -> bytes:
    return to_bytes(conv_model())


def rejected(data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        from_bytes(data)


def mutated(change) -> bytes:
    """Encode the conv model's dicts after `change(root)` edits them, with no validation on the way."""
    root = model_to_dict(conv_model())
    root = copy.deepcopy(root)
    change(root)
    return encode(root)


def test_the_good_file_loads(good):
    model = from_bytes(good)
    assert model.operators[0].opcode == ir.OpCode.CONV_2D
    assert model.metadata.labels == ["a", "b"]


def test_every_truncation_is_rejected(good):
    for length in range(len(good)):
        with pytest.raises(FormatError):
            from_bytes(good[:length])


def test_wrong_identifier(good):
    rejected(good[:4] + b"TFL3" + good[8:], r"identifier is b'TFL3', expected b'TLET'")


@pytest.mark.parametrize("version", [0, 2, 0xFFFFFFFF])
def test_wrong_version(version):
    rejected(mutated(lambda r: r.update(version=version)), f"format version {version} is not supported")


def test_root_offset_past_the_end(good):
    rejected(struct.pack("<I", len(good) + 100) + good[4:], "points past the end")


def test_vtable_offset_outside_the_file(good):
    root = struct.unpack_from("<I", good, 0)[0]
    data = bytearray(good)
    struct.pack_into("<i", data, root, -(1 << 30))
    rejected(bytes(data), "vtable of Model.*outside the file")


def test_tensor_index_out_of_range():
    rejected(mutated(lambda r: r["operators"][0]["inputs"].__setitem__(1, 99)),
             "operator 0 .CONV_2D. input 1 refers to tensor 99, but the model has 4 tensors")
    rejected(mutated(lambda r: r.update(outputs=[-5])), "model output refers to tensor -5")


def test_buffer_index_out_of_range():
    rejected(mutated(lambda r: r["tensors"][1].update(buffer=7)), "refers to buffer 7, but the file has 2 buffers")


def test_buffer_size_disagrees_with_shape():
    rejected(mutated(lambda r: r["tensors"][1].update(shape=[4, 3, 3, 3])), "holds 72 bytes")


def test_overlapping_live_tensors():
    def overlap(root):
        root["tensors"][3]["arena_offset"] = root["tensors"][0]["arena_offset"]
    rejected(mutated(overlap), "live at the same time but overlap in the arena")


def test_activation_past_the_arena():
    rejected(mutated(lambda r: r.update(arena_bytes=64)), r"past arena_bytes 64")


def test_unknown_opcode():
    rejected(mutated(lambda r: r["operators"][0].update(opcode=999)), "operator 0 opcode has unknown value 999")


def test_unknown_options_type(good):
    bad = mutated(lambda r: r["operators"][0].update(options=("PadOptions", {"paddings": [0] * 8})))
    rejected(bad, r"has options PadOptions, expected Conv2DOptions")


def test_unknown_dtype_and_bad_shape():
    rejected(mutated(lambda r: r["tensors"][0].update(dtype=42)), "dtype has unknown value 42")
    rejected(mutated(lambda r: r["tensors"][0].update(shape=[1, -6, 6, 2])), "every dimension must be >= 1")


def test_bad_quantization():
    rejected(mutated(lambda r: r["tensors"][0]["quantization"].update(scale=[0.0])), "scales must be finite")
    rejected(mutated(lambda r: r["tensors"][0]["quantization"].update(zero_point=[300])), "outside the INT8 range")
    rejected(mutated(lambda r: r["tensors"][1]["quantization"].update(axis=9)), "quantized along axis 9")


def test_bad_quant_params():
    rejected(mutated(lambda r: r["operators"][0]["quant_params"].update(output_shift=[40] * 4)),
             r"shift 40 is outside \[-31, 31\]")
    rejected(mutated(lambda r: r["operators"][0]["quant_params"].update(output_multiplier=[1])),
             "output_multiplier has 1 entries, expected 4")


def test_dataflow_violations():
    rejected(mutated(lambda r: r.update(inputs=[3])), "reads tensor 0 .'x'. before any operator writes it")
    rejected(mutated(lambda r: r["operators"][0].update(outputs=[1])), "writes constant tensor 1")
    rejected(mutated(lambda r: r["operators"][0].update(inputs=[0])), "has 1 inputs, expected 2..3")


def test_string_not_utf8(good):
    name_at = good.index(b"hostile")
    data = bytearray(good)
    data[name_at] = 0xFF
    rejected(bytes(data), "not valid UTF-8")


def test_aliased_offsets_cannot_blow_up_decoding():
    """5,000 tensor entries all pointing at one tensor with a 2,000-entry shape: rejected by the work budget."""
    builder = flatbuffers.Builder(0)
    shape = builder.CreateNumpyVector(np.ones(2000, np.int32))
    FbTensor.Start(builder)
    FbTensor.AddShape(builder, shape)
    tensor = FbTensor.End(builder)
    builder.StartVector(4, 5000, 4)
    for _ in range(5000):
        builder.PrependUOffsetTRelative(tensor)
    tensors = builder.EndVector()
    FbModel.Start(builder)
    FbModel.AddVersion(builder, 1)
    FbModel.AddTensors(builder, tensors)
    builder.Finish(FbModel.End(builder), file_identifier=b"TLET")
    data = bytes(builder.Output())
    rejected(data + bytes(-len(data) % 16), "decoding budget exceeded")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_corruption_never_crashes(good, data):
    """Flip up to 8 random bytes: the reader either returns a valid model or raises FormatError."""
    buf = bytearray(good)
    for _ in range(data.draw(st.integers(1, 8))):
        buf[data.draw(st.integers(0, len(buf) - 1))] = data.draw(st.integers(0, 255))
    try:
        from_bytes(bytes(buf))
    except FormatError:
        pass


def test_scalar_output_of_a_matrix_op_is_a_format_error():
    rejected(mutated(lambda r: r["tensors"][3].update(shape=[])), "operator 0 .CONV_2D.")
    def fc_scalar(root):
        root["operators"][0]["opcode"] = int(ir.OpCode.FULLY_CONNECTED)
        root["operators"][0]["options"] = ("FullyConnectedOptions", {"activation": 0})
        root["tensors"][1]["shape"] = [4, 18]
        root["tensors"][3]["shape"] = []
    rejected(mutated(fc_scalar), "operator 0 .FULLY_CONNECTED.")
