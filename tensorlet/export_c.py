"""`tensorlet export-c`: a .tlet model (or an .npy array) as a C header holding one 16-byte aligned const array, the
way firmware embeds a model for the C runtime (runtime_embedded), which reads it in place from flash.

    tensorlet export-c kws.tlet -o model.h --name model
    #include "model.h"      ->  static const uint8_t model[MODEL_SIZE] (16-byte aligned)
    tl_model_load(&m, model, MODEL_SIZE);

Define TL_EXPORT_ATTRIBUTES before including the header to add attributes to every exported array (for example
`__attribute__((section(".models")))` to place it in a given flash section).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tensorlet.errors import TensorletError

ALIGNMENT = 16
_HEX = [f"0x{b:02x}," for b in range(256)]
_C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary",
}


def c_identifier(name: str) -> str:
    """`name` as a valid C identifier: other characters become '_', a leading digit or a keyword gets a '_'."""
    ident = re.sub(r"[^0-9A-Za-z_]", "_", name)
    if not ident or ident[0].isdigit() or ident in _C_KEYWORDS:
        ident = "_" + ident
    return ident


def c_bytes(data: bytes, per_line: int = 16, indent: str = "    ") -> str:
    """The bytes as lines of C hex literals, each ending with a comma."""
    lines = []
    for at in range(0, len(data), per_line):
        lines.append(indent + "".join(_HEX[b] for b in data[at:at + per_line]))
    return "\n".join(lines)


def c_array(name: str, data: bytes, storage: str = "static const") -> str:
    """One definition `storage uint8_t name[N] = {...};`, 16-byte aligned with the TL_EXPORT_* macros of
    `alignment_macros()`. A zero-length payload still gets one byte (C has no empty arrays)."""
    body = c_bytes(data) if data else "    0x00,"
    count = max(len(data), 1)
    return (f"TL_EXPORT_ALIGN_BEFORE {storage} uint8_t {name}[{count}] TL_EXPORT_ALIGN_AFTER TL_EXPORT_ATTRIBUTES "
            f"= {{\n{body}\n}};\n")


def alignment_macros() -> str:
    """Preprocessor lines defining TL_EXPORT_ALIGN_BEFORE/AFTER (16-byte alignment for GCC, Clang, Arm Compiler,
    MSVC or C11) and TL_EXPORT_ATTRIBUTES (empty unless the includer defines it). Safe to repeat."""
    return f"""#ifndef TL_EXPORT_ALIGN_BEFORE
#if defined(__GNUC__) || defined(__clang__) || defined(__CC_ARM)
#define TL_EXPORT_ALIGN_BEFORE
#define TL_EXPORT_ALIGN_AFTER __attribute__((aligned({ALIGNMENT}), unused))
#elif defined(_MSC_VER)
#define TL_EXPORT_ALIGN_BEFORE __declspec(align({ALIGNMENT}))
#define TL_EXPORT_ALIGN_AFTER
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define TL_EXPORT_ALIGN_BEFORE _Alignas({ALIGNMENT})
#define TL_EXPORT_ALIGN_AFTER
#else
#error "tensorlet export-c: no way known to align an array to {ALIGNMENT} bytes with this compiler"
#endif
#endif
#ifndef TL_EXPORT_ATTRIBUTES
#define TL_EXPORT_ATTRIBUTES
#endif
"""


def _describe_model(data: bytes) -> list[str]:
    """Comment lines naming the model's inputs and outputs (and verifying the file on the way)."""
    from tensorlet.converter.reader import from_bytes

    model = from_bytes(data)

    def describe(indices):
        return ", ".join(f"{model.tensors[i].name or '?'} {model.tensors[i].dtype.name.lower()}"
                         f"[{','.join(str(d) for d in model.tensors[i].shape)}]" for i in indices)

    ops = sorted({op.opcode.name for op in model.operators})
    return [f"inputs:  {describe(model.inputs)}", f"outputs: {describe(model.outputs)}",
            f"ops:     {' '.join(ops)}", f"activation arena (offline plan): {model.arena_bytes:,} bytes"]


def export_bytes(data: bytes, name: str, source: str, description: list[str]) -> str:
    """The header text for one array of `data` named `name`."""
    ident = c_identifier(name)
    guard = f"TENSORLET_EXPORT_{ident.upper()}_H"
    size_macro = f"{ident.upper()}_SIZE"
    notes = "".join(f" * {line}\n" for line in description)
    return (f"/* {ident}: {source} as a C array, written by `tensorlet export-c`.\n"
            f" * {len(data):,} bytes, {ALIGNMENT}-byte aligned.\n{notes}"
            f" */\n#ifndef {guard}\n#define {guard}\n\n#include <stdint.h>\n\n{alignment_macros()}\n"
            f"#define {size_macro} {len(data)}u\n\n{c_array(ident, data)}\n#endif /* {guard} */\n")


def export_model(data: bytes, name: str, source: str = "a .tlet model") -> str:
    """A .tlet model (verified with the converter's reader first) as a header defining `name` and NAME_SIZE."""
    description = _describe_model(data) + [
        f"Load it in place: tl_model_load(&m, {c_identifier(name)}, {c_identifier(name).upper()}_SIZE);",
        "keep it 16-byte aligned and unmodified while the model is in use."]
    return export_bytes(data, name, source, description)


def export_array(array: np.ndarray, name: str, source: str = "an array") -> str:
    """An array's raw little-endian bytes (C order) as a header defining `name` and NAME_SIZE, e.g. a model input
    for tl_model_set_input."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise TensorletError(f"cannot export a {array.dtype} array: numbers only")
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return export_bytes(little.tobytes(), name, source,
                        [f"{array.dtype.name}[{','.join(str(d) for d in array.shape)}], little-endian, C order"])


def default_name(path: str | Path) -> str:
    return c_identifier(Path(path).stem)


def export_file(path: str | Path, output: str | Path, name: str | None = None) -> str:
    """Write the header for a .tlet model or an .npy array at `path` to `output`; returns the C name used."""
    path = Path(path)
    name = c_identifier(name) if name else default_name(path)
    if path.suffix == ".npy":
        text = export_array(np.load(path, allow_pickle=False), name, path.name)
    else:
        text = export_model(path.read_bytes(), name, path.name)
    Path(output).write_text(text)
    return name
