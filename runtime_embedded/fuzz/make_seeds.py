"""Write the fuzzer's seed corpus: every op-catalog model (tests/op_cases.py) and the small corpus models
(hello_world, KWS) as .tlet files in the directory given.

Usage: python fuzz/make_seeds.py OUT_DIR   (run from runtime_embedded/, with the project's venv)
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from op_cases import cases  # noqa: E402
from support import SHARED_CORPUS  # noqa: E402
from tensorlet.converter.planner import apply_plan  # noqa: E402
from tensorlet.converter.tflite_import import import_tflite  # noqa: E402
from tensorlet.converter.writer import to_bytes  # noqa: E402

MAX_SEED_BYTES = 65536  # the fuzzer's -max_len


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for cid, model, _ in cases():
        (out / f"{cid}.tlet").write_bytes(to_bytes(model))
    for name in ("tflite_micro/hello_world_int8.tflite", "tflite_micro/hello_world_float.tflite",
                 "mlperf_tiny/kws/kws_ref_model.tflite"):
        path = SHARED_CORPUS / name
        if path.is_file():
            model = import_tflite(path.read_bytes())
            apply_plan(model)
            data = to_bytes(model)
            if len(data) <= MAX_SEED_BYTES:
                (out / f"{path.stem}.tlet").write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
