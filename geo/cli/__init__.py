"""The command line: ``python -m geo COMMAND ...``, one module per command.

Each module registers its command through a ``register(subparsers)`` function; this
package only wires them together and turns `AtlasError` into a German message and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import geo
from geo.cli import (
    asskomm,
    befragung,
    demo,
    evaluate,
    gebiet,
    grenzen,
    hotspots,
    imports,
    massnahmen,
    osm,
    report,
    sicherung,
    speicher,
)
from geo.errors import AtlasError

#: Modules with a ``register(subparsers)`` function, in the order ``--help`` lists them.
COMMANDS = (gebiet, imports, demo, hotspots, evaluate, report, befragung, asskomm, osm, massnahmen, speicher,
            sicherung, grenzen)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Präventionsatlas Sachsen – Befehle für Daten und Auswertungen.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {geo.__version__}",
                        help="Version zeigen und beenden")
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
