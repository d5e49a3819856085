"""`tensorlet export-c`: the header compiles warning-free (C99, -pedantic) for the host and Cortex-M, its array is
16-byte aligned and equals the file's bytes; .npy inputs export their raw bytes; bad input fails cleanly."""
import subprocess

import numpy as np
import pytest

from port_support import needs, supported_cases
from tensorlet.cli import main
from tensorlet.export_c import c_identifier, export_array, export_model

WARN = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]

DUMP = r"""
#include <stdint.h>
#include <stdio.h>
#include "model.h"
#include "other.h"
int main(void)
{
    if ((uintptr_t)my_model % 16u != 0u || (uintptr_t)other % 16u != 0u) {
        return 3;
    }
    if (sizeof my_model != MY_MODEL_SIZE) {
        return 4;
    }
    return fwrite(my_model, 1, MY_MODEL_SIZE, stdout) == MY_MODEL_SIZE ? 0 : 5;
}
"""


def _model() -> bytes:
    return supported_cases()[0][1]


@needs("gcc")
def test_port_export_c_header_compiles_and_holds_the_file_bytes(tmp_path):
    data = _model()
    (tmp_path / "m.tlet").write_bytes(data)
    assert main(["export-c", str(tmp_path / "m.tlet"), "-o", str(tmp_path / "model.h"), "--name", "my_model"]) == 0
    (tmp_path / "other.h").write_text(export_model(data, "other"))  # two headers in one unit: no clash
    (tmp_path / "dump.c").write_text(DUMP)
    subprocess.run(["gcc", *WARN, "-O2", "-I", str(tmp_path), str(tmp_path / "dump.c"), "-o", str(tmp_path / "dump")],
                   check=True, capture_output=True)
    out = subprocess.run([str(tmp_path / "dump")], capture_output=True, check=True).stdout
    assert out == data
    text = (tmp_path / "model.h").read_text()
    assert f"#define MY_MODEL_SIZE {len(data)}u" in text and "aligned(16)" in text


@needs("arm-none-eabi-gcc")
def test_port_export_c_header_compiles_for_cortex_m_with_16_byte_alignment(tmp_path):
    data = _model()
    (tmp_path / "model.h").write_text(export_model(data, "model"))
    (tmp_path / "use.c").write_text('#include "model.h"\nconst uint8_t *tl_model_data(void);\n'
                                    "const uint8_t *tl_model_data(void) { return model; }\n")
    subprocess.run(["arm-none-eabi-gcc", *WARN, "-O2", "-mcpu=cortex-m4", "-mthumb", "-I", str(tmp_path), "-c",
                    str(tmp_path / "use.c"), "-o", str(tmp_path / "use.o")], check=True, capture_output=True)
    sections = subprocess.run(["arm-none-eabi-readelf", "-S", "-W", str(tmp_path / "use.o")], capture_output=True,
                              text=True, check=True).stdout
    rodata = [line.split() for line in sections.splitlines() if ".rodata" in line]
    assert rodata and int(rodata[0][-1]) >= 16  # the section's alignment


@needs("gcc")
def test_port_export_c_of_an_npy_array_is_its_raw_little_endian_bytes(tmp_path):
    x = np.arange(-6, 6, dtype=np.float32).reshape(1, 3, 4)
    np.save(tmp_path / "x.npy", x)
    assert main(["export-c", str(tmp_path / "x.npy"), "-o", str(tmp_path / "input.h"), "--name", "input"]) == 0
    text = (tmp_path / "input.h").read_text()
    assert "float32[1,3,4]" in text and f"#define INPUT_SIZE {x.nbytes}u" in text
    assert export_array(x, "input", "x.npy") == text
    (tmp_path / "c.c").write_text('#include <stdio.h>\n#include "input.h"\n'
                                  "int main(void) { return fwrite(input, 1, INPUT_SIZE, stdout) != INPUT_SIZE; }\n")
    subprocess.run(["gcc", *WARN, "-I", str(tmp_path), str(tmp_path / "c.c"), "-o", str(tmp_path / "c")], check=True)
    assert subprocess.run([str(tmp_path / "c")], capture_output=True, check=True).stdout == x.tobytes()


def test_port_export_c_names_and_errors(tmp_path, capsys):
    assert c_identifier("kws-ref.model") == "kws_ref_model"
    assert c_identifier("3d") == "_3d" and c_identifier("int") == "_int"
    (tmp_path / "kws-ref v2.tlet").write_bytes(_model())
    assert main(["export-c", str(tmp_path / "kws-ref v2.tlet"), "-o", str(tmp_path / "m.h")]) == 0
    assert "kws_ref_v2[" in (tmp_path / "m.h").read_text()
    (tmp_path / "bad.tlet").write_bytes(b"\0" * 32)
    assert main(["export-c", str(tmp_path / "bad.tlet"), "-o", str(tmp_path / "bad.h")]) == 1
    assert "tensorlet export-c: error:" in capsys.readouterr().err
    assert not (tmp_path / "bad.h").exists()
    with pytest.raises(SystemExit):
        main(["export-c", str(tmp_path / "kws-ref v2.tlet")])  # -o is required
