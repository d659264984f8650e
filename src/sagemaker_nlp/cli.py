"""The ``sagemaker-nlp`` console script: one command with subcommands (``localize`` today).

It imports no model code: the subcommands run where only the light requirements are installed
(a CI job localizing a site), unlike ``train`` and ``serve``.
"""
from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    from .localize.cli import add_parser as add_localize

    parser = argparse.ArgumentParser(prog="sagemaker-nlp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_localize(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
