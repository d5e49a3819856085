"""Microcontroller benchmark: instructions per inference, code size and RAM of the C runtime on Cortex-M4 and
Cortex-M55 for the MLPerf Tiny int8 models, next to TFLite Micro.

- Instructions: the runner firmware under qemu-system-arm -icount shift=0, where each instruction advances virtual
  time by exactly 1 ns; SysTick on the core clock then counts instructions in steps of 1e9/clock (40 on mps2-an386,
  31.25 on mps3-an547), calibrated in the same run with a loop of a known instruction count. Each model runs twice
  and both counts must agree (the method is deterministic). One inference (the first) is counted, load and bind are
  not. Instructions are not cycles: on a real M4 a load takes 2 cycles, a taken branch 2-4.
- Code size: the runtime linked alone (ports/cortex-m/size_main.c: load, bind, invoke; the model not linked in) with
  only the model's ops (-DTL_SELECT_OPS -DTL_USE_<OP>), -Os and -O2, arm-none-eabi-gcc 12, --gc-sections; split by
  the link map into runtime core, kernels, libgcc (soft double, 64-bit division) and the port (startup, semihosting).
- RAM: the arena tl_model_arena_size reports on the target (activations + the runtime's tables + kernel state),
  sizeof(tl_model), and the deepest stack use of the run (load + bind + invoke, painted stack).

Usage: python benchmarks/mcu_bench.py [--models kws,vww,ic,ad] [--cpus m4,m55] [--json out.json]
Needs the corpus (../shared/corpus), gcc-arm-none-eabi and qemu-system-arm.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tensorlet import native  # noqa: E402
from tensorlet.bench import count_instructions as count_cortex_m  # noqa: E402
from tensorlet.converter.planner import apply_plan  # noqa: E402
from tensorlet.converter.reader import from_bytes  # noqa: E402
from tensorlet.converter.tflite_import import import_tflite  # noqa: E402
from tensorlet.converter.writer import to_bytes  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
MODELS = {"kws": "kws/kws_ref_model.tflite", "vww": "vww/vww_96_int8.tflite", "ic": "ic/pretrainedResnet_quant.tflite",
          "ad": "ad/ad01_int8.tflite"}
# TFLite Micro's arena for these models (RecordingMicroAllocator, x86-64; shared/docs/anchors.md)
TFLM_ARENA = {"kws": 24224, "ic": 55936, "vww": 103568, "ad": 17360}
# MLPerf Tiny v0.5 reference (TFLM 2.3.1 + CMSIS-NN, NUCLEO-L4R5ZI Cortex-M4F @ 120 MHz), ms per inference
TFLM_M4_MS = {"kws": 181.917, "vww": 600.601, "ic": 704.225, "ad": 10.052}
# TFLite Micro's published code size (tensorflow.org/lite/microcontrollers/overview): "the core runtime just fits
# in 16 KB on an Arm Cortex M3", and with the ops of its (smaller, micro_speech) keyword-spotting model 22 KB
TFLM_CODE = {"core_runtime_cortex_m3": 16 * 1024, "with_keyword_model_ops": 22 * 1024}
GOALS = {"kws_m4_instructions": 6_000_000, "kws_m4_code_bytes": 20 * 1024}
RELEASE = "-Os -DTL_NO_DETAIL_MESSAGES"  # the firmware build: status codes kept, detail strings compiled out
KERNEL_FILES = {p.stem for p in (native.RUNTIME / "kernels").rglob("*.c")}


def load_models(names: list[str]) -> dict:
    out = {}
    for name in names:
        model = import_tflite((CORPUS / "mlperf_tiny" / MODELS[name]).read_bytes())
        apply_plan(model)
        data = to_bytes(model)
        parsed = from_bytes(data)
        ops = sorted({op.opcode.name for op in parsed.operators})
        out[name] = {"data": data, "ops": ops, "input": sample_input(name, parsed)}
    return out


def sample_input(name: str, model) -> list[np.ndarray]:
    """The TFLite Micro golden input where there is one (KWS, AD window 0), else a seeded random int8 input."""
    if name == "kws":
        return [np.load(CORPUS / "goldens/kws_ref_model_sample.npz")["x"]]
    if name == "ad":
        return [np.load(CORPUS / "goldens/ad01_toycar_normal_id01.npz")["x_int8"][:1]]
    rng = np.random.default_rng(0)
    return [rng.integers(-128, 128, model.tensors[i].shape).astype(np.int8) for i in model.inputs]


def count_instructions(cpu: str, model: dict) -> dict:
    """Instructions of one inference (two identical runs) and the RAM the target reports."""
    return count_cortex_m(cpu, model["data"], model["input"])


_MAP_SECTION = re.compile(r"^(\.\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)")
_MAP_INPUT = re.compile(r"^ (\.\S+|\*fill\*)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)(?:\s+(\S.*))?$")


def map_breakdown(map_file: Path) -> dict:
    """Bytes of .text/.rodata/.data per part (core, kernels, libgcc, port, fill) from a GNU ld map file."""
    parts: dict = {}
    section, pending = None, None
    text = map_file.read_text()
    for line in text[text.index("Linker script and memory map"):].splitlines():
        head = _MAP_SECTION.match(line)
        if head:
            section, pending = head.group(1), None
            continue
        if section not in (".vectors", ".text", ".rodata", ".data", ".ARM.exidx"):
            continue
        if re.match(r"^ \.\S+\s*$", line):
            pending = line.strip()
            continue
        entry = _MAP_INPUT.match(line)
        if not entry or (entry.group(1) is None and pending is None):
            continue
        size, origin = int(entry.group(2), 16), entry.group(3) or ""
        pending = None
        if size == 0:
            continue
        if entry.group(1) == "*fill*":
            part = "fill"
        elif "libgcc.a" in origin:
            part = "libgcc"
        elif "libtensorlet.a(" in origin:
            obj = origin.split("(")[1].rstrip(")")
            part = "kernels" if obj[:-2] in KERNEL_FILES else "core"
        else:
            part = "port"
        kind = "text" if section in (".vectors", ".text", ".ARM.exidx") else section[1:]
        parts.setdefault(part, {}).setdefault(kind, 0)
        parts[part][kind] += size
    return parts


def code_size(cpu: str, opt: str, ops: list[str], tag: str) -> dict:
    build = f"build/size/{cpu}{opt.replace(' ', '_')}-{tag}"
    native.require("make", "arm-none-eabi-gcc")
    native.make("cm-size", f"CM_CPU={cpu}", f"CM_OPT={opt}", f"CM_OPS={' '.join(ops)}", f"CM_BUILD={build}")
    elf = native.RUNTIME / build / "size.elf"
    sysv = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    sections = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\.\S+)\s+(\d+)", sysv, re.M)}
    symbols = subprocess.run(["arm-none-eabi-nm", "-S", str(elf)], capture_output=True, text=True, check=True).stdout
    model_struct = next(int(m.group(1), 16) for m in re.finditer(r"^\S+ (\S+) [bB] model\.\d+$", symbols, re.M))
    breakdown = map_breakdown(elf.with_suffix(".map"))
    text = sections.get(".vectors", 0) + sections.get(".text", 0) + sections.get(".ARM.exidx", 0)
    rodata = sections.get(".rodata", 0) + sections.get(".data", 0)
    runtime_text = sum(breakdown.get(p, {}).get("text", 0) for p in ("core", "kernels"))
    runtime_rodata = sum(breakdown.get(p, {}).get(k, 0) for p in ("core", "kernels") for k in ("rodata", "data"))
    return {"text": text, "rodata": rodata, "flash": text + rodata, "runtime_text": runtime_text,
            "runtime_rodata": runtime_rodata, "libgcc_text": breakdown.get("libgcc", {}).get("text", 0),
            "parts": breakdown, "sizeof_tl_model": model_struct}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="kws,vww,ic,ad")
    parser.add_argument("--cpus", default="m4,m55")
    parser.add_argument("--json", metavar="PATH", help="also write the JSON here")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"the corpus is absent ({CORPUS}): nothing to measure", file=sys.stderr)
        return 2
    native.require("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
    names, cpus = args.models.split(","), args.cpus.split(",")
    started = time.time()
    models = load_models(names)
    results: dict = {"method": {
        "instructions": "qemu-system-arm 7.2 -icount shift=0, SysTick on the core clock, calibrated; two runs equal",
        "code": "arm-none-eabi-gcc 12 -ffunction-sections --gc-sections, only the model's ops; size_main.c probe",
        "ram": "tl_model_arena_size on the target + sizeof(tl_model); stack peak measured separately"},
        "tflm": {"arena_x86_64": TFLM_ARENA, "m4f_120mhz_ms": TFLM_M4_MS, "code": TFLM_CODE}, "models": {}}
    for name, model in models.items():
        entry = results["models"][name] = {"ops": model["ops"], "model_bytes": len(model["data"]), "cpus": {}}
        for cpu in cpus:
            counted = count_instructions(cpu, model)
            sizes = {opt: code_size(cpu, opt, model["ops"], name) for opt in ("-Os", "-O2", RELEASE)}
            counted["ram_bytes"] = counted["arena_bytes"] + sizes["-Os"]["sizeof_tl_model"]
            entry["cpus"][cpu] = {**counted, "code": sizes}
    all_ops = sorted({op for m in models.values() for op in m["ops"]})
    results["all_ops_code"] = {cpu: code_size(cpu, "-Os", list(all_ops), "all") for cpu in cpus}
    results["seconds"] = round(time.time() - started, 1)
    report(results, cpus)
    goals = goals_of(results)
    results["goals"] = goals
    for goal in goals.values():
        print(f"goal: {goal['what']}: {goal['value']:,} vs {goal['limit']:,} -> {'met' if goal['met'] else 'NOT met'}")
    text = json.dumps(results, indent=None, default=float)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))
    print(text)
    return 0


def goals_of(results: dict) -> dict:
    goals = {}
    kws = results["models"].get("kws", {}).get("cpus", {}).get("m4")
    if kws:
        goals["kws_m4_instructions"] = {"what": "KWS int8 instructions per inference on Cortex-M4",
                                        "value": kws["instructions"], "limit": GOALS["kws_m4_instructions"],
                                        "met": kws["instructions"] < GOALS["kws_m4_instructions"]}
        code = kws["code"][RELEASE]
        goals["kws_m4_code"] = {"what": f"runtime code for KWS's ops on Cortex-M4 ({RELEASE}, .text + .rodata of the "
                                        "runtime objects, libgcc and port excluded)",
                                "value": code["runtime_text"] + code["runtime_rodata"],
                                "limit": GOALS["kws_m4_code_bytes"],
                                "met": code["runtime_text"] + code["runtime_rodata"] < GOALS["kws_m4_code_bytes"]}
    arena_ok = all(c["arena_bytes"] <= TFLM_ARENA[name] for name, m in results["models"].items()
                   for c in m["cpus"].values())
    worst = max((c["arena_bytes"] / TFLM_ARENA[name], name) for name, m in results["models"].items()
                for c in m["cpus"].values())
    goals["arena"] = {"what": f"arena / TFLite Micro's, worst model ({worst[1]}), x1000",
                      "value": round(1000 * worst[0]), "limit": 1000, "met": arena_ok}
    return goals


def report(results: dict, cpus: list[str]) -> None:
    print("\nInstructions per inference (QEMU -icount shift=0 + SysTick; Cortex-M4/M7 DSP and M55 MVE kernels)")
    print(f"{'model':<6}{'cpu':<5}{'instructions':>14}{'repeatable':>11}{'TFLM M4F@120MHz':>17}"
          f"{'= cycles':>13}")
    for name, m in results["models"].items():
        for cpu in cpus:
            c = m["cpus"][cpu]
            ms = TFLM_M4_MS[name]
            print(f"{name:<6}{cpu:<5}{c['instructions']:>14,}{str(c['repeatable']):>11}{ms:>15.1f} ms"
                  f"{round(ms * 120e3):>13,}")
    print("\nCode size, only the model's ops (bytes; flash = .text + .rodata + .data of the whole probe image)")
    print(f"{'model':<6}{'cpu':<5}{'opt':<5}{'flash':>8}{'.text':>8}{'.rodata':>9}{'runtime':>9}{'rt .text':>9}"
          f"{'libgcc':>8}  ops")
    for name, m in results["models"].items():
        for cpu in cpus:
            for opt, s in m["cpus"][cpu]["code"].items():
                print(f"{name:<6}{cpu:<5}{opt:<5}{s['flash']:>8,}{s['text']:>8,}{s['rodata']:>9,}"
                      f"{s['runtime_text'] + s['runtime_rodata']:>9,}{s['runtime_text']:>9,}{s['libgcc_text']:>8,}"
                      f"  {' '.join(m['ops'])}")
    for cpu, s in results["all_ops_code"].items():
        print(f"{'all4':<6}{cpu:<5}{'-Os':<5}{s['flash']:>8,}{s['text']:>8,}{s['rodata']:>9,}"
              f"{s['runtime_text'] + s['runtime_rodata']:>9,}{s['runtime_text']:>9,}{s['libgcc_text']:>8,}"
              f"  (the union of the four models' ops)")
    print("TFLite Micro (published): core runtime 16 KB on Cortex-M3, 22 KB with a keyword model's ops")
    print("\nRAM (bytes): arena on the target (activations + runtime tables + kernel state) + sizeof(tl_model)")
    print(f"{'model':<6}{'cpu':<5}{'arena':>8}{'+state':>8}{'= RAM':>8}{'stack peak':>11}{'TFLM arena':>12}"
          f"{'ratio':>7}")
    for name, m in results["models"].items():
        for cpu in cpus:
            c = m["cpus"][cpu]
            state = c["code"]["-Os"]["sizeof_tl_model"]
            print(f"{name:<6}{cpu:<5}{c['arena_bytes']:>8,}{state:>8,}{c['ram_bytes']:>8,}{c['stack_peak_bytes']:>11,}"
                  f"{TFLM_ARENA[name]:>12,}{c['arena_bytes'] / TFLM_ARENA[name]:>7.2f}")
    print()


if __name__ == "__main__":
    sys.exit(main())
