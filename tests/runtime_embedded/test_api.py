"""The C runtime's API: load/bind/invoke contracts, status codes and detail messages naming what failed, tensor
descriptions, several models at once, link-time op selection, the freestanding build, and the generated schema
header."""
import copy
import ctypes
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

import native
from native import NativeError, NativeModel, TlTensor, aligned_bytes
from op_cases import cases
from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.planner import apply_plan
from tensorlet.converter.validate import validate
from tensorlet.converter.writer import encode, model_to_dict, to_bytes

ROOT = native.ROOT
STATUS = {name: i for i, name in enumerate(
    ["OK", "ARGUMENT", "NOT_TLET", "FILE_LENGTH", "VERSION", "ALIGNMENT", "STRUCTURE", "TENSOR", "GRAPH", "OPERATOR",
     "UNSUPPORTED_OP", "LIMIT", "STATE", "ARENA_TOO_SMALL", "KERNEL"])}


def conv_model() -> ir.Model:
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, (4, 3, 3, 2)).astype(np.int8)
    b = rng.integers(-100, 100, 4).astype(np.int32)
    model = single_op_model(ir.OpCode.CONV_2D, [act("x", (1, 6, 6, 2), 0.1, 3), const("w", w, [0.01] * 4, 0, 0),
                                                const("b", b)],
                            act("y", (1, 4, 4, 4), 0.2, -1), ir.Conv2DOptions(activation=ir.Activation.RELU))
    model.metadata = ir.Metadata(description="hostile", labels=["a", "b"], extra={"k": "v"})
    return model


def mutated(change) -> bytes:
    root = copy.deepcopy(model_to_dict(conv_model()))
    change(root)
    return encode(root)


def load(lib, data: bytes, aligned: bool = True):
    """(status, detail, struct, file buffer) of tl_model_load on data."""
    buf = aligned_bytes(len(data) + 16)[0 if aligned else 1:][:len(data)]
    buf[:] = np.frombuffer(data, np.uint8)
    model = ctypes.create_string_buffer(lib.tl_model_struct_size())
    status = lib.tl_model_load(model, buf.ctypes.data, len(data))
    return status, lib.tl_model_detail(model).decode(), model, buf


def rejected(lib, data: bytes, status: str, match: str, step: str = "load") -> None:
    if step == "load":
        got, detail, _, _ = load(lib, data)
        assert (got, match in detail) == (STATUS[status], True), f"status {got}, detail {detail!r}"
        return
    with pytest.raises(NativeError) as e:
        NativeModel(lib, data)
    assert (e.value.step, e.value.status) == (step, STATUS[status]), str(e.value)
    assert match in e.value.detail, e.value.detail


def test_struct_layouts_match_the_binding(lib):
    assert ctypes.sizeof(TlTensor) == lib.tl_tensor_struct_size()
    assert lib.tl_model_struct_size() >= 192


def test_every_status_has_its_own_message(lib):
    messages = [lib.status_string(s) for s in range(len(STATUS))]
    assert messages[0] == "ok" and len(set(messages)) == len(messages) and all(messages)
    assert lib.status_string(999) == "unknown status"
    assert "no kernel" in lib.status_string(STATUS["UNSUPPORTED_OP"])


def test_dtype_names_and_sizes(lib):
    for dtype, np_dtype in ir.NUMPY_DTYPES.items():
        assert lib.tl_dtype_name(dtype).decode() == dtype.name
        assert lib.tl_dtype_size(dtype) == np_dtype.itemsize
    assert lib.tl_dtype_name(99) == b"?" and lib.tl_dtype_size(99) == 0


