"""``python -m geo asskomm [DATEI]``: check an ASSKomm member file and show the network figures.

For whoever keeps ``data/asskomm/`` current (Landespräventionsrat, a Kreis): the file is
validated exactly as the app validates an upload; problems end in one German message
with file, row and column (exit 2), a valid file prints a summary (exit 0).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import asskomm
from geo.fmt import zahl


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "asskomm",
        help="ASSKomm-Mitgliederdatei prüfen und Netzwerk-Kennzahlen zeigen",
        description=("Prüft eine Datei im Format von data/asskomm/asskomm_kommunen.csv (ohne Angabe: die "
                     "mitgelieferte) und zeigt Zählungen und die neuesten Kennzahlen mit Datum und Quelle."),
    )
    parser.add_argument("file", nargs="?", type=Path, help="Mitgliederdatei (CSV)")
    parser.add_argument("--kennzahlen", type=Path, help="Kennzahlendatei (Standard: die mitgelieferte)")
    parser.add_argument("--zusammenfuehren", action="store_true",
                        help="die Datei mit der mitgelieferten Liste zusammenführen und das Ergebnis zählen")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    members = asskomm.load_members(args.file)
    if args.file is not None and args.zusammenfuehren:
        members = asskomm.merge_members(asskomm.load_members(), members)
    counts = asskomm.member_summary(members)
    name = args.file.name if args.file else asskomm.MEMBERS_CSV.name
    print(f"{name}: {counts['gesamt']} Gemeinden, gültig.")
    for status in asskomm.STATUS:
        print(f"  {status:34} {counts[status]:4}")
    print(f"  {'Präventionsrat (ja)':34} {counts['praeventionsrat_ja']:4}")
    print(f"  {'Sicherheitsanalyse (durchgeführt)':34} {counts['sicherheitsanalyse_durchgefuehrt']:4}")
    print("Kennzahlen (neuester Stand je Kennzahl):")
    for _, row in asskomm.latest_figures(asskomm.load_figures(args.kennzahlen)).iterrows():
        print(f"  {row['bezeichnung']:34} {zahl(row['wert']):>10}  {row['datum_text']:>10}  {row['quelle']}")
    print(asskomm.UNVOLLSTAENDIG)
    return 0
