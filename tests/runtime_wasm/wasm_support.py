"""Helpers of the WebAssembly runtime tests: building runtime_wasm, the wasmtime backend (tensorlet.Runtime), the Node
backend (one node process runs a whole list of cases through tensorlet.js), the op cases that have a kernel in the
build, harder cases aimed at the SIMD128 kernels, and the MLPerf Tiny corpus as .tlet bytes."""
from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

# parity.py (THE comparison every backend goes through) lives with the C runtime's tests.
_EMBEDDED_TESTS = str(Path(__file__).resolve().parents[1] / "runtime_embedded")
if _EMBEDDED_TESTS not in sys.path:
    sys.path.append(_EMBEDDED_TESTS)

from op_cases import cases
from support import SHARED_CORPUS, act, const, single_op_model
from support import random_model_inputs as random_inputs, tflite_tlet as tlet  # noqa: F401 (for the tests)
from tensorlet.converter import ir
from tensorlet.converter.ir import Activation, OpCode
from tensorlet.converter.writer import to_bytes

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_WASM = ROOT / "runtime_wasm"
NODE_DIR = Path(__file__).resolve().parent / "node"
WASM = {True: RUNTIME_WASM / "tensorlet.wasm", False: RUNTIME_WASM / "tensorlet-nosimd.wasm"}
MLPERF = SHARED_CORPUS / "mlperf_tiny"
GOLDENS = SHARED_CORPUS / "goldens"
INT8_MODELS = ["kws/kws_ref_model.tflite", "vww/vww_96_int8.tflite", "ic/pretrainedResnet_quant.tflite",
               "ad/ad01_int8.tflite"]
FLOAT_MODELS = ["kws/kws_ref_model_float32.tflite", "vww/vww_96_float.tflite", "ic/pretrainedResnet.tflite",
                "ad/ad01_fp32.tflite"]
SIMD_FLAVOURS = [True, False]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless Chromium as ../shared/docs/toolchain.md says; the browser tests add --disable-gpu or --enable-unsafe-webgpu
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]


def build_reason() -> str | None:
    """Why runtime_wasm cannot be built here, or None."""
    for tool in ("make", "clang-16", "wasm-ld-16"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make apt installs clang-16 and lld-16)"
    return None


