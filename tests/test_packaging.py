"""Packaging: one distribution whose wheel installs only the `tensorlet` import name, and committed generated
bindings that `make schema` reproduces exactly."""
import filecmp
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_only_the_tensorlet_namespace(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("tensorlet-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"tensorlet"}
    sources = {"tensorlet": ROOT / "tensorlet", "tensorlet/converter": ROOT / "converter",
               "tensorlet/train": ROOT / "train"}
    for prefix, folder in sources.items():
        for path in folder.rglob("*.py"):
            name = f"{prefix}/{path.relative_to(folder).as_posix()}"
            assert name in names, f"{name} is missing from the wheel: list its package in pyproject.toml"
    shipped = [("tensorlet/wasm", ROOT / "runtime_wasm", ["tensorlet.js", "tensorlet.d.ts", "webgpu/**/*.js"]),
               ("tensorlet/web_demo", ROOT / "web_demo", ["*.html", "*.js", "*.css"])]
    for prefix, folder, patterns in shipped:  # what `tensorlet demo` serves from an installed wheel
        for path in (p for pattern in patterns for p in folder.glob(pattern)):
            name = f"{prefix}/{path.relative_to(folder).as_posix()}"
            assert name in names, f"{name} is missing from the wheel: list it in pyproject.toml's package-data"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tensorlet = tensorlet.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.skipif(shutil.which("flatc") is None, reason="flatc absent: `make test` installs flatbuffers-compiler")
def test_generated_bindings_are_reproducible(tmp_path):
    subprocess.run(["flatc", "--python", "-o", str(tmp_path), str(ROOT / "schemas" / "tensorlet.fbs")], check=True)
    subprocess.run([sys.executable, str(ROOT / "schemas" / "fbs_layout.py"), str(ROOT / "schemas" / "tensorlet.fbs"),
                    str(tmp_path / "layout.py")], check=True)
    generated = tmp_path / "tensorlet" / "fbs"
    shutil.copy(tmp_path / "layout.py", generated / "layout.py")
    committed = ROOT / "tensorlet" / "fbs"
    names = sorted(p.name for p in generated.glob("*.py"))
    assert names == sorted(p.name for p in committed.glob("*.py"))
    _, mismatch, errors = filecmp.cmpfiles(generated, committed, names, shallow=False)
    assert not mismatch and not errors, f"run `make schema`: {mismatch + errors} differ from schemas/tensorlet.fbs"
