"""``python -m geo import FILE``: incident data from the command line.

``import`` prints the report (German text, or one JSON object with ``--json``) and
exits 0 when every row was accepted, 1 when some rows were rejected (the valid ones
are stored unless ``--strict``), 2 when the file is unusable (nothing stored; the
message comes from the central `AtlasError` handler in :mod:`geo.cli`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli.options import add_store
from geo.files import write_output
from geo.incidents import read_incidents
from geo.store import connect


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="Vorfalldatei prüfen und in den Datenspeicher übernehmen",
        description=(
            "Liest CSV, XLSX, GeoJSON, GeoPackage oder Open311-JSON (Einzelfälle oder Fallzahlen je "
            "Gebiet), prüft jede Zeile und speichert die gültigen. Exit-Code 0: alles übernommen, "
            "1: Zeilen abgelehnt, 2: Datei unbrauchbar."
        ),
    )
    parser.add_argument("file", type=Path, help="die Datei")
    add_store(parser)
    parser.add_argument("--name", help="Name des Datensatzes (Standard: Dateiname)")
    parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
    parser.add_argument(
        "--strict", action="store_true", help="nichts speichern, wenn eine Zeile abgelehnt wird"
    )
    parser.add_argument("--json", action="store_true", help="Bericht als ein JSON-Objekt ausgeben")
    parser.add_argument(
        "--mapping", type=Path, help="eigene Kategorienzuordnung (CSV: Bezeichnung;Kategorie)"
    )
    parser.add_argument("--crs", help="Koordinatensystem, z. B. EPSG:31468 (sonst erkannt)")
    parser.add_argument(
        "--period", help="Zeitraum einer Tabelle ohne Datumsspalte, z. B. 2022 oder 2021-07..2022-06"
    )
    parser.add_argument("--encoding", help="Zeichenkodierung erzwingen, z. B. cp1252")
    parser.add_argument("--delimiter", help="Trennzeichen erzwingen, z. B. ';'")
    parser.add_argument("--decimal", choices=[",", "."], help="Dezimalzeichen erzwingen")
    parser.add_argument("--date-format", help="Datumsformat erzwingen, z. B. %%d.%%m.%%Y %%H:%%M")
    parser.add_argument("--sheet", help="Tabellenblatt einer XLSX-Datei (Standard: das erste)")
    parser.add_argument("--rejected", type=Path, help="abgelehnte Zeilen mit Grund als CSV hierhin schreiben")
    parser.set_defaults(run=run_import)


def _read_options(args: argparse.Namespace) -> dict[str, object]:
    options = {
        "mapping": args.mapping,
        "crs": args.crs,
        "period": args.period,
        "encoding": args.encoding,
        "delimiter": args.delimiter,
        "decimal": args.decimal,
        "date_format": args.date_format,
        "sheet": args.sheet,
    }
    return {k: v for k, v in options.items() if v is not None}


def run_import(args: argparse.Namespace) -> int:
    options = _read_options(args)
    if args.dry_run:
        report = read_incidents(args.file, **options).report
    else:
        report = connect(args.store).import_file(
            args.file, name=args.name, strict=args.strict, **options
        )
    if args.rejected is not None and report.rejected:
        write_output(args.rejected, report.rejected_csv())
    print(report.to_json() if args.json else report.to_text())
    return 1 if report.rejected else 0
