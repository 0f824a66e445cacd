"""Results as files people can open: CSV for spreadsheets, GeoPackage for GIS.

Both carry their metadata (method, parameters, period, data source, attribution).
CSV is written as German spreadsheets expect it (``;``, decimal comma, UTF-8 with BOM)
and is safe against formula injection: a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet
shows it as text instead of running it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
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


def to_csv_bytes(df: pd.DataFrame, metadata: Mapping[str, object]) -> bytes:
    """CSV for German spreadsheets; metadata as ``# Schlüssel;Wert`` lines above the header."""
    lines = [f"# {neutralise(str(k))};{neutralise(str(v))}" for k, v in metadata.items()]
    body = safe_frame(df).to_csv(sep=";", decimal=",", index=False, lineterminator="\n")
    return ("\ufeff" + "\n".join(lines) + ("\n" if lines else "") + body).encode("utf-8")


def to_gpkg_bytes(gdf: gpd.GeoDataFrame, metadata: Mapping[str, object], *,
                  layer: str = "ergebnis") -> bytes:
    """A GeoPackage with the result in `layer` and a ``metadaten`` table (schluessel, wert)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        gdf.to_file(path, layer=layer, driver="GPKG")
        meta = pd.DataFrame({"schluessel": list(metadata), "wert": [str(v) for v in metadata.values()]})
        pyogrio.write_dataframe(meta, path, layer="metadaten", driver="GPKG")  # attribute table
        return path.read_bytes()
