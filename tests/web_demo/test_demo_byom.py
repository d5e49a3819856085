"""Page 2 in Chromium: the MLPerf Tiny KWS and AD models, converted from the corpus, uploaded as .tlet files with
their real inputs as .npy: the page's outputs equal the Python wasm backend's exactly; the page shows the model's
inputs, outputs, metadata and operators and benchmarks it; a truncated file or a non-model shows a readable error and
the page keeps working; its operator table (model.graph) equals the converter's reading of the file."""
from __future__ import annotations

import numpy as np
import pytest

from demo_support import DESKTOP, PHONE, shown_bytes
from tensorlet.converter import load

KWS = "mlperf_tiny/kws/kws_ref_model.tflite"
AD = "mlperf_tiny/ad/ad01_int8.tflite"


@pytest.fixture(scope="session")
def corpus_models(corpus, tmp_path_factory):
    """{name: (.tlet path, .npy input path, expected outputs from tensorlet.Runtime)} for KWS and AD."""
    from tensorlet.converter.convert import convert
    from tensorlet.runtime import Runtime

    folder = tmp_path_factory.mktemp("corpus_models")
    inputs = {
        "kws": np.load(corpus / "mlperf_tiny/kws/kws_sample_input_int8.npy"),
        "ad": np.load(corpus / "goldens/ad01_toycar_normal_id01.npz")["x_int8"][:1],
    }
    models = {}
    for name, source in (("kws", KWS), ("ad", AD)):
        data = convert(corpus / source).data
        path = folder / f"{name}.tlet"
        path.write_bytes(data)
        x = inputs[name]
        np.save(folder / f"{name}_input.npy", x)
        runtime = Runtime(data)
        expected = runtime.run_sample([x.reshape(runtime.inputs[0].shape)])
        models[name] = (path, folder / f"{name}_input.npy", expected)
    return models


def operator_row(model, op) -> list[str]:
    """[op, activations read ("-": an absent input), outputs, dtype of the first activation read] as the page's
    operator table shows them, from the converter's reader of the file."""
    def shape(i: int) -> str:
        return "-" if i < 0 else "[" + ", ".join(map(str, model.tensors[i].shape)) + "]"

    read = [i for i in op.inputs if i < 0 or not model.tensors[i].is_constant]
    first = next((i for i in read if i >= 0), op.outputs[0])
    return [op.opcode.name, ", ".join(map(shape, read)), ", ".join(map(shape, op.outputs)),
            model.tensors[first].dtype.name.lower()]


def operator_table(page) -> list[list[str]]:
    """The page's operator table without its first (#) and last (runs on) columns."""
    return [[td.text_content() for td in tr.locator("td").all()][1:5] for tr in page.locator("#ops tbody tr").all()]


def open_model(page, path) -> None:
    page.get_by_test_id("model-file").set_input_files(str(path))
    page.wait_for_function("(name) => document.getElementById('file-name').textContent.startsWith(name)",
                           arg=path.name)


def run_outputs(page) -> list[np.ndarray]:
    page.get_by_test_id("run").click()
    values = page.get_by_test_id("output-values")
    values.first.wait_for()
    return [np.array(text.split(), dtype=np.float64) for text in values.all_inner_texts()]


