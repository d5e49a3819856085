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

    run = commands.add_parser("run", help="run a .tlet model on inputs from an .npy/.npz file",
                              description="Run a .tlet model on N samples stacked along the first axis of each "
                                          "input array; outputs are stacked the same way.")
    run.add_argument("model", metavar="MODEL.tlet", help="the model file")
    run.add_argument("--input", required=True, metavar="X.npy|X.npz",
                     help="inputs: one .npy array, or an .npz with one array per input (by name or order)")
    run.add_argument("--output", metavar="Y.npy|Y.npz", help="write the outputs here instead of printing them")
    run.add_argument("--backend", default="reference", choices=sorted(BACKENDS), help="where to run it")
    run.set_defaults(handler=_run)
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
