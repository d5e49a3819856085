"""Fixtures of the demo's end-to-end tests: the demo model (the cached `make demo` one, or a quick one trained here),
`tensorlet demo` serving it on a free port, and headless Debian Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from demo_support import CHROMIUM, DESKTOP, FLAGS, PHONE, QUICK_EPOCHS, ROOT, skip_reason
from support import SHARED_CORPUS

@pytest.fixture(scope="session")
def demo_model(tmp_path_factory) -> Path:
    """The int8 MNIST CNN: .make/demo's when `make demo` built it, else trained here for QUICK_EPOCHS epochs."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from tensorlet.demo import build_model, default_model
    from tensorlet.train.data.errors import DatasetNotFoundError

    cached = ROOT / default_model()
    if cached.is_file():
        return cached
    try:
        return build_model(tmp_path_factory.mktemp("demo_model"), epochs=QUICK_EPOCHS,
                           data_dir=str(ROOT / ".make/data/mnist"), verbose=0)
    except DatasetNotFoundError as e:
        pytest.skip(f"no MNIST data (`make mnist-data`): {e}")


@pytest.fixture(scope="session")
def demo_url(demo_model):
    """`tensorlet demo --port 0 --model M` running; stopped with SIGINT (Ctrl-C) after the session."""
    server = subprocess.Popen([sys.executable, "-m", "tensorlet.cli", "demo", "--port", "0", "--model",
                               str(demo_model)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = server.stdout.readline()
    if not line.startswith("Tensorlet demo: http://127.0.0.1:"):
        server.kill()
        pytest.fail(f"tensorlet demo did not start: {line}{server.stderr.read()}")
    yield line.split()[2]
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=10)
    assert server.returncode == 0, f"tensorlet demo did not stop cleanly on Ctrl-C: {err}"


@pytest.fixture(scope="session")
def browser():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def open_page(browser):
    """open_page(url, viewport) -> a page whose console errors and uncaught exceptions fail the test."""
    contexts, problems = [], []

    def open_(url: str, viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport, has_touch=viewport["width"] < 600)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
        page.goto(url)
        page.wait_for_selector("body", state="attached")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def screenshots(request) -> Path:
    """Where a test saves its screenshots: build/test-output/web_demo/<test name>/ (kept after the run, unlike
    pytest's rotating tmp_path, which other runs on a shared machine clear)."""
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    folder = ROOT / "build" / "test-output" / "web_demo" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({SHARED_CORPUS})")
    return SHARED_CORPUS
