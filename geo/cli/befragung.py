"""``python -m geo befragung``: survey results against incidents (fear and incidents per area).

Reads per-area shares (``--anteile``) and/or Angsträume (``--angstraeume``), or the demo
survey (``--demo``), takes the incidents from a store (``--store``) or demo data, and
prints how many areas fall in each class, with the caveat; ``--out`` writes the table
as CSV (``;``, decimal comma, UTF-8 with BOM for Excel).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from geo.errors import AtlasError
from geo.export import to_csv_bytes
from geo.files import write_output
from geo.fmt import zahl
from geo.incidents.demo import demo_points
from geo.store import connect
from geo.survey import coincide, demo
from geo.survey.angstraeume import load_angstraeume
from geo.survey.shares import load_shares


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "befragung",
        help="Bürgerbefragung mit Vorfällen abgleichen (Angst und Vorfälle je Gemeinde oder Rasterzelle)",
        description=("Ordnet Gemeinden (Anteile) oder Rasterzellen (Angsträume) in "
                     "Angst/Vorfälle-Klassen ein."),
    )
    parser.add_argument("--anteile", type=Path, help="Anteile je Gebiet (CSV)")
    parser.add_argument("--angstraeume", type=Path, help="Angsträume (CSV, GeoJSON, GeoPackage)")
    parser.add_argument("--demo", action="store_true", help="Demo-Befragung (synthetisch) verwenden")
    parser.add_argument("--store", type=Path, help="Vorfälle aus diesem Datenspeicher (sonst Demodaten)")
    parser.add_argument("--zelle", type=float, default=coincide.CELL_M, help="Zellgröße in m (Angsträume)")
    parser.add_argument("--out", type=Path, help="Tabelle als CSV schreiben")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not (args.anteile or args.angstraeume or args.demo):
        raise AtlasError("Bitte --anteile, --angstraeume oder --demo angeben.")
    store = connect(args.store) if args.store else None
    incidents = store.points() if store is not None and not store.is_empty() else demo_points()
    if args.demo:
        results = [coincide.coincidence_by_gemeinde(incidents, demo.demo_shares()),
                   coincide.coincidence_by_cell(incidents, demo.demo_angstraeume(), cell_m=args.zelle)]
    else:
        results = []
        if args.anteile:
            results.append(coincide.coincidence_by_gemeinde(incidents, load_shares(args.anteile)))
        if args.angstraeume:
            places = load_angstraeume(args.angstraeume)
            results.append(coincide.coincidence_by_cell(incidents, places, cell_m=args.zelle))
    for result in results:
        print(result.methode)
        for klasse, count in result.counts().items():
            print(f"  {klasse:55} {zahl(count):>6}")
        print(result.hinweis)
    if args.out:
        frames = [pd.DataFrame(r.table.drop(columns="geometry")) for r in results]
        table = pd.concat(frames, ignore_index=True)
        write_output(args.out, to_csv_bytes(table, {}))  # place names from the file: formulas neutralised
        print(f"Tabelle: {args.out} ({len(table)} Zeilen)")
    return 0
