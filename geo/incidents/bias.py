"""Reporting bias in citizen reports: duplicates, bursts, few reporters, and their cautions.

Citizen reports (Open311, Mängelmelder, Ordnungsamt hotlines) map where people report, not
only where the problem is. Each pattern below gets a German caution beside the count it biases.

**Duplicates** (:func:`duplicates`). In time order (equal times in input order), a report is a
duplicate when an earlier **kept** report of the same category lies within ``metres``
(Euclidean) and ``hours`` (0 ≤ Δt ≤ hours), both inclusive; all others are kept. A duplicate
never anchors another: reports every 30 hours at one spot give kept, duplicate, kept, …
The result equals the plain O(n²) loop (tested) but costs O(n log n) plus the near pairs:
reports are bucketed in squares of ``metres`` per category, sorted by (bucket, time), and each
one's earlier neighbours are found by binary search in its 3 × 3 buckets. Caution: at least a
quarter of ≥ 6 reports are duplicates (the de-duplicated count is ≥ 25 % lower); reports at
random places and times, even 800 per km² and year, give fewer than 1 % duplicates.

**Bursts** (:func:`bursts`). Per cell, the fewest calendar days holding two thirds of its
reports. Flagged when ≥ 6 reports, ≤ 2 days hold two thirds of them, *and* chance does not
explain it: for n reports on random days of a period of D days, the chance that some k days
hold ≥ m of them is at most C(D, k) · P(Bin(n, k/D) ≥ m) (union bound, conservative), and it
must be below 10⁻⁴. The guard matters for short periods: over 30 days, 4 of 6 random reports
fall on 2 days in about 6 % of cells. "7 von 9 Meldungen an 2 Tagen" stays flagged over a
month (bound ≈ 7·10⁻⁵) and over a year.

**Few reporters** (:func:`few_reporters`). Where the file has a reporter or device column (read
as opaque per-import hashes, column ``melder``): the share of a cell's reports from its 1, 2
and 3 most active reporters. Flagged when ≥ 6 reports and k reporters filed two thirds of them
with k ≤ 3 and k ≤ n / 4: each then filed ≥ 2.7 reports on average, repeated reporting rather
than a few neighbours calling once. No text ever names or shows a reporter id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.special import comb
from scipy.stats import binom

from geo.grid import Grid, cell_id
from geo.hotspots.points import xy
from geo.lang import Text, phrase

METRES = 25.0
HOURS = 48.0
MIN_REPORTS = 6  # fewer reports in a cell never get a caution (and stay above the privacy threshold)
SHARE = 2 / 3  # "most of them"
BURST_DAYS = 2
BURST_ALPHA = 1e-4
DUPLICATE_SHARE = 1 / 4
MAX_REPORTERS = 3
REPORTS_PER_REPORTER = 4

_KEPT, _DUP = 1, 2
_BLOCK = 1 << 16  # reports settled at once
_PAIR_BUDGET = 1 << 21  # candidate pairs held at once (bounds memory on very dense clusters)
_ROUNDS = 8  # vectorised rounds before the rest of a block is settled one by one


def duplicates(x: object, y: object, t: object, category: object, *, metres: float = METRES,
               hours: float = HOURS) -> np.ndarray:
    """Which reports repeat an earlier kept report (see module doc for the exact rule).

    Parameters
    ----------
    x, y : array-like of float
        Coordinates in metres (``METRIC_CRS``).
    t : array-like of datetime64
        Report times (seconds are the resolution).
    category : array-like
        Category of each report; only equal categories are duplicates of each other.
    metres : float
        Largest distance of a duplicate from its kept report, in metres (inclusive).
    hours : float
        Largest time after the kept report, in hours (inclusive).

    Returns
    -------
    ndarray of bool
        True for duplicates. Reports without coordinates, time or category are never
        duplicates and never make another report one.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    when = pd.to_datetime(pd.Series(t, copy=False)).to_numpy(dtype="datetime64[s]")
    seconds, missing = when.astype(np.int64), np.isnat(when)
    codes = pd.factorize(pd.Series(category, copy=False), use_na_sentinel=True)[0]
    if not (len(x) == len(y) == len(seconds) == len(codes) and metres > 0 and hours >= 0):
        msg = f"duplicates: x, y, t, category gleich lang, metres > 0, hours ≥ 0 erwartet ({metres}/{hours})."
        raise ValueError(msg)
    valid = np.isfinite(x) & np.isfinite(y) & ~missing & (codes >= 0)
    idx = np.flatnonzero(valid)
    result = np.zeros(len(x), dtype=bool)
    if len(idx) < 2:
        return result
    order = idx[np.lexsort((idx, seconds[idx]))]  # time order, equal times in input order
    status = _greedy(x[order], y[order], seconds[order], codes[order].astype(np.int64), float(metres),
                     math.floor(hours * 3600))
    result[order] = status == _DUP
    return result


