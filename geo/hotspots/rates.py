"""Incidents per Gemeinde or Kreis: counts, rates per 1,000, empirical-Bayes smoothing.

The median Saxon Gemeinde has about 3,800 inhabitants; one incident more moves its
crude rate by 0.26 per 1,000, so crude rates put small places at the top by chance.
The **empirical-Bayes rate** (Marshall 1991, global moment estimator, as esda's
``Empirical_Bayes``) shrinks each crude rate r_i = y_i / P_i towards the Saxon rate b
the more, the smaller the population:

    s² = Σ P_i (r_i − b)² / Σ P_i,   a = max(0, s² − b / P̄),
    r̂_i = b + C_i (r_i − b),   C_i = a / (a + b / P_i)

This equals the posterior mean of a Gamma(b²/a, b/a) prior with Poisson counts, so the
**interval** (default 90 %) is the Gamma(b²/a + y_i, b/a + P_i) posterior interval.
If a = 0 (the crude rates vary no more than Poisson chance would make them: no
between-area variance, the prior has no spread) every area is shrunk fully to b; the
posterior interval would collapse to that point, so the interval is then the exact
Poisson (Garwood) interval of the crude rate at the same level,
[χ²(α/2; 2y_i) / 2P_i, χ²(1 − α/2; 2y_i + 2) / 2P_i] (lower bound 0 for y_i = 0). It
shows how uncertain the area's own figure is and need not contain b.

Areas with fewer than `min_count` incidents (default 3) are **suppressed**: count,
rates and interval are NA, so no layer or export can show the figure. Optional
pooling lifts areas over the minimum and says so in ``pooled``:

* ``pool="verband"``: a suppressed Gemeinde in a Verwaltungsgemeinschaft or
  -verband gets the figures of the whole group.
* ``pool="years"``: the period is extended backwards by whole period lengths (up to
  `max_pool` more) until the minimum is reached; the rate is then the average per
  period length. The time at risk counts only from the data start (the day of the
  earliest incident in the points given, any category): a view of 01.07.2021–30.06.2022
  pooled with the year before on data from 01.01.2021 covers 1.5 period lengths, not 2.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from geo.boundaries import load_gemeinden, load_kreise
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots.points import DateLike, select, timestamp

LEVELS = ("gemeinde", "kreis")
POOLS = (None, "verband", "years")


def areas(level: str) -> gpd.GeoDataFrame:
    """``ags`` (8- or 5-digit key), ``name``, ``einwohner``, ``vb_ars``, geometry of a level."""
    if level == "gemeinde":
        gem = load_gemeinden()
        return gem[["ags", "name", "einwohner", "vb_ars", "vb_name", "vb_typ", "geometry"]]
    if level == "kreis":
        kr = load_kreise().rename(columns={"kreis_ags": "ags", "kreis_name": "name"})
        return kr[["ags", "name", "einwohner", "geometry"]]
    msg = f"Unbekannte Ebene '{level}'; möglich: gemeinde, kreis."
    raise AtlasError(msg)


def count_points(points: gpd.GeoDataFrame, *, level: str = "gemeinde") -> pd.Series:
    """Incidents per area key (index: all keys of the level, in order; zeros included)."""
    keys = areas(level)["ags"]
    ags = points["ags"].astype("str")
    if level == "kreis":
        ags = ags.str.slice(0, 5)
    counts = ags.value_counts()
    return counts.reindex(keys, fill_value=0).astype("int64").rename("count")


def eb_prior(counts: np.ndarray, population: np.ndarray) -> tuple[float, float]:
    """Marshall's moment estimates: overall rate b = Σy/ΣP and between-area variance a ≥ 0."""
    y = np.asarray(counts, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    b = y.sum() / pop.sum()
    s2 = (pop * (y / pop - b) ** 2).sum() / pop.sum()
    return float(b), float(max(0.0, s2 - b / pop.mean()))


def poisson_interval(counts: np.ndarray, exposure: np.ndarray, *, level: float = 0.90
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson (Garwood 1936) interval of the crude rate y / P.

    Lower bound Gamma(y, 1)'s α/2 quantile / P (0 for y = 0), upper bound
    Gamma(y + 1, 1)'s 1 − α/2 quantile / P (the χ² form halved), α = 1 − `level`.
    """
    y = np.asarray(counts, dtype=np.float64)
    pop = np.asarray(exposure, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    low = np.where(y > 0, stats.gamma.ppf(tail, np.maximum(y, 1.0)), 0.0) / pop
    high = stats.gamma.ppf(1.0 - tail, y + 1.0) / pop
    return low, high


def eb_posterior(counts: np.ndarray, exposure: np.ndarray, *, b: float, a: float, level: float = 0.90
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean and interval of the rate under the Gamma(b²/a, b/a) prior.

    `exposure` is the population (times the number of periods when periods are pooled).
    The mean equals Marshall's b + a / (a + b / P) · (y / P − b). With a = 0 (or b = 0)
    every area is shrunk fully to b; the interval is then the exact Poisson interval
    of the crude rate (:func:`poisson_interval`) instead of a zero-width one.
    """
    y = np.asarray(counts, dtype=np.float64)
    pop = np.asarray(exposure, dtype=np.float64)
    if a == 0.0 or b == 0.0:
        low, high = poisson_interval(y, pop, level=level)
        return np.full(len(y), b), low, high
    smoothed = b + a / (a + b / pop) * (y / pop - b)
    shape, rate = b * b / a + y, b / a + pop
    tail = (1.0 - level) / 2.0
    low = stats.gamma.ppf(tail, shape, scale=1.0 / rate)
    high = stats.gamma.ppf(1.0 - tail, shape, scale=1.0 / rate)
    return smoothed, low, high


def empirical_bayes(counts: np.ndarray, population: np.ndarray, *, level: float = 0.90
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Marshall's global empirical-Bayes rates with Gamma-posterior intervals.

    Parameters
    ----------
    counts, population : ndarray
        Incidents and inhabitants per area (population > 0).
    level : float
        Interval probability.

    Returns
    -------
    smoothed, low, high : ndarray
        Rates per inhabitant (not yet per 1,000).
    b : float
        The overall rate Σ y / Σ P.
    """
    b, a = eb_prior(counts, population)
    smoothed, low, high = eb_posterior(counts, population, b=b, a=a, level=level)
    return smoothed, low, high, b


def eb_standardised(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Assunção & Reis (1999) EB-standardised rates, the values of a LISA on rates.

    z_i = (r_i − b) / √v_i with r_i = y_i / P_i, Marshall's b and raw a = s² − b / P̄
    (not cut at 0) and v_i = a + b / P_i, or b / P_i where that is negative — esda's
    ``assuncao_rate``. Small areas, whose crude rates scatter most, get the largest v_i,
    so their chance deviations weigh less. All zero (no incidents at all) gives zeros.
    """
    y = np.asarray(counts, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    b = y.sum() / pop.sum()
    if b == 0.0:
        return np.zeros(len(y))
    s2 = (pop * (y / pop - b) ** 2).sum() / pop.sum()
    v = s2 - b / pop.mean() + b / pop
    v = np.where(v < 0, b / pop, v)
    return (y / pop - b) / np.sqrt(v)


def rates_table(counts: pd.Series, *, level: str = "gemeinde", per: int = 1_000, min_count: int = 3,
                interval: float = 0.90) -> gpd.GeoDataFrame:
    """Rates from counts per area key (see module doc); the core of :func:`area_rates`.

    Returns
    -------
    GeoDataFrame (``METRIC_CRS``)
        ``ags``, ``name``, ``einwohner``, ``count`` (Int64), ``rate``, ``rate_smoothed``,
        ``rate_low``, ``rate_high`` (per `per` inhabitants), ``ratio`` and
        ``ratio_smoothed`` (to the Saxon rate), ``suppressed``, ``pooled`` ("" or a
        German note), geometry. ``attrs["saxony_rate"]`` holds the overall rate per `per`.
    """
    if min_count < 1:
        raise AtlasError("Die Mindestzahl muss mindestens 1 sein.")
    table = areas(level).copy()
    y = counts.reindex(table["ags"], fill_value=0).to_numpy(np.int64)
    pop = table["einwohner"].to_numpy(np.float64)
    b, a = eb_prior(y, pop)
    smoothed, low, high = eb_posterior(y, pop, b=b, a=a, level=interval)
    crude = y / pop
    table["count"] = pd.array(y, dtype="Int64")
    table["rate"] = crude * per
    table["rate_smoothed"] = smoothed * per
    table["rate_low"] = low * per
    table["rate_high"] = high * per
    with np.errstate(invalid="ignore", divide="ignore"):
        table["ratio"] = crude / b if b > 0 else np.nan
        table["ratio_smoothed"] = smoothed / b if b > 0 else np.nan
    table["suppressed"] = y < min_count
    table["pooled"] = ""
    table = _mask(table)
    table.attrs = {"saxony_rate": b * per, "per": per, "min_count": min_count, "level": level,
                   "interval": interval, "eb_b": b, "eb_a": a}
    return table


def _set_pooled(table: gpd.GeoDataFrame, lift: np.ndarray, y: np.ndarray, exposure: np.ndarray,
                note: str | list[str]) -> None:
    """Write pooled figures (count y over `exposure` = population × periods) into rows `lift`."""
    per, b, a = table.attrs["per"], table.attrs["eb_b"], table.attrs["eb_a"]
    smoothed, low, high = eb_posterior(y[lift], exposure[lift], b=b, a=a, level=table.attrs["interval"])
    rate = y[lift] / exposure[lift]
    table.loc[lift, "count"] = y[lift]
    table.loc[lift, "rate"] = rate * per
    table.loc[lift, "rate_smoothed"] = smoothed * per
    table.loc[lift, "rate_low"] = low * per
    table.loc[lift, "rate_high"] = high * per
    table.loc[lift, "ratio"] = rate / b if b > 0 else np.nan
    table.loc[lift, "ratio_smoothed"] = smoothed / b if b > 0 else np.nan
    table.loc[lift, "suppressed"] = False
    table.loc[lift, "pooled"] = note if isinstance(note, str) else np.asarray(note, dtype=object)[lift]


_FIGURES = ["count", "rate", "rate_smoothed", "rate_low", "rate_high", "ratio", "ratio_smoothed"]


def _mask(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    sup = table["suppressed"].to_numpy()
    for col in _FIGURES:
        table[col] = table[col].mask(sup)
    return table


def _pool_verband(table: gpd.GeoDataFrame, counts: pd.Series, *, min_count: int) -> gpd.GeoDataFrame:
    y = counts.reindex(table["ags"], fill_value=0).to_numpy(np.int64)
    group = table["vb_ars"].to_numpy()
    pooled_y = pd.Series(y).groupby(group).transform("sum").to_numpy()
    pooled_pop = table["einwohner"].groupby(group).transform("sum").to_numpy(np.float64)
    size = table.groupby("vb_ars")["ags"].transform("size").to_numpy()
    lift = table["suppressed"].to_numpy() & (size > 1) & (pooled_y >= min_count)
    notes = [f"mit {kind} {name} ({n} Gemeinden) zusammengefasst"
             for kind, name, n in zip(table["vb_typ"], table["vb_name"], size, strict=True)]
    _set_pooled(table, lift, pooled_y, pooled_pop, notes)
    return table


def area_rates(points: gpd.GeoDataFrame, *, level: str = "gemeinde",
               categories: Iterable[str] | str | None = None, start: DateLike = None,
               end: DateLike = None, per: int = 1_000, min_count: int = 3, pool: str | None = None,
               max_pool: int = 4, interval: float = 0.90) -> gpd.GeoDataFrame:
    """Counts and rates per Gemeinde or Kreis from incident points.

    Parameters
    ----------
    points : GeoDataFrame
        Incidents in ``METRIC_CRS`` with ``category``, ``time``, ``ags``.
    level : {"gemeinde", "kreis"}
    categories, start, end
        Selection (see :func:`geo.hotspots.points.select`).
    per : int
        Rates per `per` inhabitants (default 1,000).
    min_count : int
        Areas with fewer incidents are suppressed (default 3).
    pool : {None, "verband", "years"}
        How to lift suppressed areas over the minimum (see module doc); ``"years"``
        needs `start` and `end`.
    max_pool : int
        ``pool="years"``: at most this many earlier periods are added.
    interval : float
        Probability of the smoothed-rate interval (default 0.90).

    Returns
    -------
    GeoDataFrame
        See :func:`rates_table`; one row per area of the level, sorted by key.
    """
    if pool not in POOLS:
        msg = f"Unbekannte Zusammenfassung '{pool}'; möglich: verband, years."
        raise AtlasError(msg)
    chosen = select(points, categories=categories, start=start, end=end)
    counts = count_points(chosen, level=level)
    table = rates_table(counts, level=level, per=per, min_count=min_count, interval=interval)
    if pool == "verband":
        if level != "gemeinde":
            raise AtlasError("Zusammenfassen nach Verwaltungsverband geht nur auf Gemeindeebene.")
        table = _pool_verband(table, counts, min_count=min_count)
    elif pool == "years":
        table = _pool_periods(table, points, categories=categories, start=start, end=end, level=level,
                              min_count=min_count, max_pool=max_pool)
    table.attrs["pool"] = pool
    return table.drop(columns=[c for c in ("vb_ars", "vb_name", "vb_typ") if c in table.columns])


def _pool_periods(table: gpd.GeoDataFrame, points: gpd.GeoDataFrame, *, categories, start, end,
                  level: str, min_count: int, max_pool: int) -> gpd.GeoDataFrame:
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    if t0 is None or t1 is None:
        raise AtlasError("Zusammenfassen über Jahre braucht einen Zeitraum mit Beginn und Ende.")
    length = t1 - t0 + pd.Timedelta(1, "ns")
    # Time at risk starts with the data: the day of the earliest incident given (any category).
    first_seen = points["time"].min() if len(points) else pd.NaT
    data_start = t0 if pd.isna(first_seen) else min(t0, pd.Timestamp(first_seen).normalize())
    pop = table["einwohner"].to_numpy(np.float64)
    for extra in range(1, max_pool + 1):
        todo = table["suppressed"].to_numpy()
        if not todo.any():
            break
        earlier = select(points, categories=categories, start=t0 - extra * length, end=t1)
        y = count_points(earlier, level=level).reindex(table["ags"], fill_value=0).to_numpy(np.int64)
        lift = todo & (y >= min_count)
        begin = max(t0 - extra * length, data_start)
        periods = (t1 - begin + pd.Timedelta(1, "ns")) / length
        if begin > t0 - extra * length:
            note = (f"{zahl(periods, 2)} Zeiträume ab {begin:%d.%m.%Y} (Datenbeginn) zusammen "
                    "(Durchschnitt je Zeitraum)")
        else:
            note = f"{extra + 1} Zeiträume ab {begin:%d.%m.%Y} zusammen (Durchschnitt je Zeitraum)"
        _set_pooled(table, lift, y, pop * periods, note)
        if begin > t0 - extra * length:
            break  # earlier periods hold no data
    return table


def aggregate_rates(aggregates: pd.DataFrame, *, level: str = "gemeinde",
                    categories: Iterable[str] | str | None = None, start: DateLike = None,
                    end: DateLike = None, per: int = 1_000, min_count: int = 3,
                    interval: float = 0.90) -> gpd.GeoDataFrame:
    """Rates from aggregated tables (``area_key``, ``level``, ``category``, ``period_*``, ``count``).

    Rows of the requested level whose period lies wholly inside [`start`, `end`] are
    summed per area; for ``level="kreis"`` Gemeinde rows are summed to their Kreis
    when there are no Kreis rows. Returns the frame of :func:`rates_table`.
    """
    frame = aggregates
    if categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        frame = frame[frame["category"].isin(wanted)]
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    ps, pe = pd.to_datetime(frame["period_start"]), pd.to_datetime(frame["period_end"])
    inside = np.ones(len(frame), dtype=bool)
    if t0 is not None:
        inside &= (ps >= t0).to_numpy()
    if t1 is not None:
        inside &= (pe <= t1).to_numpy()
    frame = frame[inside]
    rows = frame[frame["level"] == level]
    keys = rows["area_key"].astype(str)
    if level == "kreis" and rows.empty:
        rows = frame[frame["level"] == "gemeinde"]
        keys = rows["area_key"].astype(str).str.slice(0, 5)
    if rows.empty:
        msg = ("Für Ebene, Kategorien und Zeitraum gibt es keine aggregierten Zahlen, "
               "deren Zeitraum ganz darin liegt.")
        raise AtlasError(msg)
    counts = rows["count"].groupby(keys.to_numpy()).sum()
    return rates_table(counts, level=level, per=per, min_count=min_count, interval=interval)
