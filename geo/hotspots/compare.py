"""Change between two periods (per cell or per area) and a trend per Gemeinde over years.

**Two periods.** With counts a (period A) and b (period B) of one cell or area and
the population unchanged, under "no change in the underlying rate" b given a + b is
binomial with p = L_B / (L_A + L_B) (L = period length in days). The two-sided exact
conditional test (Przyborowski & Wilenski 1940) gives p; Benjamini–Hochberg adjusts
over all cells/areas. ``change`` is b − a·L_B/L_A (B minus what A's rate would give).

**Trend.** Yearly counts y_k of an area, given their total, are multinomial with
p_k ∝ d_k · exp(β · t_k) (d_k days of year k covered, t_k the year). β is fitted
by Newton's method (conditional Poisson log-linear trend); ``trend_pct`` = 100·(e^β − 1)
is the change per year in per cent; the score test of β = 0 gives ``trend_z`` and p.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from geo.errors import AtlasError
from geo.grid import DEFAULT_CELL_M, Grid, study_grid
from geo.hotspots.fdr import bh_adjust
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.hotspots.rates import areas, count_points


def _days(start: DateLike, end: DateLike) -> float:
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    if t0 is None or t1 is None:
        raise AtlasError("Für einen Vergleich braucht jeder Zeitraum Beginn und Ende.")
    if t1 < t0:
        raise AtlasError(f"Der Zeitraum endet ({end}) vor seinem Beginn ({start}).")
    return (t1 - t0 + pd.Timedelta(1, "ns")) / pd.Timedelta(days=1)


def change_test(a: np.ndarray, b: np.ndarray, *, share_b: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected-adjusted change and two-sided exact conditional binomial p per unit."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    n = a + b
    low = stats.binom.cdf(b, n, share_b)
    high = stats.binom.sf(b - 1, n, share_b)
    p = np.where(n > 0, np.minimum(1.0, 2.0 * np.minimum(low, high)), 1.0)
    change = b - a * share_b / (1.0 - share_b)
    return change, p


def _direction(change: np.ndarray, p_fdr: np.ndarray, alpha: float) -> np.ndarray:
    out = np.full(len(change), "keine gesicherte Änderung", dtype=object)
    out[(p_fdr < alpha) & (change > 0)] = "Zunahme"
    out[(p_fdr < alpha) & (change < 0)] = "Abnahme"
    return out


def compare_cells(points: gpd.GeoDataFrame, *, period_a: tuple[DateLike, DateLike],
                  period_b: tuple[DateLike, DateLike], area: str = "14", cell: float = DEFAULT_CELL_M,
                  categories: Iterable[str] | str | None = None, alpha: float = 0.05,
                  grid: Grid | None = None) -> gpd.GeoDataFrame:
    """Per study cell: ``count_a``, ``count_b``, ``change``, ``p``, ``p_fdr``, ``direction``, geometry."""
    grid = grid if grid is not None else study_grid(area, cell=cell)
    la, lb = _days(*period_a), _days(*period_b)
    counts = []
    for start, end in (period_a, period_b):
        x, y = xy(select(points, categories=categories, start=start, end=end))
        counts.append(grid.counts(x, y)[grid.mask])
    change, p = change_test(counts[0], counts[1], share_b=lb / (la + lb))
    p_fdr = bh_adjust(p)
    cells = grid.cells().drop(columns=["row", "col"])
    at = cells.columns.get_loc("geometry")
    for offset, (name, values) in enumerate([
            ("count_a", counts[0]), ("count_b", counts[1]), ("change", change), ("p", p),
            ("p_fdr", p_fdr), ("direction", _direction(change, p_fdr, alpha))]):
        cells.insert(at + offset, name, values)
    return cells


def compare_areas(points: gpd.GeoDataFrame, *, period_a: tuple[DateLike, DateLike],
                  period_b: tuple[DateLike, DateLike], level: str = "gemeinde",
                  categories: Iterable[str] | str | None = None, alpha: float = 0.05) -> gpd.GeoDataFrame:
    """Per Gemeinde/Kreis: ``ags``, ``name``, ``count_a``, ``count_b``, ``change``, ``p``, ``p_fdr``,
    ``direction`` (see module doc)."""
    la, lb = _days(*period_a), _days(*period_b)
    table = areas(level)[["ags", "name", "einwohner", "geometry"]].copy()
    a = count_points(select(points, categories=categories, start=period_a[0], end=period_a[1]), level=level)
    b = count_points(select(points, categories=categories, start=period_b[0], end=period_b[1]), level=level)
    change, p = change_test(a.to_numpy(), b.to_numpy(), share_b=lb / (la + lb))
    p_fdr = bh_adjust(p)
    table["count_a"], table["count_b"], table["change"] = a.to_numpy(), b.to_numpy(), change
    table["p"], table["p_fdr"], table["direction"] = p, p_fdr, _direction(change, p_fdr, alpha)
    return table


def trend(points: gpd.GeoDataFrame, *, level: str = "gemeinde", categories: Iterable[str] | str | None = None,
          years: Iterable[int] | None = None, min_count: int = 3, alpha: float = 0.05) -> pd.DataFrame:
    """Yearly counts and log-linear trend per area (see module doc).

    Returns
    -------
    DataFrame
        ``ags``, ``name``, one column per year (counts), ``total``, ``trend_pct``,
        ``trend_z``, ``p``, ``p_fdr``, ``direction``; trend figures are NA for areas
        with fewer than `min_count` incidents in total.
    """
    chosen = select(points, categories=categories)
    year = chosen["time"].dt.year.to_numpy()
    yrs = np.array(sorted(set(year)) if years is None else sorted(years), dtype=np.int64)
    if len(yrs) < 2:
        raise AtlasError("Für einen Trend braucht es Vorfälle aus mindestens zwei Jahren.")
    table = areas(level)[["ags", "name"]].copy()
    counts = np.column_stack([count_points(chosen[year == yr], level=level).to_numpy() for yr in yrs])
    t_min, t_max = chosen["time"].min(), chosen["time"].max()
    days = np.array([(min(t_max, pd.Timestamp(yr + 1, 1, 1)) - max(t_min, pd.Timestamp(yr, 1, 1)))
                     / pd.Timedelta(days=1) for yr in yrs])
    days = np.clip(days, 1e-9, None)
    t = (yrs - yrs.mean()).astype(np.float64)
    total = counts.sum(axis=1)
    beta = np.zeros(len(table))
    for _ in range(50):
        w = days[None, :] * np.exp(np.clip(beta[:, None] * t[None, :], -50, 50))
        pk = w / w.sum(axis=1, keepdims=True)
        mean_t = pk @ t
        var_t = pk @ (t * t) - mean_t**2
        score = counts @ t - total * mean_t
        step = np.where(total * var_t > 0, score / np.maximum(total * var_t, 1e-12), 0.0)
        beta = np.clip(beta + step, -5.0, 5.0)
        if np.abs(step).max() < 1e-10:
            break
    p0 = days / days.sum()
    mt0 = p0 @ t
    var0 = total * (p0 @ (t * t) - mt0**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var0 > 0, (counts @ t - total * mt0) / np.sqrt(var0), 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    enough = total >= min_count
    p = np.where(enough, p, np.nan)
    p_fdr = bh_adjust(p)
    for j, yr in enumerate(yrs):
        table[str(yr)] = counts[:, j]
    table["total"] = total
    table["trend_pct"] = np.where(enough, 100.0 * np.expm1(beta), np.nan)
    table["trend_z"] = np.where(enough, z, np.nan)
    table["p"], table["p_fdr"] = p, p_fdr
    direction = _direction(np.nan_to_num(z), np.nan_to_num(p_fdr, nan=1.0), alpha)
    table["direction"] = np.where(enough, direction, "zu wenige Vorfälle")
    return table