def test_file_level_rejections(lib):
    good = to_bytes(conv_model())
    rejected(lib, good[:4], "NOT_TLET", "too short")
    rejected(lib, good[:-8], "FILE_LENGTH", "multiple of 16")
    rejected(lib, good[:4] + b"TFL3" + good[8:], "NOT_TLET", "identifier")
    rejected(lib, struct.pack("<I", len(good) + 100) + good[4:], "STRUCTURE", "points past the end")
    status, detail, _, _ = load(lib, good, aligned=False)
    assert status == STATUS["ALIGNMENT"] and "16-byte aligned" in detail
    for version in (0, 2):
        rejected(lib, mutated(lambda r: r.update(version=version)), "VERSION", "format version")
    name_at = good.index(b"hostile")
    data = bytearray(good)
    data[name_at] = 0xFF
    rejected(lib, bytes(data), "STRUCTURE", "metadata.description: string is not valid UTF-8")


def test_tensor_rejections_name_the_tensor(lib):
    rejected(lib, mutated(lambda r: r["tensors"][1].update(buffer=7)), "TENSOR", "tensor 1 'w': refers to buffer 7")
    rejected(lib, mutated(lambda r: r["tensors"][1].update(shape=[4, 3, 3, 3])), "TENSOR", "tensor 1 'w': needs 108")
    rejected(lib, mutated(lambda r: r["tensors"][0].update(dtype=42)), "TENSOR", "dtype has unknown value 42")
    rejected(lib, mutated(lambda r: r["tensors"][0].update(shape=[1, -6, 6, 2])), "TENSOR", "dimension -6")
    rejected(lib, mutated(lambda r: r["tensors"][0]["quantization"].update(scale=[0.0])), "TENSOR", "finite and > 0")
    rejected(lib, mutated(lambda r: r["tensors"][0]["quantization"].update(zero_point=[300])), "TENSOR",
             "zero point 300")
    rejected(lib, mutated(lambda r: r["tensors"][1]["quantization"].update(axis=9)), "TENSOR", "axis 9")
    rejected(lib, mutated(lambda r: r.update(arena_bytes=64)), "TENSOR", "past arena_bytes 64")
    rejected(lib, mutated(lambda r: r["tensors"][0].update(shape=[1] * 9 + [6, 6, 2])), "LIMIT", "rank 12")


def test_operator_rejections_name_the_operator(lib):
    rejected(lib, mutated(lambda r: r["operators"][0].update(opcode=999)), "OPERATOR", "unknown value 999")
    rejected(lib, mutated(lambda r: r["operators"][0]["inputs"].__setitem__(1, 99)), "GRAPH",
             "operator 0 (CONV_2D): an input refers to tensor 99")
    rejected(lib, mutated(lambda r: r["operators"][0].update(outputs=[1])), "GRAPH", "writes constant tensor 1")
    rejected(lib, mutated(lambda r: r["operators"][0].update(inputs=[0])), "OPERATOR", "has 1 inputs")
    rejected(lib, mutated(lambda r: r["operators"][0].update(options=("PadOptions", {"paddings": [0] * 8}))),
             "OPERATOR", "has options of type 9")
    rejected(lib, mutated(lambda r: r["operators"][0]["quant_params"].update(output_shift=[40] * 4)), "OPERATOR",
             "operator 0 (CONV_2D): quant_params.output_shift is outside [-31, 31]")
    rejected(lib, mutated(lambda r: r["operators"][0]["quant_params"].update(output_multiplier=[1])), "OPERATOR",
             "output_multiplier has the wrong length")
    rejected(lib, mutated(lambda r: r["tensors"][3].update(shape=[1, 4, 2, 4])), "OPERATOR",
             "operator 0 (CONV_2D): tensor 3 'y' has a shape the op's rule does not give")
    rejected(lib, mutated(lambda r: r["operators"][0]["options"][1].update(activation=7)), "OPERATOR",
             "options field activation has an unknown value")
    rejected(lib, mutated(lambda r: r.update(outputs=[-5])), "GRAPH", "model output refers to a tensor")


def test_graph_rules_are_checked_at_bind(lib):
    """The graph-wide rules need memory proportional to the model: tl_model_bind checks them in the arena."""
    def overlap(root):
        root["tensors"][3]["arena_offset"] = root["tensors"][0]["arena_offset"]
    rejected(lib, mutated(overlap), "GRAPH", "live at the same time but overlap in the arena", step="bind")
    rejected(lib, mutated(lambda r: r.update(inputs=[3])), "GRAPH", "reads tensor 0 before any operator writes it",
             step="bind")
    rejected(lib, mutated(lambda r: r.update(outputs=[3, 3])), "GRAPH", "listed twice as a model output", step="bind")


