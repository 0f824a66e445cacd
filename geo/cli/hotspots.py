"""``python -m geo hotspots``: rates per area or hotspot statistics per cell, written to a file.

One row per area (``--method rates``) or per study cell (``kde``, ``gi``, ``lisa``,
``emerging`` with ``--step quartal|jahr``; zero cells included) as GeoPackage or GeoJSON
(EPSG:25833, full precision) or CSV (German spreadsheet style, rounded, metadata lines on
top). The figures come from :func:`geo.analysis.analyse`, as in the app and the report:
the same privacy threshold (``--min-count``, default 3) blanks cells whose neighbourhood
holds fewer incidents (``ohne_angabe``). Columns and metadata: README, "Ausgaben".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo import export, osm
from geo.analysis import analyse
from geo.cli.options import add_source, date, load, view_options
from geo.errors import AtlasError
from geo.files import write_output
from geo.view import DEFAULT, INFERENCES, LEVELS, METHODS, STEPS, View

SUFFIXES = {".gpkg": "gpkg", ".geojson": "geojson", ".csv": "csv"}


def register(subparsers: argparse._SubParsersAction) -> None:
    hot = subparsers.add_parser(
        "hotspots", help="Raten, Kerndichte, Gi* oder LISA berechnen und als Datei schreiben",
        description="Berechnet Raten je Gemeinde/Kreis oder Hotspots je Rasterzelle und schreibt sie "
                    "als GeoPackage, GeoJSON oder CSV.")
    add_source(hot)
    hot.add_argument("--method", required=True, choices=list(METHODS))
    hot.add_argument("--level", choices=list(LEVELS), default=DEFAULT.level, help="nur für rates")
    hot.add_argument("--inference", choices=list(INFERENCES), default=DEFAULT.inference,
                     help="nur für lisa: p-Werte analytisch oder aus 999 bedingten Permutationen")
    hot.add_argument("--step", choices=list(STEPS), default=DEFAULT.step,
                     help=f"nur für emerging: Zeitschritte (Standard {DEFAULT.step})")
    hot.add_argument("--min-count", type=int, default=DEFAULT.min_count,
                     help=f"Mindestzahl: Gebiete mit weniger Vorfällen ohne Zahl, Zellen mit weniger "
                          f"Vorfällen in der Nachbarschaft ohne Hotspot (Standard {DEFAULT.min_count})")
    hot.add_argument("--from", dest="start", type=date, help="Beginn JJJJ-MM-TT (einschließlich)")
    hot.add_argument("--to", dest="end", type=date, help="Ende JJJJ-MM-TT (einschließlich)")
    hot.add_argument("--out", type=Path, required=True, help="Ausgabedatei .gpkg, .geojson oder .csv")
    hot.set_defaults(run=run)


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        msg = f"{path.name}: Ausgabeformat {suffix or '(keins)'} unbekannt; möglich: .gpkg, .geojson, .csv."
        raise AtlasError(msg)
    return SUFFIXES[suffix]


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.out)
    points, aggregates, source = load(args)
    if args.method != "rates" and len(points) == 0 and len(aggregates) > 0:
        raise AtlasError("Rastermethoden brauchen Einzelfälle mit Koordinaten; die Daten sind nur "
                         "Fallzahlen je Gebiet. Bitte --method rates verwenden.")
    view = View(**view_options(args), method=args.method, level=args.level, min_count=args.min_count,
                start=args.start, end=args.end, step=args.step, inference=args.inference)
    analysis = analyse(points, view, source=source, aggregates=aggregates)
    # smoothing used all of Saxony; the file holds the area's rows, cells named from the OSM data
    streets = osm.load(args.store) if analysis.rates is None else None
    table = analysis.export_table(area_only=True, osm=streets)
    write_output(args.out, export.result_bytes(table, analysis.metadata(), fmt))
    if analysis.rates is not None:
        summary = f"{len(table)} Gebiete, {int(table['ohne_angabe'].sum())} unter der Mindestzahl"
    else:
        summary = (f"{len(table)} Rasterzellen, {analysis.n_incidents} Vorfälle, "
                   f"{int(table['ohne_angabe'].sum())} Zellen unter der Mindestzahl")
        if analysis.emerging is not None:
            patterns = table["muster"][~table["ohne_angabe"]].value_counts()
            summary += "\n" + ", ".join(f"{name}: {n}" for name, n in patterns.items()
                                         if name != "kein Muster")
        elif analysis.hotspots.kde is not None:
            summary += f"\n{analysis.bandwidth_line()}"
    print(f"{args.out}: {summary}")
    return 0
