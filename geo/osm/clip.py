"""From OSM's WGS84 to ``METRIC_CRS``, cut at Saxony's border.

A Geofabrik extract reaches a little beyond the Land (its polygon is buffered), so every
batch is reprojected and clipped to :func:`geo.boundaries.load_land`: what lies inside is
kept as it is, what crosses the border is cut at it, what lies outside is dropped.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo import boundaries
from geo.crs import METRIC_CRS
from geo.osm import tags as rules
from geo.osm.read import Batch

#: Geometry type of each stored layer; multi-part results are split into single parts.
LAYER_TYPES = {rules.STREETS: "LineString", rules.AREAS: "Polygon", rules.PLACES: "Point"}
#: Attribute columns of each stored layer, in order.
LAYER_COLUMNS = {
    rules.STREETS: ("osm_id", "name", "highway", "klasse"),
    rules.AREAS: ("osm_id", "name", "klasse", "art"),
    rules.PLACES: ("osm_id", "name", "klasse", "art"),
}
_DIMENSION = {rules.STREETS: 1, rules.AREAS: 2, rules.PLACES: 0}


@functools.cache
def saxony() -> BaseGeometry:
    """The Land Sachsen in ``METRIC_CRS``, prepared for repeated predicates."""
    land = boundaries.load_land().geometry.union_all()
    shapely.prepare(land)
    return land


@functools.cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def _to_metric(coords: np.ndarray) -> np.ndarray:
    x, y = _transformer().transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def clip(geometries: np.ndarray, *, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut metric geometries at Saxony's border.

    Parameters
    ----------
    geometries : ndarray of shapely geometries
        In ``METRIC_CRS``.
    dimension : {0, 1, 2}
        The parts to keep: points, lines or polygons (a line touching the border
        leaves a point there, which is dropped).

    Returns
    -------
    parts : ndarray of shapely geometries
        Single-part geometries inside Saxony.
    rows : ndarray of int
        For each part, the position of the geometry it came from.
    """
    land = saxony()
    inside = shapely.contains_properly(land, geometries)
    crossing = ~inside & shapely.intersects(land, geometries)
    result = geometries.copy()
    if crossing.any():
        cut = geometries[crossing]
        broken = ~shapely.is_valid(cut)
        cut[broken] = shapely.make_valid(cut[broken])
        result[crossing] = shapely.intersection(cut, land)
    kept = np.flatnonzero(inside | crossing)
    parts, source = shapely.get_parts(result[kept], return_index=True)
    wanted = (shapely.get_dimensions(parts) == dimension) & ~shapely.is_empty(parts)
    return parts[wanted], kept[source[wanted]]


def to_frame(batch: Batch) -> gpd.GeoDataFrame:
    """One batch as rows of its layer: in ``METRIC_CRS``, clipped, single parts.

    Places drawn as lines or areas become one point on them (inside the part in Saxony).
    """
    geometries = shapely.transform(shapely.from_wkb(np.asarray(batch.wkb, dtype=object)), _to_metric)
    if batch.layer == rules.PLACES:
        lines_or_areas = shapely.get_dimensions(geometries) > 0
        if lines_or_areas.any():
            # clip first, so a playground across the border gets its point on the Saxon side
            parts, rows = clip(geometries[lines_or_areas], dimension=2)
            lines, line_rows = clip(geometries[lines_or_areas], dimension=1)
            parts, rows = np.concatenate([parts, lines]), np.concatenate([rows, line_rows])
            first = np.unique(rows, return_index=True)[1]  # one point per object
            pointed = np.full(int(lines_or_areas.sum()), None, dtype=object)
            pointed[rows[first]] = shapely.point_on_surface(parts[first])
            geometries[lines_or_areas] = pointed
        geometries, rows = clip(geometries, dimension=0)
    else:
        geometries, rows = clip(geometries, dimension=_DIMENSION[batch.layer])
    frame = pd.DataFrame({
        column: pd.Series(np.asarray(getattr(batch, column), dtype=object)[rows], dtype="str")
        for column in LAYER_COLUMNS[batch.layer]
    })  # a missing name stays missing
    return gpd.GeoDataFrame(frame, geometry=geometries, crs=METRIC_CRS)
