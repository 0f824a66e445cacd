"""Saxony's 418 Gemeinden, 13 Kreise and the Land, with population.

Geometry comes from ``data/sachsen_verwaltungsgrenzen.gpkg`` (BKG VG250, Gebietsstand
2023 rebuilt; Destatis GV100AD population). Everything returned here is full
resolution and in ``METRIC_CRS``: the geometry for analysis. The simplified display
geometry lives in :mod:`geo.display`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS
from geo.errors import UnknownAreaError
from geo.sources import BOUNDARIES_GPKG, GEMEINDEN_2016_ZU_2023

LAND_AGS = "14"

_GEMEINDE_COLUMNS = {
    "ags": "ags",
    "gen": "name",
    "name_amtlich": "name_amtlich",
    "bez": "bez",
    "kreis_ags": "kreis_ags",
    "kreis_name": "kreis_name",
    "kreis_typ": "kreis_typ",
    "vb_ars": "vb_ars",
    "vb_name": "vb_name",
    "vb_typ": "vb_typ",
    "einwohner": "einwohner",
    "flaeche_km2_geom": "flaeche_km2",
}
_KREIS_COLUMNS = {
    "kreis_ags": "kreis_ags",
    "kreis_name": "kreis_name",
    "kreis_typ": "kreis_typ",
    "sitz": "sitz",
    "einwohner": "einwohner",
    "anzahl_gemeinden": "anzahl_gemeinden",
    "flaeche_km2_geom": "flaeche_km2",
}


@functools.cache
def _read(layer: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(BOUNDARIES_GPKG, layer=layer).to_crs(METRIC_CRS)
    if layer == "gemeinden":
        # The source is not edge-matched everywhere: 20 Gemeinden have shared borders whose
        # vertices differ on the two sides (about 270 km of edges), so neighbours overlap or
        # leave gaps by fractions of a square metre. Cleaning the coverage snaps them
        # together (largest area change 0.00004 m²); each point then lies in exactly one
        # Gemeinde, and coverage simplification keeps shared borders shared.
        gdf = gdf.set_geometry(shapely.coverage_clean(gdf.geometry.values))
    return gdf


def load_gemeinden() -> gpd.GeoDataFrame:
    """The 418 Gemeinden, full geometry, in ``METRIC_CRS``.

    Returns
    -------
    GeoDataFrame
        ``ags`` (8 digits), ``name``, ``name_amtlich``, ``bez``, ``kreis_ags`` (5 digits),
        ``kreis_name``, ``kreis_typ``, ``vb_ars``, ``vb_name``, ``vb_typ``,
        ``einwohner``, ``flaeche_km2``, ``geometry``; sorted by ``ags``. A new frame
        on every call, so callers may modify it.
    """
    raw = _read("gemeinden")
    gdf = raw[[*_GEMEINDE_COLUMNS, "geometry"]].rename(columns=_GEMEINDE_COLUMNS)
    return gdf.sort_values("ags", ignore_index=True)


def load_kreise() -> gpd.GeoDataFrame:
    """The 13 Kreise (10 Landkreise, 3 kreisfreie Städte), full geometry, in ``METRIC_CRS``."""
    raw = _read("kreise")
    gdf = raw[[*_KREIS_COLUMNS, "geometry"]].rename(columns=_KREIS_COLUMNS)
    return gdf.sort_values("kreis_ags", ignore_index=True)


@functools.cache
def merged_gemeinden() -> pd.DataFrame:
    """Gemeinden of 2016 that have since merged into another (Gebietsstand 2023).

    Returns
    -------
    DataFrame
        ``ags_alt``, ``name_alt`` (2016) and ``ags``, ``name`` (the Gemeinde of today
        that took each of them in whole), sorted by ``ags_alt``. From
        ``data/sachsen_gemeinden_vg250_2016_zu_2023.csv``; a Gemeinde kept under its
        own key is not listed, and none was split.
    """
    table = pd.read_csv(GEMEINDEN_2016_ZU_2023, dtype={"ags_vg250_2016": str, "ags_2023": str})
    moved = table[table["ags_vg250_2016"] != table["ags_2023"]]
    return (moved.rename(columns={"ags_vg250_2016": "ags_alt", "gen_vg250_2016": "name_alt",
                                  "ags_2023": "ags", "gen_2023": "name"})
            [["ags_alt", "name_alt", "ags", "name"]].sort_values("ags_alt", ignore_index=True))


def load_land() -> gpd.GeoDataFrame:
    """The Land Sachsen as one feature (``land_ags``, ``name``, ``einwohner``)."""
    raw = _read("land")
    return raw[["land_ags", "name", "einwohner", "geometry"]].copy()


def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for matching."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss")
    return re.sub(r"\s+", " ", text).strip()


def _row(gdf: gpd.GeoDataFrame, column: str, key: str, msg: str) -> pd.Series:
    hit = gdf[gdf[column] == str(key).strip()]
    if hit.empty:
        raise UnknownAreaError(msg)
    return hit.iloc[0]


def merged_into(key_or_name: str) -> pd.Series | None:
    """The row of :func:`merged_gemeinden` for a Gemeinde of 2016 (its key or name) that has
    since merged into another; None for anything else."""
    merged = merged_gemeinden()
    text = str(key_or_name).strip()
    hit = merged[(merged["ags_alt"] == text) | (merged["name_alt"].map(_fold) == _fold(text))]
    return None if hit.empty else hit.iloc[0]


def current_ags(keys: Iterable[str]) -> list[str]:
    """Each Gemeinde key as it is now: a key from before a merger (2016, or an earlier
    Gebietsstand after ``python -m geo grenzen``) becomes the key of the Gemeinde that took
    it in; any other key stays. For keys stored with incidents, measures and views."""
    successors = dict(zip(merged_gemeinden()["ags_alt"], merged_gemeinden()["ags"], strict=True))
    return [successors.get(str(key), str(key)) for key in keys]


def merger_note(key_or_name: str) -> str | None:
    """Where a Gemeinde of 2016 (key or name) went, e.g. "Aue (14521030) gehört seit einer
    Gemeindefusion zu Aue-Bad Schlema (14521035)."; None for anything else."""
    old = merged_into(key_or_name)
    if old is None:
        return None
    return (f"{old['name_alt']} ({old['ags_alt']}) gehört seit einer Gemeindefusion zu "
            f"{old['name']} ({old['ags']}).")


