"""Selecting incidents: check the frame, filter category and period, get coordinates."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np

from geo.crs import require_crs
from geo.errors import AtlasError
from geo.period import DateLike, timestamp

REQUIRED = ("category", "time", "ags")
__all__ = ["REQUIRED", "DateLike", "select", "timestamp", "xy"]

def select(points: gpd.GeoDataFrame, *, categories: Iterable[str] | str | None = None,
           start: DateLike = None, end: DateLike = None) -> gpd.GeoDataFrame:
    """The incidents of the given categories within [`start`, `end`] (inclusive; dates are whole days).

    Checks the CRS (``METRIC_CRS``) and the contract columns; returns a new frame
    (possibly the same rows), never modifies `points`.
    """
    require_crs(points)
    missing = [c for c in REQUIRED if c not in points.columns]
    if missing:
        msg = f"Den Vorfällen fehlen die Spalten {', '.join(missing)}."
        raise AtlasError(msg)
    keep = np.ones(len(points), dtype=bool)
    if categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        keep &= points["category"].isin(wanted).to_numpy()
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    if t0 is not None and t1 is not None and t1 < t0:
        msg = f"Der Zeitraum endet ({end}) vor seinem Beginn ({start})."
        raise AtlasError(msg)
    if t0 is not None:
        keep &= (points["time"] >= t0).to_numpy()
    if t1 is not None:
        keep &= (points["time"] <= t1).to_numpy()
    return points[keep] if not keep.all() else points


def xy(points: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates as float64 arrays (metres in ``METRIC_CRS``)."""
    require_crs(points)
    coords = points.geometry.get_coordinates()
    if len(coords) != len(points):
        msg = "Die Vorfälle müssen Punkte sein (genau ein Koordinatenpaar je Zeile)."
        raise AtlasError(msg)
    return coords["x"].to_numpy(np.float64), coords["y"].to_numpy(np.float64)
