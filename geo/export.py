"""Results as files: CSV for spreadsheets, GeoPackage and GeoJSON for GIS and scripts.

All three carry the same German column names (:data:`EXPORT_COLUMNS`) and their metadata
(method, parameters, period, data source, attribution); the schemas are documented in the
README ("Ausgaben") and pinned by ``tests/geo/test_export_schema.py``.

* CSV is for people: written as German spreadsheets expect it (``;``, decimal comma,
  UTF-8 with BOM), rates, ratios, densities and z-values rounded to 4 decimals, and safe
  against formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text.
* GeoPackage and GeoJSON are for machines: every figure at full float precision,
  geometry in EPSG:25833.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Result columns → the names exports give them (German, for spreadsheets and GIS alike).
EXPORT_COLUMNS = {
    "name": "gebiet", "count": "vorfaelle", "rate": "rate_je_1000", "rate_smoothed": "rate_geglaettet",
    "rate_low": "rate_90_unten", "rate_high": "rate_90_oben", "ratio": "verhaeltnis_sachsen",
    "ratio_smoothed": "verhaeltnis_sachsen_geglaettet", "suppressed": "ohne_angabe",
    "pooled": "zusammengefasst", "cell_id": "zelle", "density": "dichte_je_km2",
    "count_nearby": "vorfaelle_nachbarschaft", "gi_bin": "gi_stufe", "gi_class": "gi_klasse",
    "lisa_class": "lisa_klasse", "pattern": "muster", "caution": "hinweis_meldungen",
}
ROUNDED_COLUMNS = ("rate_je_1000", "rate_geglaettet", "rate_90_unten", "rate_90_oben", "verhaeltnis_sachsen",
                   "verhaeltnis_sachsen_geglaettet", "dichte_je_km2", "gi_z", "lisa_i", "lisa_z")


FORMATS = ("csv", "gpkg", "geojson")


def for_export(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rates or cells with the names exports give them (:data:`EXPORT_COLUMNS`), values as computed,
    the geometry last."""
    table = table.rename(columns=EXPORT_COLUMNS)
    table = table[[c for c in table.columns if c != "geometry"] + ["geometry"]]
    table.attrs = {}
    return table


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with 4 decimals where more would be noise to a reader (:data:`ROUNDED_COLUMNS`, the
    per-step ``gi_z_…`` and ``mk_z`` of emerging hot spots; p-values keep theirs): for the CSV only."""
    shortened = [c for c in table.columns if c in ROUNDED_COLUMNS or str(c).startswith(("gi_z_", "mk_z"))]
    return table.assign(**{c: table[c].round(4) for c in shortened})


def result_bytes(table: gpd.GeoDataFrame, metadata: Mapping[str, object], fmt: str) -> bytes:
    """The result `table` (:func:`for_export` names) with its `metadata` as ``csv``, ``gpkg`` or
    ``geojson`` bytes: the one writer of the app's and the command line's result files."""
    if fmt == "csv":
        return to_csv_bytes(rounded(table), metadata)
    if fmt == "gpkg":
        return to_gpkg_bytes(table, metadata)
    if fmt == "geojson":
        return to_geojson_bytes(table, metadata)
    raise ValueError(f"unknown result format {fmt!r}")


def neutralise(value: object) -> object:
    """`value` as a CSV cell can hold it: line breaks as spaces (a value never starts a new
    line), and a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    if value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` (geometry dropped) with every text cell and column name neutralised."""
    plain = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
    plain.columns = [neutralise(str(c)) for c in plain.columns]
    for column in plain.columns:
        if plain[column].dtype == object or pd.api.types.is_string_dtype(plain[column]):
            plain[column] = plain[column].map(neutralise)
    return plain


def _csv_line(cells: list[str]) -> str:
    """One ``;``-separated line, each cell quoted where it holds ``;`` or ``"``."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="").writerow(cells)
    return out.getvalue()


def to_csv_bytes(df: pd.DataFrame, metadata: Mapping[str, object]) -> bytes:
    """CSV for German spreadsheets; metadata as ``# Schlüssel;Wert`` lines above the header;
    yes/no columns as ``ja``/``nein``."""
    lines = [_csv_line([f"# {neutralise(str(k))}", neutralise(str(v))]) for k, v in metadata.items()]
    plain = safe_frame(df)
    for column in plain.columns[[pd.api.types.is_bool_dtype(t) for t in plain.dtypes]]:
        plain[column] = plain[column].map({True: "ja", False: "nein"})
    body = plain.to_csv(sep=";", decimal=",", index=False, lineterminator="\n")
    return ("\ufeff" + "\n".join(lines) + ("\n" if lines else "") + body).encode("utf-8")


def to_geojson_bytes(gdf: gpd.GeoDataFrame, metadata: Mapping[str, object]) -> bytes:
    """GeoJSON in EPSG:25833 (named in its ``crs`` member) with a ``metadaten`` member
    (schluessel → wert) beside the features; numbers at full precision."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.geojson"
        gdf.to_file(path, driver="GeoJSON")
        collection = json.loads(path.read_text(encoding="utf-8"))
    collection["metadaten"] = {str(k): str(v) for k, v in metadata.items()}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def to_gpkg_bytes(gdf: gpd.GeoDataFrame, metadata: Mapping[str, object], *,
                  layer: str = "ergebnis") -> bytes:
    """A GeoPackage with the result in `layer` and a ``metadaten`` table (schluessel, wert)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        gdf.to_file(path, layer=layer, driver="GPKG")
        meta = pd.DataFrame({"schluessel": list(metadata), "wert": [str(v) for v in metadata.values()]})
        pyogrio.write_dataframe(meta, path, layer="metadaten", driver="GPKG")  # attribute table
        return path.read_bytes()
