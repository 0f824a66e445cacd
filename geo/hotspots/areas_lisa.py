"""Local Moran of empirical-Bayes rates over the 418 Gemeinden (queen contiguity)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import geopandas as gpd
from scipy import sparse

from geo.boundaries import load_gemeinden
from geo.hotspots.lisa import DEFAULT_ALPHA, LISA_LABELS, lisa_areas, queen_neighbours
from geo.hotspots.points import DateLike, select
from geo.hotspots.rates import areas, count_points, empirical_bayes


@functools.cache
def gemeinde_neighbours() -> sparse.csr_matrix:
    """Queen contiguity of the Gemeinden in ``load_gemeinden()`` order (cached)."""
    return queen_neighbours(load_gemeinden().geometry.values)


def gemeinde_lisa(points: gpd.GeoDataFrame, *, categories: Iterable[str] | str | None = None,
                  start: DateLike = None, end: DateLike = None,
                  alpha: float = DEFAULT_ALPHA) -> gpd.GeoDataFrame:
    """LISA classes of the Gemeinden's empirical-Bayes rates.

    The smoothed rate is used for every Gemeinde (also where the figure is suppressed
    for display: the class does not reveal the count). Returns ``ags``, ``name``,
    ``lisa_i``, ``lisa_z``, ``lisa_p``, ``lisa_p_fdr``, ``lisa_class`` (HH/LL/HL/LH or
    "nicht signifikant"), ``lisa_label`` (German) and geometry (``METRIC_CRS``).
    """
    chosen = select(points, categories=categories, start=start, end=end)
    table = areas("gemeinde")
    counts = count_points(chosen, level="gemeinde").to_numpy()
    smoothed, _, _, _ = empirical_bayes(counts, table["einwohner"].to_numpy())
    result = lisa_areas(smoothed, gemeinde_neighbours(), alpha=alpha)
    out = table[["ags", "name", "geometry"]].copy()
    out["lisa_i"], out["lisa_z"] = result.i, result.z
    out["lisa_p"], out["lisa_p_fdr"] = result.p, result.p_fdr
    out["lisa_class"] = result.label
    out["lisa_label"] = [LISA_LABELS[c] for c in result.label]
    return out
