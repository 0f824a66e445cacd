"""What ``hotspots`` and ``evaluate`` share: the data source, the selection, the view they build."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.grid import DEFAULT_CELL_M
from geo.incidents import CATEGORIES
from geo.view import BANDWIDTH_RANGE_M, BANDWIDTH_RULES, DEFAULT


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' ist kein Datum (erwartet JJJJ-MM-TT)") from err


def categories(text: str) -> list[str]:
    wanted = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unbekannte Kategorie {', '.join(unknown) or '(leer)'}; möglich: {', '.join(CATEGORIES)}")
    return wanted


def bandwidth(text: str) -> str | int:
    if text in BANDWIDTH_RULES:
        return text
    try:
        value = int(float(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' ist keine Bandbreite (auto, regel oder Meter)") from err
    low, high = BANDWIDTH_RANGE_M
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"Bandbreite {value} m liegt nicht zwischen {low} und {high} m")
    return value


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store DIR``: the data directory to write into (default ``$ATLAS_DATA_DIR`` or ``./store``)."""
    from geo.store import default_directory

    parser.add_argument("--store", type=Path, default=None,
                        help=f"Verzeichnis des Datenspeichers (Standard: $ATLAS_DATA_DIR oder "
                             f"{default_directory()})")


def add_source(parser: argparse.ArgumentParser) -> None:
    """``--store`` or ``--incidents``, ``--category``, ``--area``, ``--cell``."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", type=Path, help="Verzeichnis des Datenspeichers")
    source.add_argument("--incidents", type=Path, help="eine Vorfalldatei (CSV, XLSX, GeoJSON, ...)")
    parser.add_argument("--category", type=categories, required=True,
                        help="Kategorie(n), durch Komma getrennt, z. B. graffiti,littering")
    parser.add_argument("--area", default="14", help="14 (Sachsen), Kreisschlüssel oder AGS (Standard 14)")
    parser.add_argument("--cell", type=float, default=DEFAULT_CELL_M,
                        help="Zellgröße in m (100–1000, Standard 250)")
    parser.add_argument("--radius", type=int, default=DEFAULT.radius,
                        help=f"Gi*/LISA-Nachbarschaft in Zellen (Standard {DEFAULT.radius})")
    parser.add_argument("--bandwidth", type=bandwidth, default="auto",
                        help="KDE-Bandbreite: auto (Standard, durch Validierung gewählt), regel "
                             "(Faustregel ArcGIS Pro) oder Meter")


def load(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, pd.DataFrame, str]:
    """Points, aggregates and the data source's name (for the metadata)."""
    if args.store is not None:
        from geo.store import connect

        store = connect(args.store)
        return (store.points(categories=args.category), store.aggregates(categories=args.category),
                str(args.store))
    from geo.incidents import read_incidents

    result = read_incidents(args.incidents)
    return result.points, result.aggregates, args.incidents.name


def view_options(args: argparse.Namespace) -> dict[str, object]:
    """The `geo.view.View` fields the shared options set (area, categories, grid, method parameters)."""
    cell = args.cell
    return {"area": None if args.area.strip() == "14" else args.area.strip(),
            "categories": tuple(args.category), "cell_m": int(cell) if float(cell).is_integer() else cell,
            "radius": args.radius,
            "bandwidth_m": None if isinstance(args.bandwidth, str) else args.bandwidth,
            "bandwidth_rule": args.bandwidth if isinstance(args.bandwidth, str) else DEFAULT.bandwidth_rule}
