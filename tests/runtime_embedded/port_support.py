"""Shared by the port tests (test_port_*.py): the cases every port runs, the MLPerf Tiny models and TFLite Micro
goldens, and skip markers naming the Debian package a missing toolchain comes from."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from op_cases import cases
from support import SHARED_CORPUS, tflite_tlet
from support import random_model_inputs as random_inputs  # noqa: F401 (for the port tests)
from tensorlet import native
from tensorlet.converter.reader import from_bytes
from tensorlet.converter.reference import run
from tensorlet.converter.writer import to_bytes

MLPERF = SHARED_CORPUS / "mlperf_tiny"
GOLDENS = SHARED_CORPUS / "goldens"
INT8_MODELS = {"kws": "kws/kws_ref_model.tflite", "ad": "ad/ad01_int8.tflite", "vww": "vww/vww_96_int8.tflite",
               "ic": "ic/pretrainedResnet_quant.tflite"}
CORPUS_REASON = "../shared/corpus (MLPerf Tiny models, TFLite Micro goldens) is absent: a user's checkout"
needs_corpus = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=CORPUS_REASON)


def needs(*tools: str):
    """skipif marker: every tool on PATH, else a reason naming the apt packages."""
    missing = native.missing_tools(*tools)
    packages = " ".join(dict.fromkeys(" ".join(native.PACKAGES.get(t, t) for t in missing).split()))
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed "
                                                    f"(apt-get install {packages})")


@lru_cache(maxsize=None)
def tlet(relative: str) -> bytes:
    """A corpus .tflite (path relative to the corpus) as .tlet."""
    return tflite_tlet(SHARED_CORPUS / relative)


def mlperf(name: str) -> bytes:
    return tlet("mlperf_tiny/" + INT8_MODELS[name])



@lru_cache(maxsize=None)
def reference(data: bytes, seed: int) -> list[np.ndarray]:
    return run(from_bytes(data), random_inputs(data, seed))


@lru_cache(maxsize=1)
def supported_cases() -> tuple:
    """(id, .tlet bytes, inputs) of every op-catalog case, float and int8, whose op the C runtime has a kernel for
    (asked of the host build, so kernels added later are covered on every port at once)."""
    try:
        runtime = native.Runtime()
    except native.TensorletError:  # no gcc/make: the tests using these cases skip with that reason
        return ()
    chosen = []
    for cid, model, inputs in cases():
        if runtime.lib.tl_opcode_supported(int(model.operators[0].opcode)):
            chosen.append((cid, to_bytes(model), inputs))
    return tuple(chosen)


def golden_samples() -> dict:
    """name -> (.tlet bytes, samples, expected outputs per sample): the TFLite Micro goldens, bit for bit."""
    kws = np.load(GOLDENS / "kws_ref_model_sample.npz")
    ad = np.load(GOLDENS / "ad01_toycar_normal_id01.npz")
    hello = np.load(GOLDENS / "hello_world_int8.npz")
    return {
        "kws": (mlperf("kws"), [[kws["x"]]], [kws["y_tflm"].reshape(1, 12)]),
        "ad01": (mlperf("ad"), [[ad["x_int8"][i:i + 1]] for i in range(16)],
                 [ad["y_int8_tflm"][i:i + 1] for i in range(16)]),
        "hello_world": (tlet("tflite_micro/hello_world_int8.tflite"),
                        [[np.array([[x]], np.int8)] for x in hello["x"]],
                        [np.array([[y]], np.int8) for y in hello["y_tflm"]]),
    }