def test_call_order_and_arena_contracts(lib):
    data = to_bytes(conv_model())
    status, _, model, file = load(lib, data)
    assert status == 0
    need = lib.tl_model_arena_size(model)
    assert need >= 16 * 2 + 64                                    # activations plus the runtime's tables
    arena = aligned_bytes(need + 16)
    assert lib.tl_model_invoke(model) == STATUS["STATE"]        # loaded, not bound
    assert lib.tl_model_bind(model, arena.ctypes.data + 1, need) == STATUS["ALIGNMENT"]
    assert lib.tl_model_bind(model, arena.ctypes.data, need - 1) == STATUS["ARENA_TOO_SMALL"]
    assert f"the model needs {need}" in lib.tl_model_detail(model).decode()
    assert lib.tl_model_bind(model, None, need) == STATUS["ARGUMENT"]
    assert lib.tl_model_bind(model, arena.ctypes.data, need) == 0
    assert lib.tl_model_invoke(model) == 0 and lib.tl_model_detail(model) == b""
    empty = ctypes.create_string_buffer(lib.tl_model_struct_size())
    assert lib.tl_model_load(empty, None, 0) == STATUS["ARGUMENT"]
    assert lib.tl_model_bind(empty, arena.ctypes.data, need) == STATUS["STATE"]
    assert lib.tl_model_arena_size(empty) == 0 and lib.tl_model_input_count(empty) == 0
    t = TlTensor()
    assert lib.tl_model_input(model, 1, ctypes.byref(t)) == STATUS["ARGUMENT"]
    assert lib.tl_model_set_input(model, 0, arena.ctypes.data, 5) == STATUS["ARGUMENT"]


def test_tensor_descriptions(lib):
    m = NativeModel(lib, to_bytes(conv_model()))
    (x,), (y,) = m.inputs, m.outputs
    assert (x.name, x.shape, x.dtype, x.bytes, x.scale, x.zero_point) == (b"x", (1, 6, 6, 2), 1, 72,
                                                                          np.float32(0.1), 3)
    assert (y.name, y.shape, y.elements, y.quant_count, y.quant_axis) == (b"y", (1, 4, 4, 4), 64, 1, -1)
    assert x.data == m.arena.ctypes.data + x.arena_offset and not x.is_constant
    assert (x.producer, y.producer, y.first_use, y.last_use) == (-2, 0, 0, 0)
    w = TlTensor()
    assert lib.tl_model_tensor(m.struct, 1, ctypes.byref(w)) == 0
    assert (w.name, w.is_constant, w.quant_count, w.arena_offset) == (b"w", 1, 4, -1)
    assert m.file.ctypes.data <= w.data < m.file.ctypes.data + m.file.size and w.data % 16 == 0
    assert [w.scales[i] for i in range(4)] == [np.float32(0.01)] * 4
    assert lib.tl_model_tensor_count(m.struct) == 4 and lib.tl_model_operator_count(m.struct) == 1


def test_several_models_at_once(lib):
    """Models share nothing: interleaved loads, binds and invokes give each model's own answers."""
    picked = {cid: (to_bytes(m), x) for cid, m, x in cases() if cid in ("conv_2d-int8", "softmax-float", "add-int8")}
    models = {cid: NativeModel(lib, data) for cid, (data, _) in picked.items()}
    expected = {cid: native.CtypesBackend()(data, x) for cid, (data, x) in picked.items()}
    for _ in range(2):
        for cid, m in models.items():
            for got, want in zip(m.run(picked[cid][1]), expected[cid]):
                np.testing.assert_array_equal(got, want)


def test_rebinding_to_another_arena(lib):
    data, x = next((to_bytes(m), x) for cid, m, x in cases() if cid == "depthwise_conv_2d-int8")
    m = NativeModel(lib, data)
    first = m.run(x)[0]
    other = aligned_bytes(m.arena_bytes)
    assert lib.tl_model_bind(m.struct, other.ctypes.data, other.size) == 0
    m.arena = other
    np.testing.assert_array_equal(m.run(x)[0], first)


