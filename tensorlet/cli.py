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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors print one line on stderr and give a non-zero exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (TensorletError, OSError) as e:
        print(f"tensorlet {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
