"""Reading the BKG VG250 ZIP as published (shapefiles in a nested folder, EPSG:25832).

Only the land parts (``GF == 4``) of one Land are kept: VG250 also carries water areas
(Bodensee, coastal waters: ``GF`` 1–3) that are not part of any Gemeinde's land area.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.errors import InputFileError

#: Layer → (key column length, columns that must be there)
LAYERS = {"VG250_GEM": 8, "VG250_KRS": 5, "VG250_LAN": 2}
_COLUMNS = ("AGS", "GEN", "GF")
LAND_AREA = 4


def _members(path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as err:
        msg = (
            f"{path.name} ist keine lesbare ZIP-Datei ({err}). Erwartet wird VG250 des BKG, z. B. "
            "vg250_01-01.utm32s.shape.ebenen.zip."
        )
        raise InputFileError(msg) from err
    found = {}
    for name in names:
        stem = Path(name).name
        if stem.upper().endswith(".SHP") and stem[:-4].upper() in LAYERS:
            found[stem[:-4].upper()] = name
    missing = [layer for layer in LAYERS if layer not in found]
    if missing:
        msg = (
            f"{path.name}: Ebene {', '.join(missing)} fehlt "
            f"(gesucht: {', '.join(f'{m}.shp' for m in missing)} "
            "in der ZIP-Datei). Bitte VG250 „Ebenen“ im Shape-Format verwenden."
        )
        raise InputFileError(msg)
    return found


def read_vg250(path: Path, *, land: str, crs: str) -> dict[str, tuple[gpd.GeoDataFrame, dt.date | None]]:
    """The land parts of Land `land` in each VG250 layer, dissolved per ``AGS``, in `crs`.

    Returns
    -------
    dict
        ``"VG250_GEM"``, ``"VG250_KRS"``, ``"VG250_LAN"`` → (GeoDataFrame with ``AGS``,
        ``GEN``, ``NUTS`` (or empty), ``geometry``; the newest ``WSK`` date or None).
    """
    path = Path(path)
    members = _members(path)
    out = {}
    for layer, width in LAYERS.items():
        source = f"/vsizip/{path.resolve()}/{members[layer]}"
        try:
            gdf = pyogrio.read_dataframe(source)
        except Exception as err:
            msg = f"{path.name}: Ebene {layer} kann nicht gelesen werden ({err})."
            raise InputFileError(msg) from err
        missing = [c for c in _COLUMNS if c not in gdf.columns]
        if missing:
            msg = (
                f"{path.name}, Ebene {layer}: Spalte {', '.join(missing)} fehlt (VG250 hat AGS, GEN, GF, …)."
            )
            raise InputFileError(msg)
        if gdf.crs is None:
            msg = f"{path.name}, Ebene {layer}: kein Koordinatenbezugssystem (.prj fehlt)."
            raise InputFileError(msg)
        gdf["AGS"] = gdf["AGS"].astype(str).str.strip()
        bad = gdf[~gdf["AGS"].str.fullmatch(rf"\d{{{width}}}")]
        if len(bad):
            msg = (
                f"{path.name}, Ebene {layer}, Objekt {bad.index[0] + 1}: Spalte 'AGS' enthält "
                f"'{bad['AGS'].iloc[0]}', erwartet {width} Ziffern."
            )
            raise InputFileError(msg)
        gf = pd.to_numeric(gdf["GF"], errors="coerce")
        mine = gdf[(gf == LAND_AREA) & gdf["AGS"].str.startswith(land)]
        if mine.empty:
            lands = sorted(set(gdf["AGS"].str[:2]))
            msg = (
                f"{path.name}, Ebene {layer}: keine Landfläche (GF = 4) des Landes {land}; die Datei enthält "
                f"die Länder {', '.join(lands) or '–'}."
            )
            raise InputFileError(msg)
        wsk = None
        if "WSK" in mine.columns:
            dates = pd.to_datetime(mine["WSK"], errors="coerce").dropna()
            wsk = dates.max().date() if len(dates) else None
        nuts = mine["NUTS"].astype(str) if "NUTS" in mine.columns else pd.Series("", index=mine.index)
        geoms = shapely.make_valid(mine.geometry.values)
        parts = gpd.GeoDataFrame(
            {"AGS": mine["AGS"], "GEN": mine["GEN"].astype(str), "NUTS": nuts}, geometry=geoms, crs=gdf.crs
        )
        dissolved = parts.dissolve(by="AGS", as_index=False, aggfunc="first").to_crs(crs)
        out[layer] = (dissolved.sort_values("AGS", ignore_index=True), wsk)
    return out