def build(*args: str) -> None:
    """make -C runtime_wasm [args]; RuntimeError with the output on failure."""
    result = subprocess.run(["make", "-s", "-C", str(RUNTIME_WASM), "-j2", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"building runtime_wasm failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def supported_opcodes(wasm: Path) -> set[str]:
    """Names of the opcodes with a kernel in the runtime module at `wasm` (asked from the module itself)."""
    import wasmtime

    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module.from_file(store.engine, str(wasm)), [])
    supported = instance.exports(store)["tlw_opcode_supported"]
    return {op.name for op in OpCode if supported(store, int(op))}


class WasmtimeBackend:
    """backend(model_bytes, inputs) -> outputs through tensorlet.Runtime (wasmtime), one flavour."""

    def __init__(self, simd: bool):
        self.simd = simd

    def __call__(self, model_bytes: bytes, inputs) -> list[np.ndarray]:
        from tensorlet.runtime import Runtime

        return Runtime(model_bytes, simd=self.simd).run_sample(inputs)


def node_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 18:
        return f"node {version} is older than 18"
    return None


def run_node_manifest(entries: list[tuple[str, bytes, list[list[np.ndarray]]]], options: dict, webgpu: bool = False,
                      timeout: int = 300, env: dict | None = None) -> dict[str, dict]:
    """Run every (id, model bytes, samples) through tensorlet.js in one node process (node/case_runner.mjs), each
    model loaded once with Tensorlet.load's `options` (webgpu: Dawn passed as options.gpu) and run on each sample (a
    list of input arrays): id -> { "outputs": a list (per sample) of lists of output arrays, "backend":
    model.backend, "report": model.backendReport }, or { "error": the message } when loading or a run rejected."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = []
        for k, (cid, data, samples) in enumerate(entries):
            (tmp / f"{k}.tlet").write_bytes(data)
            files = []
            for s, inputs in enumerate(samples):
                files.append([])
                for j, x in enumerate(inputs):
                    x = np.ascontiguousarray(x)
                    (tmp / f"{k}.{s}.in{j}").write_bytes(x.tobytes())
                    files[-1].append({"path": str(tmp / f"{k}.{s}.in{j}"), "dtype": x.dtype.name})
            manifest.append({"id": cid, "model": str(tmp / f"{k}.tlet"), "samples": files,
                             "outputs": str(tmp / f"{k}.out")})
        (tmp / "manifest.json").write_text(json.dumps({"options": options, "webgpu": webgpu, "cases": manifest}))
        result = subprocess.run(["node", str(NODE_DIR / "case_runner.mjs"), str(tmp / "manifest.json")],
                                capture_output=True, text=True, timeout=timeout, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"node runner failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        report = json.loads(result.stdout)
        out = {}
        for k, (cid, _, samples) in enumerate(entries):
            entry = report[cid]
            if "error" in entry:
                out[cid] = entry
                continue
            raw, at, per_sample = (tmp / f"{k}.out").read_bytes(), 0, []
            for _ in samples:
                arrays = []
                for o in entry["outputs"]:
                    dtype = np.dtype(o["dtype"])
                    n = int(np.prod(o["shape"], dtype=np.int64)) * dtype.itemsize
                    arrays.append(np.frombuffer(raw[at:at + n], dtype).reshape(o["shape"]).copy())
                    at += n
                per_sample.append(arrays)
            assert at == len(raw), f"{cid}: node wrote {len(raw)} bytes, expected {at}"
            out[cid] = {**entry, "outputs": per_sample}
        return out


def run_node_cases(entries: list[tuple[str, bytes, list[list[np.ndarray]]]], simd: bool) -> dict[str, object]:
    """run_node_manifest on the wasm backend (SIMD128 build or not): id -> a list (per sample) of lists of output
    arrays, or the error message (a str)."""
    return {cid: entry.get("error", entry.get("outputs"))
            for cid, entry in run_node_manifest(entries, {"simd": simd}).items()}


def page_report(site: Path, flags: list[str], profile: Path, timeout: float) -> dict:
    """Serve the folder `site` on 127.0.0.1, open its index.html in headless Chromium (`flags`, user data in
    `profile`) and return the JSON the page POSTs back (AssertionError when none comes within `timeout` s)."""
    reports: list = []
    done = threading.Event()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def do_POST(self):
            reports.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            done.set()

        def log_message(self, *args):
            pass

    Handler.extensions_map = {**Handler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = subprocess.Popen([CHROMIUM, *flags, f"--user-data-dir={profile}",
                                f"http://127.0.0.1:{server.server_address[1]}/index.html"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert done.wait(timeout), f"the page did not report within {timeout} s"
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        server.shutdown()
    return reports[0]


# ---- cases ----

def op_cases_with_kernel(supported: set[str]) -> list[tuple[str, bytes, list[np.ndarray]]]:
    """Every case of tests/op_cases.py whose op has a kernel in the build."""
    return [(cid, to_bytes(model), inputs) for cid, model, inputs in cases()
            if model.operators[0].opcode.name in supported]


FC_ONLY = "FULLY_CONNECTED"  # the one kernel of the subset build (fc_only_wasm)


def fc_only_wasm(directory: Path) -> Path:
    """A SIMD runtime linking only the FULLY_CONNECTED kernel (runtime_wasm's OPS=), built in `directory`."""
    build(f"BUILD={directory / 'build'}", f"OUT={directory}", f"OPS={FC_ONLY}", str(directory / "tensorlet.wasm"))
    return directory / "tensorlet.wasm"


def op_cases_without_kernel(supported: set[str]) -> list[tuple[str, bytes, list[np.ndarray]]]:
    return [(cid, to_bytes(model), inputs) for cid, model, inputs in cases()
            if model.operators[0].opcode.name not in supported]


def _int8(rng, shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


def _q(name, shape, scale, zp):
    return act(name, shape, scale, zp)


def simd_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """Cases aimed at the SIMD128 kernels' edges: channel counts off the 4/8 lane blocks, dot lengths off 8, odd
    pixel and row counts, 1x1 convs read in place, dilation and asymmetric padding, positive and deep right shifts,
    extreme int8 values, weights given at run time, NaN/inf/-0 floats."""
    rng = np.random.default_rng(2024)
    out = []

    def add(cid, model, inputs):
        out.append((cid, to_bytes(model), inputs))

    # CONV_2D: K = 3*3*5 = 45 (tail 5), 7 output channels (a block of 3), 5x5 = 25 pixels (odd), big left shift
    o = ir.Conv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, activation=Activation.RELU6)
    w = const("w", rng.integers(-128, 128, (7, 3, 3, 5)).astype(np.int8), rng.uniform(0.02, 0.09, 7), 0, 0)
    b = const("b", rng.integers(-30000, 30000, 7).astype(np.int32))
    add("conv_k45_c7_leftshift-int8", single_op_model(OpCode.CONV_2D, [_q("x", (1, 5, 5, 5), 0.5, -9), w, b],
                                                      _q("y", (1, 5, 5, 7), 0.01, 4), o), [_int8(rng, (1, 5, 5, 5))])
    # CONV_2D 1x1 stride 2 unpadded (read in place), batch 2, 12 channels, deep right shift
    o = ir.Conv2DOptions(stride_h=2, stride_w=2)
    w = const("w", rng.integers(-127, 128, (12, 1, 1, 16)).astype(np.int8), rng.uniform(1e-4, 3e-4, 12), 0, 0)
    add("conv_1x1_s2_deepshift-int8", single_op_model(OpCode.CONV_2D, [_q("x", (2, 7, 5, 16), 0.001, 17), w, None],
                                                      _q("y", (2, 4, 3, 12), 40.0, -2), o),
        [_int8(rng, (2, 7, 5, 16))])
    # CONV_2D dilated, stride 3, asymmetric pads, 3 input channels (kx by kx patch), extreme inputs
    o = ir.Conv2DOptions(stride_h=1, stride_w=3, dilation_h=2, dilation_w=2, pad_top=0, pad_bottom=3, pad_left=2,
                         pad_right=1)
    w = const("w", np.full((9, 3, 3, 3), -128, np.int8), 0.004, 0)
    x = np.full((1, 6, 7, 3), -128, np.int8)
    x[0, ::2] = 127
    add("conv_dilated_extreme-int8", single_op_model(OpCode.CONV_2D, [_q("x", (1, 6, 7, 3), 0.05, 127), w, None],
                                                     _q("y", (1, 5, 2, 9), 0.3, 0), o), [x])
    wf = const("w", rng.standard_normal((9, 3, 3, 3)).astype(np.float32))
    add("conv_dilated-float", single_op_model(OpCode.CONV_2D, [act("x", (1, 6, 7, 3)), wf, None],
                                              act("y", (1, 5, 2, 9)), o),
        [rng.standard_normal((1, 6, 7, 3)).astype(np.float32)])
    # DEPTHWISE: 12 channels (8 + 4 scalar), stride 2, dilation, pads; and 16 channels; float 6 channels (4 + 2)
    for channels in (12, 16):
        o = ir.DepthwiseConv2DOptions(stride_h=2, stride_w=1, dilation_h=1, dilation_w=2, pad_top=1, pad_bottom=1,
                                      pad_left=2, pad_right=2, activation=Activation.RELU)
        w = const("w", rng.integers(-128, 128, (1, 3, 3, channels)).astype(np.int8),
                  rng.uniform(0.001, 0.05, channels), 0, 3)
        b = const("b", rng.integers(-9000, 9000, channels).astype(np.int32))
        add(f"depthwise_c{channels}-int8",
            single_op_model(OpCode.DEPTHWISE_CONV_2D, [_q("x", (1, 9, 8, channels), 0.07, -128), w, b],
                            _q("y", (1, 5, 8, channels), 0.05, 20), o), [_int8(rng, (1, 9, 8, channels))])
    o = ir.DepthwiseConv2DOptions(pad_top=1, pad_bottom=1, pad_left=1, pad_right=1, activation=Activation.RELU6)
    wf = const("w", rng.standard_normal((1, 3, 3, 6)).astype(np.float32))
    bf = const("b", rng.standard_normal(6).astype(np.float32))
    add("depthwise_c6-float", single_op_model(OpCode.DEPTHWISE_CONV_2D, [act("x", (2, 4, 5, 6)), wf, bf],
                                              act("y", (2, 4, 5, 6)), o),
        [rng.standard_normal((2, 4, 5, 6)).astype(np.float32) * 3])
    # FULLY_CONNECTED: 3 rows (a pair and one), depth 20 (tail 4), 5 units; weights given at run time
    w = const("w", rng.integers(-128, 128, (5, 20)).astype(np.int8), rng.uniform(0.01, 0.05, 5), 0, 0)
    b = const("b", rng.integers(-5000, 5000, 5).astype(np.int32))
    add("fc_rows3_depth20-int8", single_op_model(OpCode.FULLY_CONNECTED, [_q("x", (3, 20), 0.2, -100), w, b],
                                                 _q("y", (3, 5), 0.4, 7), ir.FullyConnectedOptions()),
        [_int8(rng, (3, 20))])
    wa = _q("w", (6, 16), 0.03, 0)
    add("fc_runtime_weights-int8", single_op_model(OpCode.FULLY_CONNECTED, [_q("x", (2, 16), 0.1, 5), wa, None],
                                                   _q("y", (2, 6), 0.5, -1), ir.FullyConnectedOptions()),
        [_int8(rng, (2, 16)), rng.integers(-127, 128, (6, 16)).astype(np.int8)])
    wf = const("w", rng.standard_normal((5, 21)).astype(np.float32))
    add("fc_depth21-float", single_op_model(OpCode.FULLY_CONNECTED, [act("x", (3, 21)), wf, None], act("y", (3, 5)),
                                            ir.FullyConnectedOptions(activation=Activation.RELU)),
        [rng.standard_normal((3, 21)).astype(np.float32)])
    # ADD: same shapes with 13 elements (8 + 5), RELU; float with NaN, infinities and -0
    add("add_flat13-int8", single_op_model(OpCode.ADD, [_q("a", (1, 13), 0.02, -3), _q("b", (1, 13), 0.07, 100)],
                                           _q("y", (1, 13), 0.05, -20), ir.BinaryOptions(activation=Activation.RELU)),
        [_int8(rng, (1, 13)), _int8(rng, (1, 13))])
    add("add_flat_big-int8", single_op_model(OpCode.ADD, [_q("a", (2, 8, 8, 9), 0.9, -128), _q("b", (2, 8, 8, 9),
                                                                                                 0.001, 127)],
                                             _q("y", (2, 8, 8, 9), 0.004, 0), ir.BinaryOptions()),
        [_int8(rng, (2, 8, 8, 9)), _int8(rng, (2, 8, 8, 9))])
    fa = np.array([[np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -7.0, 3.0, 6.5, -0.0, 2.0]], np.float32)
    fb = np.array([[1.0, 1.0, 2.0, -0.0, -0.0, np.nan, 1.0, 3.5, -1.0, 0.0, -np.inf]], np.float32)
    add("add_specials-float", single_op_model(OpCode.ADD, [act("a", (1, 11)), act("b", (1, 11))], act("y", (1, 11)),
                                              ir.BinaryOptions(activation=Activation.RELU6)), [fa, fb])
    # AVERAGE_POOL: 11 channels (8 + 3), count_include_pad with padding, int8 and float
    o = ir.Pool2DOptions(filter_h=3, filter_w=3, stride_h=2, stride_w=2, pad_top=1, pad_bottom=1, pad_left=1,
                         pad_right=1, count_include_pad=True)
    add("avgpool_c11_pad-int8", single_op_model(OpCode.AVERAGE_POOL_2D, [_q("x", (1, 7, 7, 11), 0.1, -60)],
                                                _q("y", (1, 4, 4, 11), 0.1, -60), o), [_int8(rng, (1, 7, 7, 11))])
    add("avgpool_c11_pad-float", single_op_model(OpCode.AVERAGE_POOL_2D, [act("x", (1, 7, 7, 11))],
                                                 act("y", (1, 4, 4, 11)), o),
        [rng.standard_normal((1, 7, 7, 11)).astype(np.float32)])
    o = ir.Pool2DOptions(filter_h=6, filter_w=5, stride_h=6, stride_w=5)
    add("avgpool_global_c16-int8", single_op_model(OpCode.AVERAGE_POOL_2D, [_q("x", (2, 6, 5, 16), 0.1, 3)],
                                                   _q("y", (2, 1, 1, 16), 0.1, 3), o), [_int8(rng, (2, 6, 5, 16))])
    return out


# ---- small models for the API tests ----

def fc_model(metadata: bool = True) -> bytes:
    rng = np.random.default_rng(7)
    w = const("w", rng.integers(-127, 128, (3, 8)).astype(np.int8), [0.01, 0.02, 0.03], 0, 0)
    b = const("b", rng.integers(-300, 300, 3).astype(np.int32))
    model = single_op_model(OpCode.FULLY_CONNECTED, [act("features", (1, 8), 0.1, -4), w, b],
                            act("scores", (1, 3), 0.2, 6), ir.FullyConnectedOptions())
    if metadata:
        model.metadata = ir.Metadata(producer="tests", producer_version="9.1", description="a tiny classifier",
                                     input_names=["features"], output_names=["scores"], labels=["cat", "dog", "émeu"],
                                     preprocessing=ir.Preprocessing(scale=1 / 255, mean=[0.5, 0.25], std=[0.2, 0.1],
                                                                    layout="NHWC"),
                                     extra={"license": "CC0", "k": "v"})
    return to_bytes(model)


def two_input_model() -> bytes:
    model = single_op_model(OpCode.ADD, [act("a", (1, 4)), act("b", (1, 4))], act("sum", (1, 4)), ir.BinaryOptions())
    return to_bytes(model)


# ---- the corpus: tlet (a .tflite as .tlet) and random_inputs come from tests/support.py ----
