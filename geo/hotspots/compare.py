"""Change between two periods (per cell or per area) and a trend per Gemeinde over years.

**Two periods.** With counts a (period A, length L_A days) and b (period B, L_B days)
of one cell or area and the population unchanged, under "no change in the underlying
rate" b given n = a + b is binomial with p0 = L_B / (L_A + L_B) (the conditional test
of two Poisson means, Przyborowski & Wilenski 1940). The two-sided p is the
**central** (equal-tailed, "doubling") one: twice the smaller exact one-sided p,

    p = min(1, 2 · min(P(X ≤ b), P(X ≥ b))),   X ~ Binomial(n, p0),

i.e. 2 × the smaller of ``scipy.stats.binomtest(b, n, p0, alternative="less")`` and
``alternative="greater"``; each direction is tested at α/2, so a "Zunahme" and an
"Abnahme" are equally hard to reach. This is *not* scipy's default two-sided p
(``binomtest``'s "minlike": the sum of all P(X = x) ≤ P(X = b)); the two agree only
for equal periods (p0 = 1/2, symmetric); for unequal periods they differ either way.
n = 0 gives p = 1. Benjamini–Hochberg adjusts over all cells/areas.
``change`` is b − a·L_B/L_A (B minus what A's rate would give).

**Overdispersion.** The test assumes Poisson counts. Incidents that come in clusters
(one event, many reports; a series by one person) make counts scatter more, and the
test then finds changes too easily. The results carry ``attrs["dispersion"]``: the
Pearson χ² of b given n against the share common to all units, p̂ = Σb / Σn,
divided by its degrees of freedom (units with n > 0, minus 1),

    φ = Σ (b − n·p̂)² / (n·p̂·(1 − p̂)) / (m − 1),

about 1 for Poisson counts (a change shared by all units is not scatter; with two
periods, changes that really differ between units raise φ as well). If φ > 1.5 and
the χ² test of φ = 1 gives p < 0.01, ``attrs["hinweis"]`` holds a German sentence to
show with the map ("Die Zahlen streuen stärker als bei zufälligen Schwankungen
(Dispersion 2,4): Einzelne Änderungen sind vorsichtig zu lesen."), else "".

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
from geo.fmt import zahl
from geo.grid import DEFAULT_CELL_M, Grid, study_grid
from geo.hotspots.fdr import bh_adjust
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.hotspots.rates import areas, count_points

#: φ above this (and significantly above 1) puts the German warning on the result.
DISPERSION_WARN = 1.5


def _days(start: DateLike, end: DateLike) -> float:
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    if t0 is None or t1 is None:
        raise AtlasError("Für einen Vergleich braucht jeder Zeitraum Beginn und Ende.")
    if t1 < t0:
        raise AtlasError(f"Der Zeitraum endet ({end}) vor seinem Beginn ({start}).")
    return (t1 - t0 + pd.Timedelta(1, "ns")) / pd.Timedelta(days=1)



def change_test(a: np.ndarray, b: np.ndarray, *, share_b: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected-adjusted change and the central two-sided exact conditional p per unit.

    Parameters
    ----------
    a, b : ndarray of int
        Counts in period A and period B.
    share_b : float
        p0 = L_B / (L_A + L_B), period B's share of the total time.

    Returns
    -------
    change : ndarray
        b − a · p0 / (1 − p0).
    p : ndarray
        min(1, 2 · min(P(X ≤ b), P(X ≥ b))) with X ~ Binomial(a + b, p0); 1 where a + b = 0.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    n = a + b
    low = stats.binom.cdf(b, n, share_b)
    high = stats.binom.sf(b - 1, n, share_b)
    p = np.where(n > 0, np.minimum(1.0, 2.0 * np.minimum(low, high)), 1.0)
    change = b - a * share_b / (1.0 - share_b)
    return change, p


def dispersion(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Pearson dispersion φ of b given a + b against the common share, and the p of φ = 1.

    See the module doc; NaN (and p = 1) when fewer than two units have incidents or
    all incidents fall in one period.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = a + b
    used = n > 0
    df = int(used.sum()) - 1
    share = b.sum() / n.sum() if n.sum() > 0 else 0.0
    if df < 1 or not 0.0 < share < 1.0:
        return float("nan"), 1.0
    chi2 = float((((b - n * share) ** 2)[used] / (n[used] * share * (1.0 - share))).sum())
    return chi2 / df, float(stats.chi2.sf(chi2, df))


def _mark_dispersion(result: gpd.GeoDataFrame, a: np.ndarray, b: np.ndarray) -> gpd.GeoDataFrame:
    phi, p = dispersion(a, b)
    hinweis = ""
    if phi > DISPERSION_WARN and p < 0.01:
        hinweis = (f"Die Zahlen streuen stärker als bei zufälligen Schwankungen (Dispersion {zahl(phi, 1)}): "
                   "Einzelne Änderungen sind vorsichtig zu lesen.")
    result.attrs = {**result.attrs, "dispersion": phi, "hinweis": hinweis}
    return result


def _direction(change: np.ndarray, p_fdr: np.ndarray, alpha: float) -> np.ndarray:
    out = np.full(len(change), "keine gesicherte Änderung", dtype=object)
    out[(p_fdr < alpha) & (change > 0)] = "Zunahme"
    out[(p_fdr < alpha) & (change < 0)] = "Abnahme"
    return out


def compare_cells(points: gpd.GeoDataFrame, *, period_a: tuple[DateLike, DateLike],
                  period_b: tuple[DateLike, DateLike], area: str = "14", cell: float = DEFAULT_CELL_M,
                  categories: Iterable[str] | str | None = None, alpha: float = 0.05,
                  grid: Grid | None = None) -> gpd.GeoDataFrame:
    """Per study cell: ``count_a``, ``count_b``, ``change``, ``p``, ``p_fdr``, ``direction``, geometry.

    ``attrs["dispersion"]`` and ``attrs["hinweis"]`` as in the module doc (over cells
    with incidents).
    """
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
    return _mark_dispersion(cells, counts[0], counts[1])


def compare_areas(points: gpd.GeoDataFrame, *, period_a: tuple[DateLike, DateLike],
                  period_b: tuple[DateLike, DateLike], level: str = "gemeinde",
                  categories: Iterable[str] | str | None = None, alpha: float = 0.05) -> gpd.GeoDataFrame:
    """Per Gemeinde/Kreis: ``ags``, ``name``, ``count_a``, ``count_b``, ``change``, ``p``, ``p_fdr``,
    ``direction`` (see module doc); ``attrs["dispersion"]`` and ``attrs["hinweis"]``
    (German warning or "") as in the module doc."""
    la, lb = _days(*period_a), _days(*period_b)
    table = areas(level)[["ags", "name", "einwohner", "geometry"]].copy()
    a = count_points(select(points, categories=categories, start=period_a[0], end=period_a[1]), level=level)
    b = count_points(select(points, categories=categories, start=period_b[0], end=period_b[1]), level=level)
    change, p = change_test(a.to_numpy(), b.to_numpy(), share_b=lb / (la + lb))
    p_fdr = bh_adjust(p)
    table["count_a"], table["count_b"], table["change"] = a.to_numpy(), b.to_numpy(), change
    table["p"], table["p_fdr"], table["direction"] = p, p_fdr, _direction(change, p_fdr, alpha)
    return _mark_dispersion(table, a.to_numpy(), b.to_numpy())


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
