"""Turn schemas/tensorlet.fbs into tensorlet/fbs/layout.py (the table layouts the safe Python decoder walks) and,
given a third path, runtime_embedded/src/tl_schema.h (the same layouts for the C runtime's reader).

Understands the subset of the FlatBuffers schema language that tensorlet.fbs uses:
namespace, file_identifier, enums, unions, tables with scalar/enum/string/table/union/vector fields.
Usage: python schemas/fbs_layout.py schemas/tensorlet.fbs tensorlet/fbs/layout.py [runtime_embedded/src/tl_schema.h]
"""
import pprint
import re
import sys

SCALAR_SIZES = {
    "bool": 1, "byte": 1, "ubyte": 1, "int8": 1, "uint8": 1,
    "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
    "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4,
    "long": 8, "ulong": 8, "int64": 8, "uint64": 8, "double": 8, "float64": 8,
}


def strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", text)


def parse_enum_values(body: str) -> dict[str, int]:
    values, next_value = {}, 0
    for item in filter(None, (part.strip() for part in body.split(","))):
        name, _, value = (s.strip() for s in item.partition("="))
        next_value = int(value, 0) if value else next_value
        values[name] = next_value
        next_value += 1
    return values


def parse_default(raw: str, ftype: str, enums: dict):
    if raw is None:
        if ftype in enums:
            return 0
        return 0.0 if ftype in ("float", "double") else (False if ftype == "bool" else 0)
    if ftype in enums:
        return enums[ftype]["values"][raw] if raw in enums[ftype]["values"] else int(raw)
    if ftype == "bool":
        return raw == "true"
    return float(raw) if ftype in ("float", "double") else int(raw)


def parse(text: str) -> dict:
    text = strip_comments(text)
    enums, unions, tables = {}, {}, {}
    for m in re.finditer(r"enum\s+(\w+)\s*:\s*(\w+)\s*\{([^}]*)\}", text):
        enums[m.group(1)] = {"base": m.group(2), "values": parse_enum_values(m.group(3))}
    for m in re.finditer(r"union\s+(\w+)\s*\{([^}]*)\}", text):
        unions[m.group(1)] = [s.strip() for s in m.group(2).split(",") if s.strip()]
    for m in re.finditer(r"table\s+(\w+)\s*\{([^}]*)\}", text):
        fields = []
        for line in filter(None, (s.strip() for s in m.group(2).split(";"))):
            fm = re.fullmatch(r"(\w+)\s*:\s*(\[?\w+\]?)\s*(?:=\s*([-\w.]+))?\s*(?:\(([^)]*)\))?", line)
            if not fm:
                raise SystemExit(f"cannot parse field {line!r} of table {m.group(1)}")
            name, ftype, default, attrs = fm.groups()
            align = 1
            if attrs and "force_align" in attrs:
                align = int(re.search(r"force_align\s*:\s*(\d+)", attrs).group(1))
            fields.append((name, ftype, parse_default(default, ftype, enums), align))
        tables[m.group(1)] = fields
    root = re.search(r"root_type\s+(\w+)\s*;", text).group(1)
    identifier = re.search(r'file_identifier\s+"(\w{4})"\s*;', text).group(1)
    return {"enums": enums, "unions": unions, "tables": tables, "root": root, "identifier": identifier}


# ---- the C header (runtime_embedded/src/tl_schema.h) ----

C_KINDS = {"bool": "bool", "byte": "i8", "int8": "i8", "ubyte": "u8", "uint8": "u8",
           "short": "i16", "int16": "i16", "ushort": "u16", "uint16": "u16",
           "int": "i32", "int32": "i32", "uint": "u32", "uint32": "u32", "float": "f32", "float32": "f32",
           "long": "i64", "int64": "i64", "ulong": "u64", "uint64": "u64", "double": "f64", "float64": "f64"}
C_TYPES = {"bool": "uint8_t", "i8": "int8_t", "u8": "uint8_t", "i16": "int16_t", "u16": "uint16_t",
           "i32": "int32_t", "u32": "uint32_t", "f32": "float", "i64": "int64_t", "u64": "uint64_t", "f64": "double"}


