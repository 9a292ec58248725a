"""The `skgw` command line: discovers the sub-commands in :mod:`gateway.commands`.

Exit codes used by every sub-command: 0 success, 1 the input was processed but found wrong
(invalid message, failed rule), 2 usage error (bad arguments, unreadable file, bad config).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from gateway import __version__, commands

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 as well; keep its message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="skgw", description="Gateway for the Schuldenknooppunt.")
    parser.add_argument("--version", action="version", version=f"skgw {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `skgw ... | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