def test_corpus_models_match_the_python_wasm_backend(demo_url, open_page, corpus_models, screenshots):
    page = open_page(demo_url + "model.html")
    for name, (model, x, expected) in corpus_models.items():
        open_model(page, model)
        assert page.get_by_test_id("error").is_hidden()
        planned = load(model)
        assert f"{shown_bytes(planned.arena_bytes)} activations" in page.get_by_test_id("model-facts").inner_text()
        inputs = page.get_by_test_id("inputs").inner_text()
        assert "int8" in inputs and ", ".join(map(str, np.load(x).shape[1:])) in inputs
        rows = operator_table(page)
        assert "FULLY_CONNECTED" in [r[0] for r in rows]
        assert rows == [operator_row(planned, op) for op in planned.operators], name
        page.get_by_test_id("input-file-0").set_input_files(str(x))
        outputs = run_outputs(page)
        assert len(outputs) == len(expected)
        for got, want in zip(outputs, expected):
            np.testing.assert_array_equal(got, want.ravel().astype(np.float64), err_msg=f"{name}: page != Runtime")
        page.get_by_test_id("bench-runs").fill("20")
        page.get_by_test_id("bench").click()
        page.wait_for_selector("#bench-result:not([hidden])")
        assert float(page.get_by_test_id("latency-ms").inner_text()) >= 0
        page.screenshot(path=str(screenshots / f"model-{name}.png"), full_page=True)
    random_outputs = (page.get_by_label("Random values").check(), run_outputs(page))[1]
    assert random_outputs[0].size == 640


def test_bad_files_show_an_error_and_the_page_keeps_working(demo_url, open_page, corpus_models, tmp_path,
                                                           screenshots):
    model, x, expected = corpus_models["kws"]
    data = model.read_bytes()
    truncated = tmp_path / "truncated.tlet"
    truncated.write_bytes(data[: len(data) // 2])
    not_a_model = tmp_path / "notes.tlet"
    not_a_model.write_text("these are not the weights you are looking for\n")
    page = open_page(demo_url + "model.html", PHONE)
    error = page.get_by_test_id("error")
    for bad in (truncated, not_a_model):
        page.get_by_test_id("model-file").set_input_files(str(bad))
        error.wait_for()
        assert bad.name in error.inner_text() and "not a usable .tlet model" in error.inner_text()
        assert page.locator("#model-card").is_hidden()
    page.screenshot(path=str(screenshots / "model-error-390.png"), full_page=True)
    open_model(page, model)
    assert error.is_hidden()
    page.get_by_test_id("input-file-0").set_input_files(str(x))
    np.testing.assert_array_equal(run_outputs(page)[0], expected[0].ravel())
    page.get_by_test_id("input-file-0").set_input_files(str(truncated))  # not an .npy: an error, the model stays
    error.wait_for()
    assert "not an .npy file" in error.inner_text()
    assert page.locator("#model-card").is_visible()


def test_demo_model_on_page_two(demo_url, open_page, screenshots):
    page = open_page(demo_url + "model.html", DESKTOP)
    page.get_by_role("button", name="Try the demo model").click()
    page.wait_for_selector("#model-card:not([hidden])")
    metadata = page.get_by_test_id("metadata").inner_text()
    assert "0, 1, 2, 3, 4, 5, 6, 7, 8, 9" in metadata and "NCHW" in metadata
    assert len(run_outputs(page)[0]) == 10
    page.screenshot(path=str(screenshots / "model-demo-1280.png"), full_page=True)


def test_operator_table_shows_an_absent_input(demo_url, open_page, tmp_path):
    """A FULLY_CONNECTED without bias: model.graph gives -1 for the absent input, the table a "-"."""
    from support import act, const, single_op_model
    from tensorlet.converter import ir
    from tensorlet.converter.writer import to_bytes

    w = const("w", np.arange(24, dtype=np.int8).reshape(3, 8), [0.01], 0)
    model = single_op_model(ir.OpCode.FULLY_CONNECTED, [act("x", (1, 8), 0.1, 0), w, None], act("y", (1, 3), 0.2, 0),
                            ir.FullyConnectedOptions())
    path = tmp_path / "no_bias.tlet"
    path.write_bytes(to_bytes(model))
    page = open_page(demo_url + "model.html")
    open_model(page, path)
    assert operator_table(page) == [["FULLY_CONNECTED", "[1, 8], -", "[1, 3]", "int8"]]
    assert f"{shown_bytes(model.arena_bytes)} activations" in page.get_by_test_id("model-facts").inner_text()