def gemeinde(ags: str) -> pd.Series:
    """The Gemeinde with this 8-digit AGS (full geometry), or `UnknownAreaError`."""
    msg = f"'{ags}' ist kein Amtlicher Gemeindeschlüssel einer sächsischen Gemeinde."
    if note := merger_note(ags):
        msg = f"{msg} {note}"
    return _row(load_gemeinden(), "ags", ags, msg)


def kreis(kreis_ags: str) -> pd.Series:
    """The Kreis with this 5-digit key (full geometry), or `UnknownAreaError`."""
    msg = f"'{kreis_ags}' ist kein Kreisschlüssel eines sächsischen Kreises."
    return _row(load_kreise(), "kreis_ags", kreis_ags, msg)


def find_gemeinden(name: str) -> gpd.GeoDataFrame:
    """Gemeinden whose short or official name equals `name`, ignoring case and spacing.

    Names are not unique (there are two Bernsdorf, in Bautzen and in Zwickau), so
    this returns a frame; callers with more than one row must ask which is meant.
    """
    gdf = load_gemeinden()
    key = _fold(name)
    mask = gdf["name"].map(_fold).eq(key) | gdf["name_amtlich"].map(_fold).eq(key)
    return gdf[mask].reset_index(drop=True)


def gemeinde_labels() -> dict[str, str]:
    """AGS → label for a search box, in alphabetical order of the label.

    A name that occurs once is its own label; a name that occurs more than once
    gets its Kreis in brackets, e.g. ``Bernsdorf (Bautzen)``.
    """
    gdf = load_gemeinden()
    dup = gdf["name"].duplicated(keep=False)
    labels = gdf["name"].where(~dup, gdf["name"] + " (" + gdf["kreis_name"] + ")")
    pairs = sorted(zip(gdf["ags"], labels, strict=True), key=lambda p: _fold(p[1]))
    return dict(pairs)


def kreis_labels() -> dict[str, str]:
    """Kreis key → name, alphabetical (``Leipzig`` is the Landkreis, ``Leipzig, Stadt`` the city)."""
    gdf = load_kreise()
    pairs = sorted(zip(gdf["kreis_ags"], gdf["kreis_name"], strict=True), key=lambda p: _fold(p[1]))
    return dict(pairs)


@dataclass(frozen=True)
class Area:
    """A selectable area: Land, Kreis, Verband (Verwaltungsgemeinschaft/-verband) or Gemeinde."""

    key: str
    kind: str  # "land" | "kreis" | "verband" | "gemeinde"
    name: str
    einwohner: int
    geometry: BaseGeometry  # METRIC_CRS, full resolution


def area(key: str) -> Area:
    """Resolve ``"14"`` (Sachsen), a 5-digit Kreis key, an 8-digit AGS or a 9-digit
    Verband key (``vb_ars``: the Gemeinden of a Verwaltungsgemeinschaft or -verband) to an `Area`."""
    key = str(key).strip()
    if key == LAND_AGS:
        row = load_land().iloc[0]
        return Area(LAND_AGS, "land", str(row["name"]), int(row["einwohner"]), row.geometry)
    if len(key) == 5:
        row = kreis(key)
        return Area(key, "kreis", row["kreis_name"], int(row["einwohner"]), row.geometry)
    if len(key) == 8:
        row = gemeinde(key)
        return Area(key, "gemeinde", row["name"], int(row["einwohner"]), row.geometry)
    members = load_gemeinden().query("vb_ars == @key") if len(key) == 9 else None
    if members is not None and len(members):
        return Area(key, "verband", str(members["vb_name"].iloc[0]), int(members["einwohner"].sum()),
                    shapely.union_all(members.geometry.values))
    msg = (
        f"'{key}' ist kein Gebietsschlüssel: erwartet 14 (Sachsen), einen 5-stelligen "
        "Kreisschlüssel oder einen 8-stelligen Amtlichen Gemeindeschlüssel."
    )
    raise UnknownAreaError(msg)
