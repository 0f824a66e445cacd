"""``python -m geo hotspots`` and ``python -m geo evaluate``: hotspot statistics from the command line.

``hotspots`` writes one row per area (``--method rates``) or per study cell (``kde``,
``gi``, ``lisa``; zero cells included) to GeoPackage, GeoJSON (both EPSG:25833) or
CSV (German spreadsheet style, metadata lines on top). ``evaluate`` prints the
predictive accuracy of grid counts, KDE and Gi* (fit before ``--split``, test from it),
as German text or as one JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import export
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.grid import DEFAULT_CELL_M

FORMATS = (".gpkg", ".geojson", ".csv")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' ist kein Datum (erwartet JJJJ-MM-TT)") from err


def _categories(text: str) -> list[str]:
    from geo.incidents import CATEGORIES

    wanted = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unbekannte Kategorie {', '.join(unknown) or '(leer)'}; möglich: {', '.join(CATEGORIES)}")
    return wanted


def _source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", type=Path, help="Verzeichnis des Datenspeichers")
    source.add_argument("--incidents", type=Path, help="eine Vorfalldatei (CSV, XLSX, GeoJSON, ...)")
    parser.add_argument("--category", type=_categories, required=True,
                        help="Kategorie(n), durch Komma getrennt, z. B. graffiti,littering")
    parser.add_argument("--area", default="14", help="14 (Sachsen), Kreisschlüssel oder AGS (Standard 14)")
    parser.add_argument("--cell", type=float, default=DEFAULT_CELL_M,
                        help="Zellgröße in m (100–1000, Standard 250)")


def register(subparsers: argparse._SubParsersAction) -> None:
    hot = subparsers.add_parser(
        "hotspots", help="Raten, Kerndichte, Gi* oder LISA berechnen und als Datei schreiben",
        description="Berechnet Raten je Gemeinde/Kreis oder Hotspots je Rasterzelle und schreibt sie "
                    "als GeoPackage, GeoJSON oder CSV.")
    _source(hot)
    hot.add_argument("--method", required=True, choices=["rates", "kde", "gi", "lisa"])
    hot.add_argument("--level", choices=["gemeinde", "kreis"], default="gemeinde", help="nur für rates")
    hot.add_argument("--bandwidth", type=float, help="KDE-Bandbreite in m (Standard: Regel, siehe Ausgabe)")
    hot.add_argument("--radius", type=int, default=1, help="Gi*/LISA-Nachbarschaft in Zellen (Standard 1)")
    hot.add_argument("--min-count", type=int, default=3,
                     help="Raten: Mindestzahl für eine Angabe (Standard 3)")
    hot.add_argument("--from", dest="start", type=_date, help="Beginn JJJJ-MM-TT (einschließlich)")
    hot.add_argument("--to", dest="end", type=_date, help="Ende JJJJ-MM-TT (einschließlich)")
    hot.add_argument("--out", type=Path, required=True, help="Ausgabedatei .gpkg, .geojson oder .csv")
    hot.set_defaults(run=run_hotspots)

    ev = subparsers.add_parser(
        "evaluate", help="Trefferquote und PAI der Hotspot-Methoden prüfen",
        description="Lernt auf dem Zeitraum vor --split und prüft auf dem ab --split: Trefferquote, PAI, "
                    "PEI und RRI der markierten Fläche.")
    _source(ev)
    ev.add_argument("--method", choices=["grid", "kde", "gi", "all"], default="all")
    ev.add_argument("--split", type=_date, required=True, help="erster Tag des Prüfzeitraums JJJJ-MM-TT")
    ev.add_argument("--area-share", type=float, default=0.05,
                    help="Flächenanteil der Hotspots (Standard 0.05)")
    ev.add_argument("--bandwidth", type=float, help="KDE-Bandbreite in m")
    ev.add_argument("--radius", type=int, default=1, help="Gi*-Nachbarschaft in Zellen")
    ev.add_argument("--json", action="store_true", help="als ein JSON-Objekt ausgeben")
    ev.set_defaults(run=run_evaluate)


def _load(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    if args.store is not None:
        from geo.store import IncidentStore

        store = IncidentStore(args.store)
        return store.points(categories=args.category), store.aggregates(categories=args.category)
    from geo.incidents import read_incidents

    result = read_incidents(args.incidents)
    return result.points, result.aggregates


def _write(frame: gpd.GeoDataFrame, path: Path, metadata: dict) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        msg = f"{path.name}: Ausgabeformat {suffix or '(keins)'} unbekannt; möglich: .gpkg, .geojson, .csv."
        raise AtlasError(msg)
    if suffix == ".csv":
        path.write_bytes(export.to_csv_bytes(frame, metadata))
    elif suffix == ".gpkg":
        path.write_bytes(export.to_gpkg_bytes(frame, metadata))
    else:
        frame.to_file(path, driver="GeoJSON")


def run_hotspots(args: argparse.Namespace) -> int:
    from geo.hotspots import aggregate_rates, area_rates, grid_hotspots

    points, aggregates = _load(args)
    meta = {"methode": args.method, "kategorien": ",".join(args.category),
            "von": args.start or "", "bis": args.end or ""}
    if args.method == "rates":
        if len(points) == 0 and len(aggregates) > 0:
            frame = aggregate_rates(aggregates, level=args.level, categories=args.category,
                                    start=args.start, end=args.end, min_count=args.min_count)
        else:
            frame = area_rates(points, level=args.level, categories=args.category, start=args.start,
                               end=args.end, min_count=args.min_count)
        meta |= {"ebene": args.level, "mindestzahl": args.min_count,
                 "rate_sachsen_je_1000": round(frame.attrs["saxony_rate"], 6)}
        frame.attrs = {}
        if args.area != "14":  # smoothing uses all of Saxony; the file holds the selected area's rows
            from geo.boundaries import area

            key = area(args.area).key
            frame = frame[[a.startswith(key) or key.startswith(a) for a in frame["ags"]]]
            meta["gebiet"] = key
        summary = f"{len(frame)} Gebiete, {int(frame['suppressed'].sum())} unter der Mindestzahl"
    else:
        if len(points) == 0 and len(aggregates) > 0:
            raise AtlasError("Rastermethoden brauchen Einzelfälle mit Koordinaten; die Daten sind nur "
                             "Fallzahlen je Gebiet. Bitte --method rates verwenden.")
        result = grid_hotspots(points, area=args.area, methods=args.method, cell=args.cell,
                               categories=args.category, start=args.start, end=args.end,
                               bandwidth=args.bandwidth, radius=args.radius)
        frame = result.cells
        meta |= {"gebiet": args.area, "zellgroesse_m": args.cell, "radius_zellen": args.radius}
        summary = f"{len(frame)} Rasterzellen, {result.n_incidents} Vorfälle"
        if result.kde is not None:
            meta |= {"bandbreite_m": round(result.kde.bandwidth, 1),
                     "bandbreite_regel": result.kde.bandwidth_rule}
            summary += f", Bandbreite {result.kde.bandwidth:.0f} m ({result.kde.bandwidth_rule})"
    _write(export.for_export(frame), args.out, meta)
    print(f"{args.out}: {summary}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from geo.hotspots import evaluate
    from geo.hotspots.evaluate import METHOD_NAMES

    points, _ = _load(args)
    result = evaluate(points, split=args.split, area=args.area, methods=args.method, cell=args.cell,
                      area_share=args.area_share, categories=args.category,
                      bandwidth=args.bandwidth, radius=args.radius)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    print(f"Lernzeitraum: {zahl(result.n_train)} Vorfälle, Prüfzeitraum: {zahl(result.n_test)} Vorfälle, "
          f"markierte Fläche: {zahl(result.n_selected)} von {zahl(result.n_cells)} Zellen "
          f"({zahl(100 * result.area_share, 1)} %)")
    for method, acc in result.results.items():
        print(f"{METHOD_NAMES[method]:24} Trefferquote {zahl(100 * acc.hit_rate, 1):>5} %  "
              f"PAI {zahl(acc.pai, 2):>6}  PEI {zahl(acc.pei, 2)}  RRI {zahl(acc.rri, 2)}")
    for verdict in result.verdicts.values():
        print(verdict)
    return 0
