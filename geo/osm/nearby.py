"""``lage``: a name for every place in a table, from the nearest streets and places (:func:`lage`).

For a cell or hotspot area: the two nearest distinct street names within `max_distance`
of it (``Obermarkt / Burgstraße``; one when only one is there), then the nearest named
place (``nahe Haltestelle Obermarkt``), joined with `` · ``. "Nearest" is measured from
the middle of the geometry (its centroid, or a point inside it when the centroid lies
outside), among the streets and places within `max_distance` of the geometry itself. Equal
distances (to the metre: OSM positions are not finer) go to the name first in alphabetical
order, so the result is the same on every run.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import require_crs
from geo.fmt import zahl
from geo.osm.data import NamedIndex, OsmData

#: Metres around a geometry in which streets and places count.
MAX_DISTANCE = 150.0
NO_DATA = "keine Straßendaten geladen"
SEPARATOR = " · "


def _middles(geometries: np.ndarray) -> np.ndarray:
    """Centroids, or a point on the surface where the centroid lies outside (an L-shaped area)."""
    middles = shapely.centroid(geometries)
    outside = shapely.get_dimensions(geometries) == 2
    outside[outside] = ~shapely.contains(geometries[outside], middles[outside])
    middles[outside] = shapely.point_on_surface(geometries[outside])
    return middles


def nearest_labels(index: NamedIndex, geometries: np.ndarray, middles: np.ndarray, *,
                   max_distance: float, k: int) -> list[list[str]]:
    """For each geometry, up to `k` distinct labels of `index`, nearest first.

    Parameters
    ----------
    index : NamedIndex
        Streets or places.
    geometries : ndarray of shapely geometries
        In ``METRIC_CRS``; candidates lie within `max_distance` metres of them.
    middles : ndarray of shapely points
        From which distances are measured for the order.
    max_distance : float
        Metres.
    k : int
        Labels at most per geometry.
    """
    found: list[list[str]] = [[] for _ in range(len(geometries))]
    rows, hits = index.tree.query(geometries, predicate="dwithin", distance=max_distance)
    if not len(rows):
        return found
    metres = np.round(shapely.distance(middles[rows], index.tree.geometries[hits]))
    codes = index.codes[hits]
    order = np.lexsort((codes, metres, rows))
    rows, codes = rows[order], codes[order]
    # the first (nearest) hit of each distinct label per geometry, back in distance order
    first = np.sort(np.unique(rows * (len(index.labels) + 1) + codes, return_index=True)[1])
    rows, codes = rows[first], codes[first]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    for row, code in zip(rows[rank < k].tolist(), codes[rank < k].tolist(), strict=True):
        found[row].append(index.labels[code])
    return found


def lage(osm: OsmData | None, geometries: gpd.GeoSeries, *,
         max_distance: float = MAX_DISTANCE) -> list[str]:
    """A German description of where each geometry lies, from OSM streets and places.

    Parameters
    ----------
    osm : OsmData or None
        From :func:`geo.osm.load`; None when no OSM data is imported.
    geometries : GeoSeries
        Cells, hotspot areas or points in ``METRIC_CRS``.
    max_distance : float
        Metres around each geometry in which streets and places count (default 150).

    Returns
    -------
    list of str
        One text per geometry, in order: ``Obermarkt / Burgstraße · nahe Haltestelle
        Obermarkt``; ``keine benannte Straße in 150 m`` when no named street is near (a
        nearby place still follows); ``keine Straßendaten geladen`` for every row when
        `osm` is None.

    Raises
    ------
    CRSError
        If `geometries` is not in ``METRIC_CRS``.
    """
    if osm is None:
        return [NO_DATA] * len(geometries)
    require_crs(geometries)  # type: ignore[arg-type]  # a GeoSeries has .crs as a frame has
    values = np.asarray(geometries.values, dtype=object)
    middles = _middles(values)
    streets = nearest_labels(osm.street_index, values, middles, max_distance=max_distance, k=2)
    places = nearest_labels(osm.place_index, values, middles, max_distance=max_distance, k=1)
    metres = zahl(max_distance, 0 if max_distance == int(max_distance) else 1)
    nothing = f"keine benannte Straße in {metres} m"
    return [
        (" / ".join(names) if names else nothing) + "".join(f"{SEPARATOR}nahe {p}" for p in place)
        for names, place in zip(streets, places, strict=True)
    ]
