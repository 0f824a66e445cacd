"""``python -m geo speicher beiseitelegen [--store DIR]``: the way out of a damaged store.

Renames ``vorfaelle.sqlite`` to ``vorfaelle.sqlite.beschaedigt-<UTC time>`` (never over an existing
file, its journal with it; :meth:`geo.store.IncidentStore.set_aside`); the next import starts a
new, empty store. Nothing is deleted: the old file can be sent for recovery or put back.
"""

from __future__ import annotations

import argparse

from geo.cli.options import add_store
from geo.store import IncidentStore


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "speicher", help="den Datenspeicher verwalten (eine beschädigte Datei beiseitelegen)",
        description="Befehle für die Datei des Datenspeichers (vorfaelle.sqlite).")
    actions = parser.add_subparsers(dest="aktion", required=True, metavar="AKTION")
    aside = actions.add_parser(
        "beiseitelegen", help="die Datei umbenennen und mit einem leeren Datenspeicher beginnen",
        description="Benennt vorfaelle.sqlite in vorfaelle.sqlite.beschaedigt-<Zeit, UTC> um (eine "
                    "vorhandene Datei wird nie überschrieben). Der nächste Import beginnt einen neuen, "
                    "leeren Datenspeicher; gelöscht wird nichts.")
    add_store(aside)
    aside.set_defaults(run=run_set_aside)


def run_set_aside(args: argparse.Namespace) -> int:
    store = IncidentStore(args.store)
    moved = store.set_aside()
    print(f"Datenspeicher beiseitegelegt: {store.path} heißt jetzt {moved.name} (unverändert, im selben "
          f"Verzeichnis). Der nächste Import beginnt einen neuen, leeren Datenspeicher.")
    return 0
