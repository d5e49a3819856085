"""`tensorlet demo`'s server without a browser: the pages, the runtime and the model with the right MIME types, its
`inspect --json` summary, nothing outside its folders; a clear error for a busy port or a bad model; Ctrl-C stops
the command cleanly."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

from demo_support import ROOT, runtime_reason
from support import act, const, single_op_model
from tensorlet.converter import ir
from tensorlet.converter.writer import to_bytes
from tensorlet.errors import TensorletError


@pytest.fixture
def tiny_model(tmp_path):
    """A one-op int8 FULLY_CONNECTED model file."""
    if runtime_reason():
        pytest.skip(runtime_reason())
    w = const("w", np.arange(24, dtype=np.int8).reshape(3, 8), [0.01], 0)
    model = single_op_model(ir.OpCode.FULLY_CONNECTED, [act("x", (1, 8), 0.1, 0), w, None], act("y", (1, 3), 0.2, 0),
                            ir.FullyConnectedOptions())
    path = tmp_path / "tiny.tlet"
    path.write_bytes(to_bytes(model))
    return path


@pytest.fixture
def server(tiny_model):
    from tensorlet.demo import DemoServer

    demo = DemoServer(tiny_model, port=0)
    threading.Thread(target=demo.serve_forever, daemon=True).start()
    yield demo
    demo.shutdown()
    demo.server_close()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], b""


def test_serves_pages_runtime_and_model(server, tiny_model):
    url = server.url
    assert url.startswith("http://127.0.0.1:")
    cases = {"": "text/html", "index.html": "text/html", "model.html": "text/html", "draw.js": "text/javascript",
             "style.css": "text/css", "runtime/tensorlet.js": "text/javascript",
             "runtime/tensorlet.wasm": "application/wasm", "runtime/tensorlet-nosimd.wasm": "application/wasm",
             "model.tlet": "application/octet-stream", "model.json": "application/json"}
    for path, kind in cases.items():
        status, content_type, body = get(url + path)
        assert (status, content_type.split(";")[0]) == (200, kind), path
        assert body
    assert get(url + "runtime/tensorlet.wasm")[2][:4] == b"\0asm"
    assert get(url + "model.tlet")[2] == tiny_model.read_bytes()
    summary = json.loads(get(url + "model.json")[2])
    assert summary["file_name"] == "tiny.tlet" and [o["op"] for o in summary["ops"]] == ["FULLY_CONNECTED"]
    assert summary["totals"]["file_bytes"] == tiny_model.stat().st_size


def test_serves_nothing_else(server):
    for path in ("../pyproject.toml", "%2e%2e/pyproject.toml", "runtime/Makefile", "runtime/src/wasm_api.c",
                 "runtime/../pyproject.toml", "nope.html"):
        assert get(server.url + path)[0] == 404, path


def test_busy_port_and_bad_model_are_clear_errors(server, tiny_model, tmp_path):
    from tensorlet.demo import DemoServer, serve

    with pytest.raises(TensorletError, match="--port"):
        DemoServer(tiny_model, port=server.server_address[1])
    with pytest.raises(TensorletError, match="make demo"):
        serve(tmp_path / "missing.tlet", port=0)
    broken = tmp_path / "broken.tlet"
    broken.write_bytes(b"TLET" * 3)
    result = subprocess.run([sys.executable, "-m", "tensorlet.cli", "demo", "--port", "0", "--model", str(broken)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("tensorlet demo: error:")


def test_ctrl_c_stops_the_command(tiny_model):
    process = subprocess.Popen([sys.executable, "-m", "tensorlet.cli", "demo", "--port", "0", "--model",
                                str(tiny_model)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    line = process.stdout.readline()
    assert line.startswith("Tensorlet demo: http://127.0.0.1:"), process.stderr.read()
    port = int(line.split()[2].rstrip("/").rsplit(":", 1)[1])
    assert get(line.split()[2])[0] == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
