"""The command line: ``python -m geo COMMAND ...``.

Each command lives in its own module and registers itself through a
``register(subparsers)`` function; this file only wires them together and turns
`AtlasError` into a German message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from geo import cli_asskomm, cli_hotspots, cli_import, cli_info, cli_report, cli_survey
from geo.errors import AtlasError

#: Modules with a ``register(subparsers)`` function, in the order ``--help`` lists them.
COMMANDS = (cli_info, cli_import, cli_hotspots, cli_report, cli_survey, cli_asskomm)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Präventionsatlas Sachsen – Befehle für Daten und Auswertungen.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except AtlasError as err:
        print(f"Fehler: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
