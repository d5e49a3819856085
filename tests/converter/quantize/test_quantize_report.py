"""The float-vs-int8 report: per-layer SQNR/cosine matched by name, worst layers, output errors, text table."""
import math

import numpy as np

from quant_graphs import Graph, samples
from tensorlet.converter import ir
from tensorlet.converter.quantize import format_report, quantization_report, quantize_model
from tensorlet.converter.reference import run

OpCode = ir.OpCode


def classifier() -> ir.Model:
    rng = np.random.default_rng(0)
    g = Graph()
    g.act("x", (1, 16))
    g.const("w1", rng.standard_normal((32, 16)) * 0.4)
    g.const("b1", rng.standard_normal(32) * 0.1)
    g.act("h", (1, 32))
    g.op(OpCode.FULLY_CONNECTED, ["x", "w1", "b1"], "h", ir.FullyConnectedOptions(activation=ir.Activation.RELU))
    g.const("w2", rng.standard_normal((10, 32)) * 0.4)
    g.act("logits", (1, 10))
    g.op(OpCode.FULLY_CONNECTED, ["h", "w2", None], "logits", ir.FullyConnectedOptions())
    g.act("probs", (1, 10))
    g.op(OpCode.SOFTMAX, ["logits"], "probs", ir.SoftmaxOptions(beta=1.0))
    return g.model(["x"], ["probs"])


def test_report_layers_outputs_and_worst():
    model = classifier()
    q = quantize_model(model, samples(model, 32, seed=1))
    held_out = samples(model, 16, seed=2)
    report = quantization_report(model, q, held_out, worst=2)
    assert report["samples"] == 16
    assert [r["name"] for r in report["layers"]] == ["x", "h", "logits", "probs"]
    assert [r["op"] for r in report["layers"]] == ["INPUT", "FULLY_CONNECTED", "FULLY_CONNECTED", "SOFTMAX"]
    for row in report["layers"]:
        assert 25 < row["sqnr_db"] < 80 and 0.99 < row["cosine"] <= 1.0 + 1e-9
    ranked = sorted(report["layers"], key=lambda r: r["sqnr_db"])
    assert report["worst"] == [r["name"] for r in ranked[:2]]
    out = report["outputs"][0]
    assert out["name"] == "probs" and out["top1_agreement"] >= 0.9
    errors = [np.abs(run(model, s)[0] - run(q, s)[0]) for s in held_out]
    assert math.isclose(out["max_abs"], max(float(e.max()) for e in errors), rel_tol=1e-6)
    assert math.isclose(out["mean_abs"], float(np.mean(np.concatenate(errors))), rel_tol=1e-6)


def test_report_of_an_int8_io_model_quantizes_the_inputs():
    model = classifier()
    q = quantize_model(model, samples(model, 32, seed=1, scale=1.5), io="int8")   # held-out inputs stay in range
    report = quantization_report(model, q, samples(model, 4, seed=3))
    assert report["outputs"][0]["sqnr_db"] > 20
    assert report["layers"][0]["name"] == "x" and report["layers"][0]["sqnr_db"] > 35


def test_identical_models_and_non_classifier_outputs():
    g = Graph()
    g.act("x", (1, 8))
    g.act("y", (1, 8))
    g.op(OpCode.RELU, ["x"], "y")
    model = g.model(["x"], ["y"])
    report = quantization_report(model, model, samples(model, 3))
    assert report["layers"][1]["sqnr_db"] == math.inf and report["layers"][1]["cosine"] == 1.0
    assert report["outputs"][0]["top1_agreement"] is None
    assert quantization_report(model, model, samples(model, 3), classifier=True)["outputs"][0]["top1_agreement"] == 1


def test_format_report_is_an_aligned_table():
    model = classifier()
    q = quantize_model(model, samples(model, 16, seed=1))
    report = quantization_report(model, q, samples(model, 4, seed=2), worst=1)
    report["layers"][1]["name"] = "a/very/long/tflite/name;with;fused;parts;" + "x" * 80
    text = format_report(report, name_width=30)
    lines = text.splitlines()
    assert lines[0] == "quantization report over 4 sample(s)"
    table = lines[3:3 + len(report["layers"])]
    assert len({len(line.split("  <-")[0]) for line in table}) == 1          # every row the same width
    assert sum("<- worst" in line for line in table) == 1
    assert "a/very/long/tflite/name" in text and "x" * 80 not in text
    assert "probs" in lines[-1] and lines[-1].rstrip().endswith("%")
