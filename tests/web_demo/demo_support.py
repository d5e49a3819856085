"""Constants and helpers of the demo's end-to-end tests (the fixtures are in conftest.py)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
QUICK_EPOCHS = 3  # the mnist-cnn recipe for 3 epochs: about 15 s on 2 idle cores, ~96% held-out accuracy
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def runtime_reason() -> str | None:
    """Why the WebAssembly runtime cannot be served, or None."""
    from tensorlet.errors import TensorletError
    from tensorlet.runtime import wasm_dir
    try:
        wasm_dir()
    except TensorletError as e:
        return str(e)
    return None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} is absent (apt-get install chromium; `make test` installs it)"
    return runtime_reason()


def shown_bytes(n: int) -> str:
    """A byte count as the pages show it (web_demo/app.js formatBytes)."""
    if n < 1024:
        return f"{n} B"
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MB"