def _greedy(xs: np.ndarray, ys: np.ndarray, ts: np.ndarray, cs: np.ndarray, metres: float,
            window: int) -> np.ndarray:
    """Status (kept/duplicate) of reports given in time order; index = rank."""
    m = len(xs)
    gx = np.floor(xs / metres).astype(np.int64)
    gy = np.floor(ys / metres).astype(np.int64)
    gx -= gx.min() - 1  # one empty bucket of margin: neighbour keys never wrap into another row
    gy -= gy.min() - 1
    width, height = int(gx.max()) + 2, int(gy.max()) + 2
    if (int(cs.max()) + 1) * width * height >= 2**62:
        msg = "duplicates: Koordinaten zu weit gestreut (sind es Meter in EPSG:25833?)."
        raise ValueError(msg)
    key = (cs * width + gx) * height + gy
    buckets, bucket = np.unique(key, return_inverse=True)
    by_bucket = np.lexsort((np.arange(m), bucket))  # ranks sorted by (bucket, rank)
    composite = bucket[by_bucket] * m + by_bucket
    first = np.searchsorted(ts, ts - window, side="left")  # first rank inside each report's window
    # Candidates of report j in each of its 3 × 3 buckets: the sorted positions lo:hi (ranks
    # first[j] … j-1 of that bucket). Queried in bucket order, so the searches walk forward.
    lo = np.zeros((9, m), dtype=np.int32)
    hi = np.zeros((9, m), dtype=np.int32)
    for s, shift in enumerate(dx * height + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
        wanted = key[by_bucket] + shift
        pos = np.minimum(np.searchsorted(buckets, wanted), len(buckets) - 1)
        hit = buckets[pos] == wanted  # most neighbour buckets are empty: search only the others
        q, pos = by_bucket[hit], pos[hit]
        lo[s, q] = np.searchsorted(composite, pos * m + first[q])
        hi[s, q] = np.searchsorted(composite, pos * m + q)
    status = np.zeros(m, dtype=np.int8)
    for start in range(0, m, _BLOCK):  # settled in time order, a block of reports at a time
        stop = min(start + _BLOCK, m)
        per_report = np.cumsum((hi[:, start:stop] - lo[:, start:stop]).sum(axis=0, dtype=np.int64))
        cuts = np.searchsorted(per_report, np.arange(_PAIR_BUDGET, per_report[-1], _PAIR_BUDGET))
        for a, b in itertools.pairwise(np.unique([0, *cuts.tolist(), stop - start]).tolist()):
            a, b = start + a, start + b
            ii, jj = _pairs(lo[:, a:b], hi[:, a:b], np.arange(a, b), by_bucket)
            near = (xs[ii] - xs[jj]) ** 2 + (ys[ii] - ys[jj]) ** 2 <= metres * metres
            _settle(status, ii[near], jj[near], a, b)
    return status


def _pairs(lo: np.ndarray, hi: np.ndarray, j: np.ndarray, by_bucket: np.ndarray) -> tuple[np.ndarray, ...]:
    """(earlier report, report) for every candidate in the ranges ``lo:hi`` of the sorted buckets."""
    lo, n = lo.ravel().astype(np.int64), (hi - lo).ravel()
    total = int(n.sum())
    step = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return by_bucket[np.repeat(lo, n) + step], np.repeat(np.tile(j, len(hi)), n)


def _settle(status: np.ndarray, ii: np.ndarray, jj: np.ndarray, a: int, b: int) -> None:
    """Decide reports ``a:b`` (all earlier ones are decided) from their near earlier pairs ``ii → jj``.

    A report is a duplicate as soon as one candidate is kept, and kept once all are
    duplicates; rounds of that settle most reports, the rest (long chains) go in order.
    """
    block = status[a:b]
    for _ in range(_ROUNDS):
        of_i = status[ii]
        status[jj[of_i == _KEPT]] = _DUP
        still = (status[jj] == 0) & (of_i == 0)
        ii, jj = ii[still], jj[still]
        waiting = np.bincount(jj - a, minlength=b - a)
        block[(block == 0) & (waiting == 0)] = _KEPT
        if not (block == 0).any():
            return
    order = np.argsort(jj, kind="stable")
    ii, jj = ii[order], jj[order]
    bounds = np.searchsorted(jj, np.arange(a, b + 1))
    for r in np.flatnonzero(block == 0):
        near = ii[bounds[r]:bounds[r + 1]]
        block[r] = _DUP if (status[near] == _KEPT).any() else _KEPT


def deduplicated(points: gpd.GeoDataFrame, *, metres: float = METRES,
                 hours: float = HOURS) -> gpd.GeoDataFrame:
    """`points` (``METRIC_CRS``, ``time``, ``category``) without duplicates; a new frame."""
    x, y = xy(points)
    return points[~duplicates(x, y, points["time"], points["category"], metres=metres, hours=hours)].copy()


def cell_labels(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each point's study cell id (as :meth:`geo.grid.Grid.cell_ids`), None outside the study cells."""
    row, col = grid.locate(x, y)
    inside = row >= 0
    inside[inside] = grid.mask[row[inside], col[inside]]
    labels = np.full(len(row), None, dtype=object)
    labels[inside] = cell_id(col[inside] + grid.col0, row[inside] + grid.row0, cell=grid.cell)
    return labels


def _concentration(group: np.ndarray, sub: np.ndarray, n_groups: int,
                   need: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: the fewest sub-keys (days, reporters) holding ≥ `need` rows, their rows, top-3 counts.

    Groups where all sub-keys together stay below `need` get 0 and 0.
    """
    pairs = pd.DataFrame({"g": group, "s": sub}).value_counts(sort=False)
    g = pairs.index.get_level_values("g").to_numpy()
    counts = pairs.to_numpy()
    order = np.lexsort((-counts, g))
    g, counts = g[order], counts[order]
    starts = np.searchsorted(g, np.arange(n_groups))
    rank = np.arange(len(g)) - starts[g] + 1
    cum = np.cumsum(counts)
    cum -= np.concatenate([[0], cum])[starts][g]
    top = np.zeros((n_groups, MAX_REPORTERS + 1), dtype=np.int64)  # column k: the k most frequent
    for k in range(1, MAX_REPORTERS + 1):
        top[:, k] = top[:, k - 1]
        top[g[rank == k], k] = cum[rank == k]
    reached = cum >= need[g]
    k_needed = np.zeros(n_groups, dtype=np.int64)
    on = np.zeros(n_groups, dtype=np.int64)
    hit_groups, first = np.unique(g[reached], return_index=True)
    k_needed[hit_groups] = rank[reached][first]
    on[hit_groups] = cum[reached][first]
    return k_needed, on, top[:, 1:]


def _groups(cells: object) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    codes, labels = pd.factorize(pd.Series(cells, copy=False), use_na_sentinel=True)
    return codes, labels, np.bincount(codes[codes >= 0], minlength=len(labels))


def _need(reports: np.ndarray, share: float) -> np.ndarray:
    return np.ceil(reports * share - 1e-9).astype(np.int64)


def bursts(cells: object, t: object, *, period: tuple[dt.date, dt.date] | None = None,
           min_reports: int = MIN_REPORTS, share: float = SHARE, max_days: int = BURST_DAYS,
           alpha: float = BURST_ALPHA) -> pd.DataFrame:
    """Reports per cell concentrated on a few days (see module doc for the rule).

    Parameters
    ----------
    cells : array-like
        Each report's cell (any labels, e.g. :func:`cell_labels`); None/NaN: in no cell.
    t : array-like of datetime64
        Report times (naive local; missing times are left out); days are calendar days.
    period : (date, date), optional
        First and last day of the period looked at (inclusive); default the days from the
        first to the last report given.

    Returns
    -------
    DataFrame
        Indexed by cell: ``reports``, ``days`` (fewest days holding ≥ `share` of them),
        ``on_days`` (reports on those days), ``p_chance`` (bound on the chance of such a
        concentration among random days) and ``burst``.
    """
    day = pd.to_datetime(pd.Series(t, copy=False)).to_numpy(dtype="datetime64[D]")
    codes, labels, reports = _groups(np.where(np.isnat(day), None, np.asarray(cells, dtype=object)))
    day, inside = day.astype(np.int64), codes >= 0
    if period is not None:
        n_days = (period[1] - period[0]).days + 1
    else:
        n_days = int(day[inside].max() - day[inside].min()) + 1 if inside.any() else 1
    days, on_days, _ = _concentration(codes[inside], day[inside], len(labels), _need(reports, share))
    p = np.ones(len(labels))
    chance = (days >= 1) & (days < n_days)
    k, on, n = days[chance], on_days[chance], reports[chance]
    p[chance] = np.minimum(1.0, comb(n_days, k) * binom.sf(on - 1, n, k / n_days))
    burst = (reports >= min_reports) & (days >= 1) & (days <= max_days) & (p < alpha)
    return pd.DataFrame({"reports": reports, "days": days, "on_days": on_days, "p_chance": p,
                         "burst": burst}, index=pd.Index(labels, name="cell"))


def few_reporters(cells: object, reporters: object, *, min_reports: int = MIN_REPORTS,
                  share: float = SHARE, max_reporters: int = MAX_REPORTERS,
                  per_reporter: int = REPORTS_PER_REPORTER) -> pd.DataFrame:
    """Share of each cell's reports from its most active reporters (see module doc for the rule).

    Parameters
    ----------
    cells : array-like
        Each report's cell; None/NaN: in no cell.
    reporters : array-like of str
        Opaque reporter ids (the ``melder`` hashes); None/NaN/"" where unknown. Ids are
        only counted, never returned.

    Returns
    -------
    DataFrame
        Indexed by cell: ``reports``, ``top1``, ``top2``, ``top3`` (shares of the reports
        from the 1, 2, 3 most active reporters), ``reporters`` (fewest reporters who filed
        ≥ `share` of the reports, 0 if all known reporters together did not),
        ``on_reporters`` (their reports) and ``few``.
    """
    codes, labels, reports = _groups(cells)
    ids = pd.Series(reporters, copy=False, dtype=object).replace("", None)
    rep = pd.factorize(ids, use_na_sentinel=True)[0]
    known = (codes >= 0) & (rep >= 0)
    k, on, top = _concentration(codes[known], rep[known], len(labels), _need(reports, share))
    shares = top / np.maximum(reports, 1)[:, None]
    few = ((reports >= min_reports) & (k >= 1) & (k <= max_reporters) & (k * per_reporter <= reports))
    return pd.DataFrame({"reports": reports, "top1": shares[:, 0], "top2": shares[:, 1],
                         "top3": shares[:, 2], "reporters": k, "on_reporters": on, "few": few},
                        index=pd.Index(labels, name="cell"))


def cell_bias(points: gpd.GeoDataFrame, cells: object, *, period: tuple[dt.date, dt.date] | None = None,
              metres: float = METRES, hours: float = HOURS, min_reports: int = MIN_REPORTS,
              scope: str = "zelle") -> pd.DataFrame:
    """All three checks per cell and the caution text for each.

    Parameters
    ----------
    points : GeoDataFrame
        Reports in ``METRIC_CRS`` with ``time``, ``category`` and, where the file had a
        reporter column, ``melder`` (opaque hashes).
    cells : array-like
        Each report's cell (e.g. :func:`cell_labels`); None/NaN: in no cell. Duplicates are
        found among all `points`, so a report's kept twin may lie in the next cell.
    period : (date, date), optional
        The period looked at (for bursts); default first to last report.
    min_reports : int
        Fewest reports a cell needs for any caution (at least 6). A caller with a privacy
        threshold k passes ``max(6, k)`` so no caution tells a hidden cell's count.
    scope : {"zelle", "gebiet"}
        Whether a burst caution says "in dieser Zelle" or "in diesem Gebiet".

    Returns
    -------
    DataFrame
        Indexed by cell: ``reports``, ``duplicates``, ``deduplicated``, the columns of
        :func:`bursts` and (with ``melder``) of :func:`few_reporters`, and ``caution``: the
        German caution (a translatable :class:`geo.lang.Text`), "" where there is none.
    """
    if scope not in ("zelle", "gebiet"):
        msg = f"cell_bias: scope 'zelle' oder 'gebiet', nicht {scope!r}."
        raise ValueError(msg)
    min_reports = max(min_reports, MIN_REPORTS)
    x, y = xy(points)
    dup = duplicates(x, y, points["time"], points["category"], metres=metres, hours=hours)
    cells = pd.Series(cells, copy=False).to_numpy(dtype=object)
    table = bursts(cells, points["time"], period=period, min_reports=min_reports)
    codes = pd.Index(table.index).get_indexer(cells)
    inside = codes >= 0
    table.insert(1, "duplicates", np.bincount(codes[inside], weights=dup[inside],
                                              minlength=len(table)).astype(np.int64))
    table.insert(2, "deduplicated", table["reports"] - table["duplicates"])
    if "melder" in points.columns and points["melder"].notna().any():
        table = table.join(few_reporters(cells, points["melder"], min_reports=min_reports)
                           .drop(columns="reports"))
    texts = [_caution(row, scope, metres, hours, min_reports) for row in table.itertuples()]
    table["caution"] = pd.Series(texts, index=table.index, dtype=object)  # object keeps the Text
    return table


def _caution(row: object, scope: str, metres: float, hours: float, min_reports: int) -> Text | str:
    n = int(row.reports)
    parts: list[Text] = []
    if n >= min_reports and row.duplicates >= DUPLICATE_SHARE * n:
        parts.append(phrase("{m} von {n} Meldungen sind Doppelmeldungen (gleiche Kategorie, "
                            "≤ {metres:.0f} m, ≤ {hours:.0f} Std.)", m=int(row.duplicates), n=n,
                            metres=metres, hours=hours))
    if row.burst:
        m, k = int(row.on_days), int(row.days)
        if scope == "zelle":
            parts.append(phrase("{m} von {n} Meldungen in dieser Zelle an einem Tag", m=m, n=n) if k == 1
                         else phrase("{m} von {n} Meldungen in dieser Zelle an {k} Tagen", m=m, n=n, k=k))
        else:
            parts.append(phrase("{m} von {n} Meldungen in diesem Gebiet an einem Tag", m=m, n=n) if k == 1
                         else phrase("{m} von {n} Meldungen in diesem Gebiet an {k} Tagen", m=m, n=n, k=k))
    if getattr(row, "few", False):
        m, k = int(row.on_reporters), int(row.reporters)
        parts.append(phrase("{m} von {n} Meldungen stammen von einer meldenden Person", m=m, n=n) if k == 1
                     else phrase("{m} von {n} Meldungen stammen von {k} meldenden Personen", m=m, n=n, k=k))
    if not parts:
        return ""
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = phrase("{first}; {rest}", first=part, rest=text)
    return text


def cautions_for_cells(points: gpd.GeoDataFrame, cells: object, **options: object) -> pd.Series:
    """The caution of each cell holding reports ("" where none); options as :func:`cell_bias`."""
    return cell_bias(points, cells, **options)["caution"]


def cautions_for_counts(points: gpd.GeoDataFrame, *, period: tuple[dt.date, dt.date] | None = None,
                        **options: object) -> Text | str:
    """The caution for a count over one area, e.g. a measure's target area T ("" where none).

    `points` are the reports the count is made of (those in T within `period`); the burst
    caution then says "in diesem Gebiet".
    """
    if points.empty:
        return ""
    table = cell_bias(points, np.zeros(len(points), dtype=np.int64), period=period, scope="gebiet",
                      **options)
    return table["caution"].iat[0]
