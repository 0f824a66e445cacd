"""Incident points built row by row for tests that need exact counts, dates and Gemeinden."""

import geopandas as gpd
import pandas as pd

from geo.crs import METRIC_CRS
from geo.hotspots.rates import areas


def incident_points(rows) -> gpd.GeoDataFrame:
    """Points from (category, time, ags) rows, each at a point inside its Gemeinde (``METRIC_CRS``)."""
    rows = list(rows)
    gem = areas("gemeinde").set_index("ags")
    ags = [a for _, _, a in rows]
    return gpd.GeoDataFrame(
        {"category": [c for c, _, _ in rows],
         "time": pd.to_datetime([t for _, t, _ in rows], format="ISO8601").astype("datetime64[s]"),
         "ags": ags},
        geometry=gem.loc[ags].geometry.representative_point().to_numpy(), crs=METRIC_CRS)
