"""``python -m geo report KEY --out FILE.(html|pdf)``: the Sicherheitsanalyse report of an area."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.errors import AtlasError
from geo.files import write_output
from geo.report.make import FORMATS, make_report, render
from geo.survey.angstraeume import load_angstraeume
from geo.survey.shares import load_shares


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="Sicherheitsanalyse-Bericht einer Gemeinde, eines Verbands oder Kreises (HTML/PDF)",
        description=(
            "Erzeugt den Bericht (Profil, lokale Daten, Bürgerbefragung, Analyse, Platz für "
            "Empfehlungen) als eigenständige HTML-Datei oder als PDF (A4). Ohne --store oder bei leerem "
            "Datenspeicher mit Demodaten (synthetisch)."
        ),
    )
    parser.add_argument("key", help="AGS (z. B. 14522180), 9-stelliger Verbandsschlüssel oder Kreisschlüssel")
    parser.add_argument("--store", type=Path, default=None, help="Verzeichnis des Datenspeichers")
    parser.add_argument("--out", type=Path, required=True, help="Ausgabedatei, Endung .html oder .pdf")
    parser.add_argument("--anteile", type=Path, help="Befragung: Anteile je Gebiet (CSV)")
    parser.add_argument("--angstraeume", type=Path, help="Befragung: Angsträume (CSV, GeoJSON, GeoPackage)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    fmt = args.out.suffix.casefold().lstrip(".")
    if fmt not in FORMATS:
        msg = f"{args.out.name}: die Ausgabedatei muss auf .html oder .pdf enden."
        raise AtlasError(msg)
    shares = load_shares(args.anteile) if args.anteile else None
    places = load_angstraeume(args.angstraeume) if args.angstraeume else None
    report = make_report(args.key, store=args.store, shares=shares, angstraeume=places)
    data = render(report, fmt)
    write_output(args.out, data)
    label = " (Demodaten, synthetisch)" if report.demo else ""
    print(f"{report.title}{label}: {args.out} ({len(data) // 1024} KB)")
    return 0
