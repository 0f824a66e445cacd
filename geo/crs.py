"""One truth for coordinates.

All distances, areas and grids are computed in ``METRIC_CRS`` (ETRS89 / UTM 33N,
the official system of Saxony); ``DISPLAY_CRS`` is what Leaflet shows. Data is
reprojected at the boundary of the package and checked at the entry of every
analysis function.
"""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

from geo.errors import CRSError

METRIC_CRS = "EPSG:25833"
DISPLAY_CRS = "EPSG:4326"


def require_crs(gdf: gpd.GeoDataFrame, crs: str = METRIC_CRS) -> gpd.GeoDataFrame:
    """Return `gdf` unchanged if it is in `crs`, otherwise raise.

    Parameters
    ----------
    gdf : GeoDataFrame
        The frame to check.
    crs : str
        The CRS the caller computes in, ``METRIC_CRS`` by default.

    Raises
    ------
    CRSError
        If `gdf` has no CRS or another one. Analysis never silently computes in degrees.
    """
    if gdf.crs is None:
        msg = f"Die Geodaten haben kein Koordinatenreferenzsystem; erwartet wird {crs}."
        raise CRSError(msg)
    if not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(crs)):
        msg = (
            f"Die Geodaten liegen in {gdf.crs.to_string()} vor, erwartet wird {crs}. "
            f"Bitte vorher mit to_crs('{crs}') umprojizieren."
        )
        raise CRSError(msg)
    return gdf


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to ``METRIC_CRS`` (a new frame; a frame without CRS is an error)."""
    if gdf.crs is None:
        msg = "Die Geodaten haben kein Koordinatenreferenzsystem; bitte angeben (z. B. EPSG:25833)."
        raise CRSError(msg)
    return gdf.to_crs(METRIC_CRS)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to ``DISPLAY_CRS`` for Leaflet (a new frame)."""
    if gdf.crs is None:
        msg = "Die Geodaten haben kein Koordinatenreferenzsystem; bitte angeben (z. B. EPSG:25833)."
        raise CRSError(msg)
    return gdf.to_crs(DISPLAY_CRS)