def c_upper(name: str) -> str:
    """CamelCase or snake_case -> UPPER_SNAKE: Conv2DOptions -> CONV2D_OPTIONS, arena_offset -> ARENA_OFFSET."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", name).upper()


def c_lower(name: str) -> str:
    return c_upper(name).lower()


def _c_literal(value, kind: str) -> str:
    if kind in ("f32", "f64"):
        text = repr(float(value))
        return f"{text}f" if kind == "f32" else text
    if kind == "bool":
        return "1" if value else "0"
    value = int(value)
    if kind == "i32" and value == -(1 << 31):
        return "(-2147483647 - 1)"
    if value < 0:
        return f"({value})"
    return f"{value}u" if kind.startswith("u") else str(value)


ENUM_PREFIXES = {"DType": "DTYPE", "OpCode": "OP", "Activation": "ACTIVATION"}


def _field_kind(ftype: str, schema: dict) -> tuple[str, str]:
    """(kind, ref): kind is a scalar kind (i32, ...), STRING, TABLE, UNION, VEC_<scalar>, VEC_STRING or VEC_TABLE;
    ref names the referenced table (TL_TABLE_*) or union (TL_UNION_*), or for an enum field the enum's value count
    (TL_<ENUM>_COUNT: valid values are 0..count-1), else 0."""
    enums, unions, tables = schema["enums"], schema["unions"], schema["tables"]
    if ftype == "string":
        return "STRING", "0"
    if ftype in unions:
        return "UNION", f"TL_UNION_{c_upper(ftype)}"
    if ftype in tables:
        return "TABLE", f"TL_TABLE_{c_upper(ftype)}"
    if ftype.startswith("["):
        elem = ftype[1:-1]
        if elem == "string":
            return "VEC_STRING", "0"
        if elem in tables:
            return "VEC_TABLE", f"TL_TABLE_{c_upper(elem)}"
        return "VEC_" + C_KINDS[enums[elem]["base"] if elem in enums else elem], "0"
    if ftype in enums:
        values = sorted(enums[ftype]["values"].values())
        if values != list(range(len(values))):
            raise SystemExit(f"enum {ftype}: the C reader expects values 0..N-1, got {values}")
        return C_KINDS[enums[ftype]["base"]], f"TL_{ENUM_PREFIXES.get(ftype, c_upper(ftype))}_COUNT"
    return C_KINDS[ftype], "0"


def _struct_lines(table: str, schema: dict) -> list[str]:
    """A plain C struct holding one decoded table of scalars and scalar vectors (vectors point into the file)."""
    lines = [f"typedef struct tl_{c_lower(table)} {{"]
    for name, ftype, _, _ in schema["tables"][table]:
        kind, _ = _field_kind(ftype, schema)
        if kind.startswith("VEC_") and kind[4:] in C_TYPES:
            lines.append(f"    const {C_TYPES[kind[4:]]} *{name};   /* {ftype}, in the model file */")
            lines.append(f"    uint32_t {name}_count;")
        elif kind in C_TYPES:
            lines.append(f"    {C_TYPES[kind]} {name};   /* {ftype} */")
        else:
            raise SystemExit(f"table {table} field {name}: {ftype} has no plain C struct form")
    lines.append(f"}} tl_{c_lower(table)};")
    return lines


def c_header(schema: dict) -> str:
    enums, unions, tables = schema["enums"], schema["unions"], schema["tables"]
    out = ["/* automatically generated by schemas/fbs_layout.py from schemas/tensorlet.fbs, do not modify */",
           "/* The .tlet schema for the C runtime: enum values, union member ids, and for every table field its",
           "   vtable slot, kind and default, so the C reader cannot drift from the format. */",
           "#ifndef TL_SCHEMA_H", "#define TL_SCHEMA_H", "", "#include <stdint.h>", "",
           f'#define TL_FILE_IDENTIFIER "{schema["identifier"]}"', ""]
    short = ENUM_PREFIXES
    type_names = {"DType": "tl_dtype", "OpCode": "tl_opcode"}
    for enum_name, enum in enums.items():
        prefix = "TL_" + short.get(enum_name, c_upper(enum_name))
        type_name = type_names.get(enum_name, f"tl_{c_lower(enum_name)}")
        out.append(f"/* enum {enum_name} : {enum['base']} */")
        out.append(f"typedef enum {type_name} {{")
        out += [f"    {prefix}_{name} = {value}," for name, value in enum["values"].items()]
        out.append(f"}} {type_name};")
        out.append(f"#define {prefix}_COUNT {max(enum['values'].values()) + 1}")
        out.append(f"/* X(NAME, value) for every {enum_name} */")
        out.append(f"#define {prefix}_LIST(X) \\")
        out += [f"    X({name}, {value}) \\" for name, value in enum["values"].items()]
        out += ["", ""]
    out.append("/* tables, numbered for generic walkers */")
    out.append("enum {")
    out += [f"    TL_TABLE_{c_upper(t)} = {i}," for i, t in enumerate(tables)]
    out.append(f"    TL_TABLE_COUNT = {len(tables)}")
    out.append("};")
    out.append("/* X(UPPER, lower, id) for every table */")
    out.append("#define TL_TABLE_LIST(X) \\")
    out += [f"    X({c_upper(t)}, {c_lower(t)}, {i}) \\" for i, t in enumerate(tables)]
    out += ["", ""]
    out.append("/* unions, numbered for generic walkers; a member id is its position + 1 (0 means none) */")
    out.append("enum {")
    out += [f"    TL_UNION_{c_upper(u)} = {i}," for i, u in enumerate(unions)]
    out.append(f"    TL_UNION_COUNT = {len(unions)}")
    out.append("};")
    out.append("/* X(UPPER, lower, id) for every union */")
    out.append("#define TL_UNION_LIST(X) \\")
    out += [f"    X({c_upper(u)}, {c_lower(u)}, {i}) \\" for i, u in enumerate(unions)]
    out.append("")
    for union_name, members in unions.items():
        prefix = f"TL_{c_upper(union_name)}"
        out.append(f"/* union {union_name} */")
        out.append("enum {")
        out.append(f"    {prefix}_NONE = 0,")
        out += [f"    {prefix}_{c_upper(m)} = {i + 1}," for i, m in enumerate(members)]
        out.append(f"    {prefix}_COUNT = {len(members) + 1}")
        out.append("};")
        out.append(f"/* X(UPPER member, lower member, member id, TL_TABLE_ of the member) */")
        out.append(f"#define {prefix}_LIST(X) \\")
        out += [f"    X({c_upper(m)}, {c_lower(m)}, {i + 1}, TL_TABLE_{c_upper(m)}) \\" for i, m in enumerate(members)]
        out += ["", ""]
    out.append("/* Fields. For TABLE_FIELD: TL_SLOT_ (vtable slot; a union field takes two, _TYPE first),")
    out.append("   TL_KIND_ (i8/u8/i16/u16/i32/u32/f32/bool/..., STRING, TABLE, UNION, VEC_<kind>, VEC_STRING, VEC_TABLE)")
    out.append("   and, for scalars, TL_DEFAULT_. TL_FIELDS_<TABLE>(X) lists X(TABLE, field, slot, kind, default, ref, align)")
    out.append("   in slot order: ref is the TL_TABLE_/TL_UNION_ a field refers to, or an enum field's value count")
    out.append("   (TL_<ENUM>_COUNT), else 0; align is a vector's force_align. */")
    for table, fields in tables.items():
        t = c_upper(table)
        out.append(f"/* table {table} */")
        slot, entries = 0, []
        for name, ftype, default, align in fields:
            kind, ref = _field_kind(ftype, schema)
            f = f"{t}_{c_upper(name)}"
            if kind == "UNION":
                out.append(f"#define TL_SLOT_{f}_TYPE {slot}")
                slot += 1
            out.append(f"#define TL_SLOT_{f} {slot}")
            out.append(f"#define TL_KIND_{f} {kind}")
            literal = "0"
            if kind in C_TYPES:
                literal = _c_literal(default, kind)
                out.append(f"#define TL_DEFAULT_{f} {literal}")
            entries.append(f"    X({t}, {name}, {slot}, {kind}, {literal}, {ref}, {align}) \\")
            slot += 1
        out.append(f"#define TL_SLOTS_{t} {slot}")
        out.append(f"#define TL_FIELDS_{t}(X) \\")
        out += entries
        out += ["", ""]
    out.append("/* Decoded forms of the tables made only of scalars and scalar vectors (every option table and")
    out.append("   QuantParams); a vector field is a pointer into the model file plus its element count. */")
    for table, fields in tables.items():
        if all(_field_kind(ftype, schema)[0] in C_TYPES or
               (_field_kind(ftype, schema)[0].startswith("VEC_") and _field_kind(ftype, schema)[0][4:] in C_TYPES)
               for _, ftype, _, _ in fields):
            out += _struct_lines(table, schema) + [""]
    out.append("#endif /* TL_SCHEMA_H */")
    return "\n".join(out) + "\n"


def main(src: str, dst: str, c_dst: str | None = None) -> None:
    with open(src) as f:
        schema = parse(f.read())
    if c_dst is not None:
        with open(c_dst, "w") as f:
            f.write(c_header(schema))
    with open(dst, "w") as f:
        f.write("# automatically generated by schemas/fbs_layout.py from schemas/tensorlet.fbs, do not modify\n")
        f.write('"""Table layouts of tensorlet.fbs for the bounds-checked decoder."""\n\n')
        f.write(f"SCALAR_SIZES = {pprint.pformat(SCALAR_SIZES, sort_dicts=False)}\n\n")
        f.write(f"ENUMS = {pprint.pformat(schema['enums'], sort_dicts=False)}\n\n")
        f.write(f"UNIONS = {pprint.pformat(schema['unions'], sort_dicts=False)}\n\n")
        f.write("# table -> [(field, type, default, alignment)], in slot order; a union field takes two slots\n")
        f.write(f"TABLES = {pprint.pformat(schema['tables'], sort_dicts=False)}\n\n")
        f.write(f"ROOT = {schema['root']!r}\n")
        f.write(f"IDENTIFIER = {schema['identifier'].encode()!r}\n")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__.strip().splitlines()[-1])
    main(*sys.argv[1:])
