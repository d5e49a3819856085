"""The `tensorlet` command line: one entry point, one subcommand per job."""
from __future__ import annotations

import argparse
import json
import sys

from tensorlet.errors import TensorletError


def _inspect(args: argparse.Namespace) -> int:
    from tensorlet.converter.reader import from_bytes
    from tensorlet.converter.summary import format_summary, summarize

    with open(args.model, "rb") as f:
        data = f.read()
    summary = summarize(from_bytes(data), file_size=len(data))
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from tensorlet.converter.convert import convert
    from tensorlet.converter.quantize import format_report
    from tensorlet.converter.summary import format_summary, summarize

    bar = None
    if args.quantize == "int8" and not args.json:
        bar = tqdm(desc="calibrating", unit="sample", leave=False)
    try:
        result = convert(args.source, quantize=args.quantize, calibration=args.calibration,
                         method=args.calibration_method, io=args.io, calibration_limit=args.calibration_limit,
                         progress=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    with open(args.output, "wb") as f:
        f.write(result.data)
    summary = summarize(result.model, file_size=len(result.data))
    if args.json:
        print(json.dumps({"source_format": result.source_format, "output": args.output,
                          "seconds": round(result.seconds, 3), "notes": result.notes, "summary": summary,
                          "quantization_report": result.report}, indent=2, default=float))
        return 0
    print(format_summary(summary))
    for note in result.notes:
        print(f"note        {note}")
    if result.report is not None:
        print()
        print(format_report(result.report))
    print(f"\nwrote {args.output} ({len(result.data):,} bytes) from {result.source_format} in {result.seconds:.2f} s")
    return 0


def _load_arrays(path: str):
    """An .npy (one array) or .npz (arrays by input name or arr_0..) file."""
    import numpy as np

    data = np.load(path, allow_pickle=False)
    return dict(data.items()) if hasattr(data, "files") else data


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    from tensorlet.backends import run_batch
    from tensorlet.converter.reader import from_bytes

    with open(args.model, "rb") as f:
        model = from_bytes(f.read())
    outputs = run_batch(model, _load_arrays(args.input), backend=args.backend)
    names = [model.tensors[i].name for i in model.outputs]
    if args.output:
        if args.output.endswith(".npz"):
            np.savez(args.output, **dict(zip(names, outputs)))
        elif len(outputs) == 1:
            np.save(args.output, outputs[0])
        else:
            raise TensorletError(f"the model has {len(outputs)} outputs: write them to an .npz file")
        print(f"wrote {', '.join(f'{n} {o.dtype}{list(o.shape)}' for n, o in zip(names, outputs))} to {args.output}")
        return 0
    for name, out in zip(names, outputs):
        print(f"{name} {out.dtype}{list(out.shape)}")
        print(np.array2string(out, threshold=200, precision=6))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from tensorlet.backends import samples_of
    from tensorlet.bench import bench, format_bench
    from tensorlet.converter.reader import from_bytes

    with open(args.model, "rb") as f:
        data = f.read()
    inputs = samples_of(from_bytes(data), _load_arrays(args.input))[0] if args.input else None
    report = bench(data, [b.strip() for b in args.backend.split(",") if b.strip()], runs=args.runs,
                   warmup=args.warmup, inputs=inputs)
    print(json.dumps(report, indent=2) if args.json else format_bench(args.model, report))
    return 0


def _export_c(args: argparse.Namespace) -> int:
    from tensorlet.export_c import export_file

    name = export_file(args.model, args.output, args.name)
    print(f"wrote {args.output}: {name}[] ({name.upper()}_SIZE bytes, 16-byte aligned)")
    return 0


def _train(args: argparse.Namespace) -> int:
    from tensorlet.train.recipes import RECIPES, run_recipe

    recipe = RECIPES[args.recipe]
    output = args.output or f"{recipe.name}.onnx"
    result = run_recipe(recipe, output=output, epochs=args.epochs, data_dir=args.data, seed=args.seed,
                        verbose=0 if args.quiet else 1)
    verdict = "reached" if result.test_accuracy >= recipe.target else "MISSED"
    print(f"{recipe.name}: {recipe.description}")
    print(f"trained {result.parameters:,} parameters for {result.epochs} epochs on {result.train_samples:,} samples "
          f"in {result.train_seconds:.1f} s")
    print(f"test accuracy {result.test_accuracy:.2%} on {result.test_samples:,} held-out samples "
          f"({verdict} the {recipe.target:.1%} target)")
    print(f"wrote {output}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from tensorlet.demo import default_model, serve

    return serve(args.model or default_model(), port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tensorlet",
                                     description="Train, convert and run small neural networks anywhere.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__import__('tensorlet').__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    inspect = commands.add_parser("inspect", help="show a .tlet model's ops, shapes, MACs, memory and metadata",
                                  description="Show a .tlet model's ops, shapes, MACs, memory plan and metadata.")
    inspect.add_argument("model", metavar="MODEL.tlet", help="the model file")
    inspect.add_argument("--json", action="store_true", help="print JSON instead of a table")
    inspect.set_defaults(handler=_inspect)

    from tensorlet.backends import BACKENDS
    from tensorlet.converter.convert import CALIBRATION_METHODS, IO_MODES, QUANTIZE_MODES

    convert = commands.add_parser("convert", help="convert an ONNX or TFLite model to .tlet",
                                  description="Convert an ONNX or TFLite model to .tlet: import, optimize, "
                                              "optionally quantize, plan memory, write; prints a summary.")
    convert.add_argument("source", metavar="IN.onnx|IN.tflite", help="the source model")
    convert.add_argument("-o", "--output", required=True, metavar="OUT.tlet", help="where to write the model")
    convert.add_argument("--quantize", default="none", choices=QUANTIZE_MODES,
                         help="int8: post-training quantization (needs --calibration); float16: fp16 weights")
    convert.add_argument("--calibration", metavar="PATH",
                         help="calibration inputs: .npy (N samples), .npz (one array per input) or an image folder")
    convert.add_argument("--calibration-method", default="minmax", choices=CALIBRATION_METHODS,
                         help="how activation ranges are chosen from the calibration data")
    convert.add_argument("--calibration-limit", type=int, metavar="N", help="use at most N calibration samples")
    convert.add_argument("--io", default="float", choices=IO_MODES,
                         help="int8 models: take and return float (quantizing at the edges) or int8 tensors")
    convert.add_argument("--json", action="store_true", help="print JSON instead of tables")
    convert.set_defaults(handler=_convert)

    run = commands.add_parser("run", help="run a .tlet model on inputs from an .npy/.npz file",
                              description="Run a .tlet model on N samples stacked along the first axis of each "
                                          "input array; outputs are stacked the same way.")
    run.add_argument("model", metavar="MODEL.tlet", help="the model file")
    run.add_argument("--input", required=True, metavar="X.npy|X.npz",
                     help="inputs: one .npy array, or an .npz with one array per input (by name or order)")
    run.add_argument("--output", metavar="Y.npy|Y.npz", help="write the outputs here instead of printing them")
    run.add_argument("--backend", default="wasm", choices=sorted(BACKENDS),
                     help="where to run it (default: the WebAssembly runtime; reference: the numpy oracle)")
    run.set_defaults(handler=_run)

    bench = commands.add_parser("bench", help="time a .tlet model on one or more backends",
                                description="Time single inferences of a .tlet model: median and p10-p90 "
                                            "milliseconds on the host backends (wasm, native, reference), "
                                            "instructions per inference on the Cortex-M ones (QEMU -icount).")
    bench.add_argument("model", metavar="MODEL.tlet", help="the model file")
    bench.add_argument("--backend", default="wasm,native", metavar="B[,B...]",
                       help="comma-separated: wasm, native, reference, cortex-m4, cortex-m7, cortex-m55 "
                            "(default wasm,native)")
    bench.add_argument("--runs", type=int, default=200, help="timed runs per host backend (default 200)")
    bench.add_argument("--warmup", type=int, default=20, help="untimed runs first (default 20)")
    bench.add_argument("--input", metavar="X.npy|X.npz", help="time on the first sample of these inputs "
                                                              "(default: random inputs)")
    bench.add_argument("--json", action="store_true", help="print the report as JSON")
    bench.set_defaults(handler=_bench)

    export_c = commands.add_parser("export-c", help="write a .tlet model as a C header (a 16-byte aligned array)",
                                   description="Write a .tlet model as a C header holding one 16-byte aligned const "
                                               "uint8_t array, the way firmware embeds it (also takes an .npy "
                                               "array, e.g. a model input).")
    export_c.add_argument("model", metavar="MODEL.tlet", help="the model file (or an .npy array)")
    export_c.add_argument("-o", "--output", required=True, metavar="MODEL.h", help="where to write the header")
    export_c.add_argument("--name", help="the array's C name (default: the input file's name)")
    export_c.set_defaults(handler=_export_c)

    from tensorlet.train.recipes import RECIPES

    train = commands.add_parser("train", help="train a recipe model on real data and export it as ONNX",
                                description="Train a recipe on real data, report its held-out test accuracy and "
                                            "export the model as ONNX.")
    train.add_argument("recipe", choices=sorted(RECIPES), help="what to train")
    train.add_argument("-o", "--output", metavar="MODEL.onnx", help="where to write the model (default RECIPE.onnx)")
    train.add_argument("--epochs", type=int, metavar="N", help="train N epochs instead of the recipe's")
    train.add_argument("--data", metavar="DIR", help="the dataset folder, if not in its default place")
    train.add_argument("--seed", type=int, default=0, help="seed for weights, shuffling and augmentation")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=_train)

    demo = commands.add_parser("demo", help="serve the in-browser demo on 127.0.0.1 (`make demo` builds its model)",
                               description="Serve the in-browser demo (draw a digit; bring your own .tlet model) on "
                                           "127.0.0.1 and print its URL; Ctrl-C stops it.")
    demo.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0: any free port)")
    demo.add_argument("--model", metavar="M.tlet", help="the model of the draw page (default: the one `make demo` "
                                                        "builds, .make/demo/mnist-cnn.tlet)")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors print one line on stderr and give a non-zero exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (TensorletError, OSError, ValueError) as e:
        print(f"tensorlet {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
