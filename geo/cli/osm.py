"""``python -m geo osm FILE.osm.pbf``: streets and named places from OpenStreetMap, offline.

Reads an extract (e.g. Geofabrik's ``sachsen-latest.osm.pbf``), keeps named streets,
squares and places of interest inside Saxony and stores them in the data directory,
replacing earlier OSM data (:func:`geo.osm.import_extract`). Prints what was kept. Exit
code 0, or 2 when the file is unusable (the stored data then stays as it was).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli.options import add_store
from geo.fmt import zahl
from geo.osm import ATTRIBUTION, import_extract
from geo.osm.tags import AREAS, PLACES, STREETS

_HEADINGS = {STREETS: "Straßen und Wege", AREAS: "Plätze und Fußgängerzonen", PLACES: "Orte"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "osm",
        help="Straßen und Orte aus einem OpenStreetMap-Auszug (.osm.pbf) übernehmen",
        description=(
            "Liest einen OSM-Auszug im PBF-Format (z. B. sachsen-latest.osm.pbf von Geofabrik), behält "
            "benannte Straßen, Plätze, Haltestellen, Schulen, Spielplätze, Parks, Einkaufszentren, "
            "Gaststätten und Abfallbehälter in Sachsen und ersetzt damit die bisherigen OSM-Daten. "
            "Exit-Code 0: übernommen, 2: Datei unbrauchbar (bisherige Daten bleiben)."
        ),
    )
    parser.add_argument("file", type=Path, help="die .osm.pbf-Datei")
    add_store(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    summary = import_extract(args.file, directory=args.store)
    print(f"OSM-Daten aus {summary.source}, Stand {summary.date:%d.%m.%Y} ({summary.date_origin}), "
          f"übernommen in {zahl(summary.seconds, 1)} s: {summary.path}")
    for layer, heading in _HEADINGS.items():
        rows = sorted((klasse, n) for (name, klasse), n in summary.counts.items() if name == layer)
        print(f"{heading}: {zahl(sum(n for _, n in rows))}")
        for klasse, n in rows:
            print(f"  {klasse:20} {zahl(n):>10}")
    if summary.skipped:
        print(f"{zahl(summary.skipped)} Objekte ohne vollständige Geometrie übersprungen "
              "(Knoten fehlen im Auszug).")
    print(ATTRIBUTION)
    return 0
