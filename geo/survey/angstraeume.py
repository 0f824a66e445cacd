"""Angsträume: places that survey respondents name as unsafe.

One row per place: a point (``x``/``y`` as lon/lat or EPSG:25833 metres) or a street /
area (``wkt`` geometry, or a GeoJSON/GeoPackage polygon or line), its ``name``, the
``nennungen`` (number of respondents who named it) and a ``kategorie`` (why: e.g.
"Dunkelheit/Beleuchtung", "Personengruppen", "Vermüllung"). The Gemeinde is taken from
the location; a given ``ags`` must agree with it (catches swapped coordinates).
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from geo.incidents.assign import assign_ags
from geo.survey.table import (
    Source,
    parse_number,
    read_bytes,
    read_csv,
    require_columns,
    row_messages,
    text_rows,
)

#: Suggested categories (free text is accepted; these are what the demo uses).
KATEGORIEN = ("Dunkelheit/Beleuchtung", "Personengruppen", "Vermüllung", "Graffiti", "Drogen",
              "Verkehr", "Sonstiges")
COLUMNS = ("name", "kategorie", "nennungen", "ags", "art", "geometry")

_ALIASES = {
    "name": ("ort", "bezeichnung", "strasse", "straße", "ortsbeschreibung", "angstraum"),
    "kategorie": ("category", "grund", "art des problems", "thema"),
    "nennungen": ("anzahl", "anzahl nennungen", "mentions", "haeufigkeit", "häufigkeit"),
    "x": ("lon", "lng", "laenge", "länge", "rechtswert", "ostwert", "easting"),
    "y": ("lat", "breite", "hochwert", "nordwert", "northing"),
    "wkt": ("geometrie", "geometry"),
    "ags": ("gemeindeschlüssel", "gemeindeschluessel"),
}
# Saxony's extent in both systems, with a margin.
_WGS84 = (11.8, 50.1, 15.1, 51.75)
_UTM = (270_000.0, 5_555_000.0, 505_000.0, 5_735_000.0)


def _inside(bounds: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= bounds[0] and box[1] <= bounds[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def _to_metric(geom: BaseGeometry) -> BaseGeometry | None:
    """`geom` in METRIC_CRS, guessing lon/lat vs EPSG:25833 from its extent; ``None`` if neither fits."""
    bounds = geom.bounds
    if _inside(bounds, _UTM):
        return geom
    if _inside(bounds, _WGS84):
        return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    return None


def _geometry_of(rec: pd.Series, here: str) -> tuple[BaseGeometry | None, str | None]:
    if isinstance(rec.get("geometry"), BaseGeometry):
        return rec["geometry"], None
    if rec["wkt"]:
        try:
            return shapely.from_wkt(rec["wkt"]), None
        except shapely.errors.GEOSException:
            return None, f"{here}: Spalte 'wkt' enthält keine gültige WKT-Geometrie ('{rec['wkt'][:40]}')."
    if rec["x"] or rec["y"]:
        x, y = parse_number(rec["x"]), parse_number(rec["y"])
        if x is None or y is None:
            return None, (f"{here}: Spalten 'x'/'y' enthalten '{rec['x']}'/'{rec['y']}', erwartet Zahlen "
                          "(Länge/Breite in Grad oder EPSG:25833 in Metern).")
        return shapely.Point(x, y), None
    return None, f"{here}: keine Lage angegeben; erwartet 'x' und 'y' oder 'wkt'."


def validate_angstraeume(frame: pd.DataFrame, *, name: str = "Eingabe") -> gpd.GeoDataFrame:
    """Check rows of Angsträume and return them as a GeoDataFrame in ``METRIC_CRS``.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Columns as in the module doc (aliases accepted); a GeoDataFrame's geometry is
        used instead of ``x``/``y``/``wkt``. The index is taken as row number. Not modified.
    name : str
        File name used in messages.

    Returns
    -------
    GeoDataFrame
        ``name``, ``kategorie``, ``nennungen`` (int ≥ 1), ``ags``, ``art`` (``punkt`` /
        ``linie`` / ``fläche``), geometry in ``METRIC_CRS``; sorted by ``nennungen`` descending.

    Raises
    ------
    InputFileError
        Listing every row problem (missing name or category, mentions not a positive whole
        number, no or invalid location, location outside Saxony, AGS not matching it).
    """
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    attrs = text_rows(frame.drop(columns=frame.geometry.name) if geoms is not None else frame,
                      drop_empty=geoms is None)
    df = require_columns(attrs, _ALIASES, name=name, optional=("x", "y", "wkt", "ags"))
    if geoms is not None:
        crs = geoms.crs or "EPSG:4326"
        df["geometry"] = list(geoms.to_crs(METRIC_CRS) if crs != METRIC_CRS else geoms)
    problems: list[str] = []
    rows = []
    for row, rec in df.iterrows():
        here = f"Zeile {row}"
        for column in ("name", "kategorie"):
            if not rec[column]:
                problems.append(f"{here}: Spalte '{column}' ist leer.")
        count = parse_number(rec["nennungen"])
        if count is None or count < 1 or count != int(count):
            problems.append(f"{here}: Spalte 'nennungen' enthält '{rec['nennungen']}', erwartet eine ganze "
                            "Zahl ab 1.")
        geom, problem = _geometry_of(rec, here)
        if problem:
            problems.append(problem)
            continue
        metric = _to_metric(geom) if geom is not None and not geom.is_empty else None
        if metric is None:
            swapped = geom is not None and not geom.is_empty and _to_metric(
                shapely.transform(geom, lambda xy: xy[:, ::-1])) is not None
            hint = " x und y vertauscht?" if swapped else ""
            problems.append(f"{here}: die Lage liegt nicht in Sachsen (weder Länge/Breite noch EPSG:25833)."
                            + hint)
            continue
        anchor = metric if metric.geom_type == "Point" else metric.representative_point()
        ags = assign_ags(np.array([anchor.x]), np.array([anchor.y]))[0]
        if ags is None:
            problems.append(f"{here}: die Lage liegt außerhalb Sachsens.")
            continue
        if rec["ags"] and rec["ags"] != ags:
            problems.append(f"{here}: Spalte 'ags' enthält '{rec['ags']}', die Lage liegt aber in {ags} "
                            "(x und y vertauscht?).")
        kind = {"Point": "punkt", "LineString": "linie", "MultiLineString": "linie"}.get(
            metric.geom_type, "fläche")
        rows.append({"name": rec["name"], "kategorie": rec["kategorie"],
                     "nennungen": int(count) if count else 0, "ags": ags, "art": kind, "geometry": metric})
    if frame.empty:
        msg = f"{name}: die Datei enthält keine Zeilen."
        raise InputFileError(msg)
    if problems:
        raise InputFileError(row_messages(problems, name=name))
    gdf = gpd.GeoDataFrame(rows, columns=list(COLUMNS), geometry="geometry", crs=METRIC_CRS)
    gdf["nennungen"] = gdf["nennungen"].astype("int64")
    return gdf.sort_values(["nennungen", "name"], ascending=[False, True], ignore_index=True)


def load_angstraeume(source: Source, *, name: str | None = None) -> gpd.GeoDataFrame:
    """Read Angsträume from CSV (``;``/``,``, UTF-8/Windows-1252), GeoJSON or GeoPackage.

    See :func:`validate_angstraeume` for columns, result and errors.
    """
    raw, name = read_bytes(source, name=name)
    head = raw.lstrip(b"\xef\xbb\xbf").lstrip()[:1]
    if raw.startswith(b"SQLite format 3") or head == b"{":
        try:
            gdf = gpd.read_file(io.BytesIO(raw))
        except (DataSourceError, DataLayerError, ValueError) as err:
            msg = f"{name}: die Geodatei lässt sich nicht lesen ({err})."
            raise InputFileError(msg) from err
        gdf.index = pd.RangeIndex(1, 1 + len(gdf))
        return validate_angstraeume(gdf, name=name)
    frame, name = read_csv(raw, name=name)
    return validate_angstraeume(frame, name=name)