def test_ctypes_binding_under_asan(builds, tmp_path):
    libasan = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(libasan):
        pytest.skip("gcc's libasan.so is not installed")
    script = (
        "import native\nfrom op_cases import cases\nfrom parity import assert_parity\n"
        "from tensorlet.converter.writer import to_bytes\n"
        "backend = native.CtypesBackend(native.BUILD / 'asan' / 'libtensorlet.so')\n"
        "for cid, m, x in cases():\n"
        "    if cid.startswith(('conv', 'depthwise', 'fully', 'softmax', 'average', 'gelu')):\n"
        "        assert_parity(to_bytes(m), x, backend, what=cid)\n"
        "print('ok')\n")
    env = dict(os.environ, LD_PRELOAD=libasan, ASAN_OPTIONS="detect_leaks=0",
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), str(ROOT / "tests" / "runtime_embedded")]))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-4000:]


def test_a_build_with_only_some_ops(builds, tmp_path):
    """-DTL_SELECT_OPS -DTL_USE_FULLY_CONNECTED links one kernel; other ops are rejected by name at load."""
    runtime = native.RUNTIME
    objs = [p for p in (native.BUILD / "linux" / "obj").rglob("*.o")
            if p.name != "tl_op_table.o" and p.parent.name != "linux"]
    exe = tmp_path / "tlrun_fc"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-DTL_SELECT_OPS",
                    "-DTL_USE_FULLY_CONNECTED", f"-I{runtime}/include", f"-I{runtime}/src",
                    str(runtime / "src" / "tl_op_table.c"), str(runtime / "ports" / "linux" / "tlrun.c"),
                    *map(str, objs), "-o", str(exe)], check=True)
    picked = {cid: (to_bytes(m), x) for cid, m, x in cases() if cid in ("fully_connected-int8", "conv_2d-int8")}
    for cid, (data, x) in picked.items():
        (tmp_path / "m.tlet").write_bytes(data)
        (tmp_path / "in.bin").write_bytes(b"".join(a.tobytes() for a in x))
        result = subprocess.run([str(exe), str(tmp_path / "m.tlet"), str(tmp_path / "in.bin"), str(tmp_path / "o")],
                                capture_output=True, text=True)
        if cid == "conv_2d-int8":
            assert result.returncode == STATUS["UNSUPPORTED_OP"]
            assert "operator 0: CONV_2D has no kernel in this build" in result.stderr
        else:
            assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("clang-16") is None or shutil.which("wasm-ld-16") is None,
                    reason="clang-16 and lld-16 are needed for the wasm32 freestanding build")
def test_the_core_builds_freestanding_for_wasm32(builds):
    native.build("freestanding")
    wasm = native.BUILD / "wasm32" / "tensorlet.wasm"
    assert wasm.read_bytes()[:4] == b"\0asm"


def test_runner_info(builds, tmp_path):
    (tmp_path / "m.tlet").write_bytes(to_bytes(conv_model()))
    result = subprocess.run([str(native.BUILD / "linux" / "tlrun"), "--info", str(tmp_path / "m.tlet")],
                            capture_output=True, text=True, check=True)
    assert "input 0 name=x dtype=INT8 shape=[1,6,6,2] bytes=72" in result.stdout
    assert "output 0 name=y dtype=INT8 shape=[1,4,4,4]" in result.stdout


