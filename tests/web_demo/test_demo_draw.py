"""Page 1 in Chromium: ten real held-out MNIST test digits drawn stroke by stroke with the mouse are predicted by
the int8 CNN in the page (at least 9 of 10), on a desktop and a phone-sized viewport; Clear, Undo and the
keyboard reset the prediction; the backend selector falls back to WebAssembly when WebGPU is refused."""
from __future__ import annotations

import json

import numpy as np
import pytest

from demo_support import ROOT, shown_bytes

INK = 0.5  # pixels darker than this are drawn


@pytest.fixture(scope="session")
def held_out_digits(demo_model):
    """One digit of each class from the 2,000 the mnist-cnn recipe holds out (never trained on): (images, labels)."""
    from tensorlet.train.data.errors import DatasetNotFoundError
    from tensorlet.train.recipes import RECIPES

    try:
        _, (x_test, y_test) = RECIPES["mnist-cnn"].load(str(ROOT / ".make/data/mnist"))
    except DatasetNotFoundError as e:
        pytest.skip(f"no MNIST data (`make mnist-data`): {e}")
    picks = [int(np.flatnonzero(y_test == d)[0]) for d in range(10)]
    return x_test[picks, 0], y_test[picks]


def wait_idle(page) -> None:
    """Until the page has predicted what is on the pad."""
    page.wait_for_function("document.getElementById('verdict').getAttribute('aria-busy') === 'false'")


def draw_digit(page, image: np.ndarray) -> int:
    """Trace a 28x28 digit on the pad: one mouse stroke along each horizontal run of ink, scaled to the canvas.
    Returns the number of strokes."""
    box = page.get_by_test_id("draw-canvas").bounding_box()
    cell = box["width"] / 28
    strokes = 0
    for y in range(28):
        x = 0
        while x < 28:
            if image[y, x] <= INK:
                x += 1
                continue
            end = x
            while end + 1 < 28 and image[y, end + 1] > INK:
                end += 1
            top = box["y"] + (y + 0.5) * cell
            page.mouse.move(box["x"] + (x + 0.5) * cell, top)
            page.mouse.down()
            page.mouse.move(box["x"] + (end + 0.5) * cell, top, steps=max(1, (end - x) // 3))
            page.mouse.up()
            strokes += 1
            x = end + 1
    return strokes


def ready(page) -> None:
    page.wait_for_selector("body[data-ready=true]", state="attached")


def test_draws_ten_held_out_digits(demo_url, open_page, held_out_digits, viewport, screenshots):
    images, labels = held_out_digits
    page = open_page(demo_url, viewport)
    ready(page)
    assert page.get_by_test_id("prediction").inner_text() == ""
    predicted = []
    for image, label in zip(images, labels):
        draw_digit(page, image)
        wait_idle(page)
        predicted.append(page.get_by_test_id("prediction").inner_text())
        latency = float(page.get_by_test_id("latency-ms").inner_text())
        assert 0 <= latency < 1000
        if label == 7:
            page.screenshot(path=str(screenshots / f"draw-{viewport['width']}.png"), full_page=True)
        page.get_by_test_id("clear").click()
        wait_idle(page)
        assert page.get_by_test_id("prediction").inner_text() == ""
        assert page.locator("#bars li").count() == 0
    correct = sum(p == str(label) for p, label in zip(predicted, labels))
    print(f"\n{viewport['width']}x{viewport['height']}: predicted {predicted} for {labels.tolist()}")
    assert correct >= 9, f"only {correct}/10 held-out digits right: predicted {predicted} for {labels.tolist()}"


def test_page_shows_model_facts_and_backend(demo_url, open_page, demo_model):
    page = open_page(demo_url)
    ready(page)
    summary = json.loads(page.evaluate("fetch('model.json').then((r) => r.text())"))
    facts = page.locator("#facts").inner_text()
    assert shown_bytes(summary["totals"]["file_bytes"]) in facts
    assert f"{shown_bytes(summary['totals']['arena_bytes'])} activations" in facts
    assert "int8" in facts and "CONV_2D" in facts and f"{len(summary['ops'])}:" in facts
    assert summary["metadata"]["labels"] == [str(d) for d in range(10)]
    assert page.locator("#backend-used").inner_text() == "WebAssembly SIMD128"
    fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert any(url.endswith("/runtime/tensorlet.wasm") for url in fetched), fetched
    assert not [url for url in fetched if "/runtime/webgpu/" in url], "auto imported the WebGPU modules"
    options = page.get_by_test_id("backend").locator("option").all_inner_texts()
    assert options[:2] == ["Auto", "WebAssembly (SIMD)"]
    assert ("WebGPU" in options) == page.evaluate("Boolean(navigator.gpu)")


def test_clear_undo_and_keyboard(demo_url, open_page, held_out_digits):
    images, labels = held_out_digits
    page = open_page(demo_url)
    ready(page)
    strokes = draw_digit(page, images[0])
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() != ""
    for _ in range(strokes - 1):
        page.get_by_test_id("undo").click()
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() != ""  # one stroke left
    page.get_by_test_id("undo").focus()
    page.keyboard.press("Enter")
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() == ""
    assert page.get_by_test_id("undo").is_disabled()
    draw_digit(page, images[1])
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() != ""
    page.get_by_test_id("draw-canvas").focus()
    page.keyboard.press("Escape")
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() == ""


def test_webgpu_choice_falls_back_to_wasm(demo_url, open_page, held_out_digits):
    page = open_page(demo_url)
    ready(page)
    if not page.evaluate("Boolean(navigator.gpu)"):
        pytest.skip("this Chromium has no navigator.gpu: the selector offers no WebGPU")
    page.get_by_test_id("backend").select_option("webgpu")
    page.wait_for_function("document.getElementById('backend-used').textContent !== 'loading…'")
    used = page.locator("#backend-used").inner_text()
    if used != "WebGPU":
        assert used == "WebAssembly SIMD128"
        error = page.get_by_test_id("error")
        assert error.is_visible() and "WebGPU" in error.inner_text()
    images, labels = held_out_digits
    draw_digit(page, images[3])
    wait_idle(page)
    assert page.get_by_test_id("prediction").inner_text() != ""
    page.get_by_test_id("backend").select_option("auto")  # leave the stored choice as it was
