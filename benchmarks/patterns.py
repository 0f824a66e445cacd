"""Synthetic incident patterns with a known structure, for the bandwidth benchmark and its tests.

* ``micro``: crime concentrated at micro-places, as the literature finds it (a few street
  segments and corners hold most incidents): 80 places inside the area with long-tailed
  rates (gamma, shape 0.5), stable over the years, each incident within 25 m of its
  place; 20 % of incidents scattered uniformly.
* ``smooth``: a smooth risk surface: four broad Gaussian bumps (standard deviation
  600–1,500 m) inside the area; each incident drawn from the mixture.

Both give points in EPSG:25833 with the columns the analysis needs (``category``,
``time``, ``ags``), times uniform over `years` whole years from 1 January 2021.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import area as area_of
from geo.crs import METRIC_CRS

KINDS = ("micro", "smooth")


def _inside(geometry, rng: np.random.Generator, n: int) -> np.ndarray:
    xmin, ymin, xmax, ymax = geometry.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        found = np.vstack([found, xy[shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])]])
    return found[:n]


def pattern(kind: str, *, key: str = "14713000", n: int = 3_000, years: int = 3, seed: int = 0
            ) -> gpd.GeoDataFrame:
    """`n` incidents of pattern `kind` in area `key` over `years` years (see module doc)."""
    rng = np.random.default_rng(seed)
    geometry = area_of(key).geometry
    shapely.prepare(geometry)
    if kind == "micro":
        places = _inside(geometry, rng, 80)
        weights = rng.gamma(0.5, size=len(places))
        n_places = int(0.8 * n)
        which = rng.choice(len(places), size=n_places, p=weights / weights.sum())
        xy = places[which] + rng.normal(0, 12.5, size=(n_places, 2))
        xy = np.vstack([xy, _inside(geometry, rng, n - n_places)])
    elif kind == "smooth":
        centres = _inside(geometry, rng, 4)
        spread = rng.uniform(600, 1_500, size=4)
        which = rng.choice(4, size=3 * n)
        xy = centres[which] + rng.normal(size=(3 * n, 2)) * spread[which, None]
        xy = xy[shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])][:n]
    else:
        raise ValueError(f"unknown pattern {kind!r}; known: {', '.join(KINDS)}")
    start = np.datetime64(dt.date(2021, 1, 1), "s")
    seconds = int((np.datetime64(dt.date(2021 + years, 1, 1), "s") - start).astype(np.int64))
    times = start + rng.integers(0, seconds, size=len(xy)).astype("timedelta64[s]")
    return gpd.GeoDataFrame({"category": "graffiti", "time": pd.to_datetime(times), "ags": key},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC_CRS)