def test_schema_header_is_generated_and_current(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "schemas" / "fbs_layout.py"), str(ROOT / "schemas" / "tensorlet.fbs"),
                    str(tmp_path / "layout.py"), str(tmp_path / "tl_schema.h")], check=True)
    committed = ROOT / "runtime_embedded" / "src" / "tl_schema.h"
    assert (tmp_path / "tl_schema.h").read_text() == committed.read_text(), \
        "run: python schemas/fbs_layout.py schemas/tensorlet.fbs tensorlet/fbs/layout.py runtime_embedded/src/tl_schema.h"
    assert (tmp_path / "layout.py").read_text() == (ROOT / "tensorlet" / "fbs" / "layout.py").read_text()
    header = committed.read_text()
    for op in ir.OpCode:
        assert f"TL_OP_{op.name} = {int(op)}," in header
    assert "#define TL_SLOT_OPERATOR_OPTIONS_TYPE 3" in header and "#define TL_SLOT_OPERATOR_OPTIONS 4" in header


def test_kernel_errors_where_the_reference_raises(lib):
    """int8 SOFTMAX over 600 equal values: the sum of exps reaches 512, which TFLite's kernel (and the reference)
    rejects; the runtime fails the invoke with TL_ERROR_KERNEL naming the operator."""
    from tensorlet.converter.reference import run
    from tensorlet.errors import TensorletError
    model = single_op_model(ir.OpCode.SOFTMAX, [act("x", (1, 600), 0.1, 0)], act("y", (1, 600), 1 / 256, -128),
                            ir.SoftmaxOptions(beta=1.0))
    x = np.zeros((1, 600), np.int8)
    with pytest.raises(TensorletError):
        run(model, [x])
    m = NativeModel(lib, to_bytes(model))
    with pytest.raises(NativeError) as e:
        m.run([x])
    assert (e.value.step, e.value.status) == ("invoke", STATUS["KERNEL"])
    assert e.value.detail.startswith("operator 0 (SOFTMAX): tensor 0 'x' has a row whose sum of exps")
    np.testing.assert_array_equal(m.run([np.arange(600).astype(np.int8).reshape(1, 600)])[0],
                                  run(model, [np.arange(600).astype(np.int8).reshape(1, 600)])[0])


def two_op_model() -> ir.Model:
    """x [1,6,6,2] -> CONV_2D (float) -> h -> LOGISTIC -> y: two operators, h an activation between them."""
    rng = np.random.default_rng(5)
    model = single_op_model(ir.OpCode.CONV_2D, [act("x", (1, 6, 6, 2)),
                                                const("w", rng.standard_normal((3, 3, 3, 2)).astype(np.float32)),
                                                None], act("h", (1, 4, 4, 3)), ir.Conv2DOptions())
    model.tensors.append(act("y", (1, 4, 4, 3)))
    model.operators.append(ir.Operator(ir.OpCode.LOGISTIC, [len(model.tensors) - 2], [len(model.tensors) - 1]))
    model.outputs = [len(model.tensors) - 1]
    apply_plan(model)
    validate(model)
    return model


def test_invoke_range_runs_operators_in_parts(lib):
    """tl_model_invoke_range over [0, 1) then [1, 2) gives what tl_model_invoke gives; empty ranges are fine, a range
    past the operator count is TL_ERROR_ARGUMENT and runs nothing."""
    m = NativeModel(lib, to_bytes(two_op_model()))
    x = np.random.default_rng(6).standard_normal((1, 6, 6, 2)).astype(np.float32)
    whole = m.run([x])[0]
    (y,) = m.outputs
    out = np.ctypeslib.as_array(ctypes.cast(y.data, ctypes.POINTER(ctypes.c_float)), (y.elements,))
    out[:] = 0.0  # (y may share x's bytes: x is dead once the conv has run; it is written again below)
    assert lib.tl_model_set_input(m.struct, 0, x.ctypes.data, x.nbytes) == 0
    assert lib.tl_model_invoke_range(m.struct, 0, 1) == 0 and lib.tl_model_invoke_range(m.struct, 1, 1) == 0
    assert lib.tl_model_invoke_range(m.struct, 2, 0) == 0
    np.testing.assert_array_equal(out.reshape(whole.shape), whole)
    out[:] = 0.0
    for first, count in ((0, 3), (1, 2), (3, 0), (2, 0xFFFFFFFF)):
        assert lib.tl_model_invoke_range(m.struct, first, count) == STATUS["ARGUMENT"], (first, count)
        assert "operator range" in m.detail
    assert not out.any()
