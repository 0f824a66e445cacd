"""Display geometry: simplified, rounded boundaries for the browser.

The full VG250 geometry (88,485 vertices, 3.7 MB as GeoJSON) is what analysis uses;
the browser gets a lighter copy:

* ``shapely.coverage_simplify`` at ``TOLERANCE_M`` metres in ``METRIC_CRS`` of the
  cleaned coverage (see :func:`geo.boundaries.load_gemeinden`). It simplifies the 418
  Gemeinden as one coverage, so a border shared by two neighbours is simplified once
  and stays shared: no gaps, no overlaps, no slivers. The simplified border stays
  within about 300 m of the full one (median Hausdorff distance about 110 m).
* Coordinates rounded to ``DECIMALS`` decimal places in WGS84 (about 7 m east–west,
  11 m north–south), well below the simplification and below one screen pixel up to
  zoom 13. Equal vertices round to equal vertices, so shared borders stay shared.
* Kreis borders are drawn as lines built from the same simplified Gemeinden, each
  border once, so they lie exactly on the Gemeinde borders.

Statewide, Gemeinden plus Kreis borders come to about 0.9 MB of compact GeoJSON
(``tests/geo/test_display.py`` holds it under 1.0 MB).
"""

from __future__ import annotations

import functools
import json

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.boundaries import area, load_gemeinden
from geo.crs import DISPLAY_CRS

TOLERANCE_M = 120.0
DECIMALS = 4


def round_coordinates(geoms: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Round every coordinate of `geoms` (an array of shapely geometries)."""
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


@functools.cache
def _gemeinden_display() -> gpd.GeoDataFrame:
    full = load_gemeinden()
    simple = shapely.coverage_simplify(full.geometry.values, TOLERANCE_M)
    gdf = gpd.GeoDataFrame(full.drop(columns="geometry"), geometry=simple, crs=full.crs)
    gdf = gdf.to_crs(DISPLAY_CRS)
    rounded = round_coordinates(gdf.geometry.values)
    # Rounding can in rare cases fold a tiny ring; repair rather than send it invalid.
    rounded = np.where(shapely.is_valid(rounded), rounded, shapely.make_valid(rounded))
    return gdf.set_geometry(rounded)


def gemeinden_display() -> gpd.GeoDataFrame:
    """The 418 Gemeinden with simplified, rounded geometry in ``DISPLAY_CRS`` (a new frame)."""
    return _gemeinden_display().copy()


@functools.cache
def _kreise_display() -> gpd.GeoDataFrame:
    gem = _gemeinden_display()
    parts = gem.dissolve(by="kreis_ags", as_index=False)[["kreis_ags", "kreis_name", "geometry"]]
    return parts


def kreise_display() -> gpd.GeoDataFrame:
    """The 13 Kreise as unions of the display Gemeinden (``DISPLAY_CRS``, a new frame)."""
    return _kreise_display().copy()


@functools.cache
def kreis_borders_display() -> BaseGeometry:
    """All Kreis borders (and the Land border) as one MultiLineString, each border once."""
    borders = shapely.union_all(shapely.boundary(_kreise_display().geometry.values))
    return shapely.line_merge(borders)


def to_geojson(gdf: gpd.GeoDataFrame, *, properties: list[str]) -> str:
    """Compact GeoJSON text of `gdf` with only the named `properties` (no ids, no bbox)."""
    features = [
        {
            "type": "Feature",
            "properties": {name: _plain(row[name]) for name in properties},
            "geometry": shapely.geometry.mapping(geom),
        }
        for (_, row), geom in zip(gdf.iterrows(), gdf.geometry, strict=True)
    ]
    return _dumps({"type": "FeatureCollection", "features": features})


def geometry_to_geojson(geom: BaseGeometry) -> str:
    """Compact GeoJSON text of one geometry as a FeatureCollection with one feature."""
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geom)}
    return _dumps({"type": "FeatureCollection", "features": [feature]})


def _dumps(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _plain(value: object) -> object:
    """numpy scalars → Python scalars, so json can write them."""
    return value.item() if isinstance(value, np.generic) else value


def area_display(key: str) -> gpd.GeoDataFrame:
    """One area (``"14"``, 5-digit Kreis key or 8-digit AGS) as display geometry, one row.

    Raises `UnknownAreaError` for a key that is not in Saxony.
    """
    selected = area(key)  # validates the key, with a German message
    if selected.kind == "gemeinde":
        gem = _gemeinden_display()
        return gem[gem["ags"] == selected.key].reset_index(drop=True)
    if selected.kind == "kreis":
        kre = _kreise_display()
        return kre[kre["kreis_ags"] == selected.key].reset_index(drop=True)
    outline = shapely.union_all(_kreise_display().geometry.values)
    return gpd.GeoDataFrame({"name": [selected.name]}, geometry=[outline], crs=DISPLAY_CRS)
