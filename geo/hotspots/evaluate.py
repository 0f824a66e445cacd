"""Predictive accuracy: fit on period A, test on period B, top x % of the study area.

For a score per study cell from period A (method ``grid``: A's counts, the simple
baseline studies find hard to beat; ``kde``: A's density; ``gi``: A's Gi* z), the
hotspot area is the k = round(share · n) best cells (at least one). Ties at the
threshold share the remaining places equally (each tied cell counts with the same
fraction), which is the expected result of breaking ties at random — so a method
with many equal scores is neither flattered nor punished by an arbitrary order.

* **hit rate** = share of B's incidents (in the study cells) inside the hotspot area
* **PAI** = hit rate / area share (Chainey, Tompson & Uhlig 2008)
* **PEI** = hit rate / best hit rate any k cells could have reached in B (Hunt 2016)
* **RRI** = (n_B / n_A) / (N_B / N_A), n inside the hotspots, N in the whole study
  area (Levine); 1 means the hotspots kept their share of incidents.

How sure that is:

* **Concentration curve** (`Evaluation.curve`): the hit rate of every method for 1–20 %
  of the area, so a reader sees more than one chosen share.
* **Rolling test periods** (`Evaluation.rolling`): period B is cut into blocks of
  :data:`BLOCK_MONTHS` months from the split; each of the last :data:`ROLLING_BLOCKS`
  blocks is predicted from every incident before it (the same bandwidth). The verdict
  compares each method's range of hit rates (lowest to highest block) with the range of
  the counting baseline: wholly above – "besser", wholly below – "NICHT besser",
  overlapping – "nicht unterscheidbar".
* **Bandwidth** ``"auto"``: chosen by rolling-origin validation inside period A
  (:mod:`geo.hotspots.bandwidth`), never looking at B.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import AtlasError
from geo.grid import DEFAULT_CELL_M, Grid, study_grid
from geo.hotspots.bandwidth import BandwidthChoice, add_months, choose_bandwidth
from geo.hotspots.gistar import DEFAULT_RADIUS, gi_star
from geo.hotspots.kde import kde
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.lang import phrase

EVAL_METHODS = ("grid", "kde", "gi")
METHOD_NAMES = {"grid": "Zählung der Vorperiode", "kde": "Kerndichte (KDE)", "gi": "Gi*"}
DEFAULT_AREA_SHARE = 0.05
CURVE_SHARES = tuple(round(0.01 * i, 2) for i in range(1, 21))
BLOCK_MONTHS = 3
ROLLING_BLOCKS = 4


@dataclass(frozen=True)
class Accuracy:
    """Accuracy of one method; rates are shares (0–1), PAI and RRI ratios, NaN if undefined."""

    hit_rate: float
    pai: float
    pei: float
    rri: float

    def as_dict(self) -> dict[str, float | None]:
        return {k: (None if np.isnan(v) else round(float(v), 6)) for k, v in vars(self).items()}


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Result of :func:`evaluate`: per method accuracy and a German verdict per non-baseline method.

    Attributes
    ----------
    results : dict
        Method → `Accuracy` on the whole of period B.
    verdicts : dict
        Method → German sentence comparing it with counting over the rolling blocks.
    curve : DataFrame
        ``anteil`` (0.01–0.20) and one hit-rate column per method.
    rolling : DataFrame
        One row per rolling test block: ``von``, ``bis`` (inclusive dates), ``n_test`` and one
        hit-rate column per method (at `area_share`).
    bandwidth : BandwidthChoice or None
        How the KDE bandwidth was chosen when asked for ``"auto"``.
    kde_bandwidth_m : float or None
        The KDE bandwidth used, metres.
    """

    area_share: float
    n_cells: int
    n_selected: int
    n_train: int
    n_test: int
    results: dict[str, Accuracy]
    verdicts: dict[str, str] = field(default_factory=dict)
    curve: pd.DataFrame | None = None
    rolling: pd.DataFrame | None = None
    bandwidth: BandwidthChoice | None = None
    kde_bandwidth_m: float | None = None

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Method → (lowest, highest) hit rate over the rolling blocks."""
        if self.rolling is None or self.rolling.empty:
            return {}
        return {m: (float(self.rolling[m].min()), float(self.rolling[m].max())) for m in self.results}

    def as_dict(self) -> dict:
        """The figures as JSON (README, "Ausgaben"): the first four keys are the original contract."""
        out = {"area_share": self.area_share, "n_train": self.n_train, "n_test": self.n_test,
               "results": {m: a.as_dict() for m, a in self.results.items()}}
        out["curve"] = ({"area_share": list(self.curve["anteil"]),
                         **{m: [_num(v) for v in self.curve[m]] for m in self.results}}
                        if self.curve is not None else None)
        blocks = self.rolling if self.rolling is not None else pd.DataFrame()
        out["rolling"] = [{"from": r["von"].isoformat(), "to": r["bis"].isoformat(),
                           "n_test": int(r["n_test"]), **{m: _num(r[m]) for m in self.results}}
                          for _, r in blocks.iterrows()]
        out["ranges"] = {m: [_num(low), _num(high)] for m, (low, high) in self.ranges().items()}
        out["verdicts"] = {m: str(v) for m, v in self.verdicts.items()}
        out["bandwidth"] = (self.bandwidth.as_dict() if self.bandwidth is not None else
                            {"m": self.kde_bandwidth_m} if self.kde_bandwidth_m is not None else None)
        return out


def _num(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def selection_weights(score: np.ndarray, k: int) -> np.ndarray:
    """Weight in [0, 1] per cell: 1 for the k best, ties at the threshold share the rest."""
    score = np.asarray(score, dtype=np.float64)
    n = len(score)
    if not 1 <= k <= n:
        raise ValueError("k must be within 1..n")
    threshold = np.sort(score)[::-1][k - 1]
    above = score > threshold
    tied = score == threshold
    weights = above.astype(np.float64)
    weights[tied] = (k - above.sum()) / tied.sum()
    return weights


def accuracy(score: np.ndarray, train: np.ndarray, test: np.ndarray, *, k: int) -> Accuracy:
    """Hit rate, PAI, PEI, RRI of the k best cells by `score` (arrays over the study cells)."""
    n = len(score)
    weights = selection_weights(score, k)
    n_a, n_b = float(np.asarray(train).sum()), float(np.asarray(test).sum())
    inside_a, inside_b = float(weights @ train), float(weights @ test)
    share = k / n
    if n_b == 0:
        return Accuracy(np.nan, np.nan, np.nan, np.nan)
    hit = inside_b / n_b
    best = float(np.sort(np.asarray(test))[::-1][:k].sum()) / n_b
    pei = hit / best if best > 0 else np.nan
    rri = (inside_b / inside_a) / (n_b / n_a) if inside_a > 0 and n_a > 0 else np.nan
    return Accuracy(hit_rate=hit, pai=hit / share, pei=pei, rri=rri)


def _verdicts(results: dict[str, Accuracy], ranges: dict[str, tuple[float, float]]) -> dict[str, str]:
    """A German sentence per method: its range of hit rates over the rolling blocks against counting's."""
    if "grid" not in results:
        return {}
    out = {}
    ref = ranges.get("grid")
    for method in results:
        if method == "grid":
            continue
        name, own = phrase(METHOD_NAMES[method]), ranges.get(method)
        if ref is None or own is None or np.isnan([*own, *ref]).any():
            out[method] = phrase("{name}: nicht bewertbar (keine Vorfälle im Testzeitraum).", name=name)
            continue
        values = {"name": name, "low": 100 * own[0], "high": 100 * own[1], "ref_low": 100 * ref[0],
                  "ref_high": 100 * ref[1]}
        if own[0] > ref[1]:
            out[method] = phrase("{name} trifft besser als die einfache Zählung der Vorperiode: Trefferquote "
                                 "{low:.0f}–{high:.0f} % gegenüber {ref_low:.0f}–{ref_high:.0f} % in den "
                                 "Prüfzeiträumen.", **values)
        elif own[1] < ref[0]:
            out[method] = phrase("{name} ist NICHT besser als die einfache Zählung der Vorperiode: "
                                 "Trefferquote {low:.0f}–{high:.0f} % gegenüber {ref_low:.0f}–{ref_high:.0f} "
                                 "% in den Prüfzeiträumen; die Zählung genügt hier.", **values)
        else:
            out[method] = phrase("{name} ist von der einfachen Zählung der Vorperiode nicht "
                                 "unterscheidbar: Trefferquote {low:.0f}–{high:.0f} % gegenüber "
                                 "{ref_low:.0f}–{ref_high:.0f} % in den Prüfzeiträumen.", **values)
    return out


def _scores(grid: Grid, x: np.ndarray, y: np.ndarray, methods: tuple[str, ...], *,
            bandwidth: float | None, kernel: str, radius: int) -> tuple[dict[str, np.ndarray], float | None]:
    """Score per study cell of each method, learnt from the points (x, y); and the KDE bandwidth used."""
    counts = grid.counts(x, y)
    scores, used = {}, None
    for method in methods:
        if method == "grid":
            scores[method] = counts[grid.mask].astype(np.float64)
        elif method == "kde":
            result = kde(grid, x, y, bandwidth=bandwidth, kernel=kernel)
            scores[method], used = result.density[grid.mask], result.bandwidth
        else:
            scores[method] = gi_star(grid, counts, radius=radius).z
    return scores, used


def _blocks(split: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Rolling test blocks (first day, last day) of :data:`BLOCK_MONTHS` months from `split` to `end`."""
    blocks, first = [], split
    while first <= end:
        following = add_months(first, BLOCK_MONTHS)
        blocks.append((first, min(end, following - dt.timedelta(days=1))))
        first = following
    return blocks


def evaluate(points: gpd.GeoDataFrame, *, split: DateLike, area: str = "14",
             methods: str | Iterable[str] = "all", cell: float = DEFAULT_CELL_M,
             area_share: float = DEFAULT_AREA_SHARE, categories: Iterable[str] | str | None = None,
             start: DateLike = None, end: DateLike = None, bandwidth: float | str | None = None,
             kernel: str = "quartic", radius: int = DEFAULT_RADIUS, grid: Grid | None = None) -> Evaluation:
    """Fit on [`start`, `split`), test on [`split`, `end`] and compare methods (see module doc).

    Parameters
    ----------
    points : GeoDataFrame
        Incidents in ``METRIC_CRS``.
    split : date
        First day of the test period B.
    area, cell, grid
        Study cells (see :func:`geo.grid.study_grid`).
    methods : "all" or iterable of {"grid", "kde", "gi"}
    area_share : float
        Share of the study cells taken as hotspots, 0 < share ≤ 0.5 (default 0.05).
    bandwidth : float, "auto", "regel" or None
        KDE bandwidth in metres; ``"auto"``: chosen by validation inside period A
        (:mod:`geo.hotspots.bandwidth`); ``"regel"`` or None: ArcGIS Pro's rule.
    categories, start, end, kernel, radius
        Selection and method options.

    Returns
    -------
    Evaluation

    Raises
    ------
    AtlasError
        No incidents in A or in B, or a bad share.
    """
    wanted = (methods,) if isinstance(methods, str) else tuple(methods)
    wanted = EVAL_METHODS if wanted == ("all",) else wanted
    if any(m not in EVAL_METHODS for m in wanted):
        msg = f"Unbekannte Methode; möglich: {', '.join(EVAL_METHODS)} oder all."
        raise AtlasError(msg)
    if not 0 < area_share <= 0.5:
        share = f"{area_share:g}".replace(".", ",")
        raise AtlasError(f"Flächenanteil {share} ist nicht möglich: erlaubt ist über 0 bis 0,5.")
    grid = grid if grid is not None else study_grid(area, cell=cell)
    t_split = timestamp(split, end=False)
    chosen = select(points, categories=categories, start=start, end=end)
    before = (chosen["time"] < t_split).to_numpy()
    x, y = xy(chosen)
    times = chosen["time"].to_numpy(dtype="datetime64[s]")
    xa, ya, xb, yb = x[before], y[before], x[~before], y[~before]
    train, test = grid.counts(xa, ya)[grid.mask], grid.counts(xb, yb)[grid.mask]
    if train.sum() == 0 or test.sum() == 0:
        if train.sum() == 0:
            msg = phrase("Im Gebiet gibt es vor dem Stichtag {day:%d.%m.%Y} keine Vorfälle der gewählten "
                         "Kategorien; die Trefferquote lässt sich so nicht prüfen.", day=t_split)
        else:
            msg = phrase("Im Gebiet gibt es ab dem Stichtag {day:%d.%m.%Y} keine Vorfälle der gewählten "
                         "Kategorien; die Trefferquote lässt sich so nicht prüfen.", day=t_split)
        raise AtlasError(msg)
    n = grid.n_cells
    k = max(1, round(area_share * n))
    first_day = (timestamp(start, end=False) or pd.Timestamp(times.min())).date()
    last_day = (timestamp(end, end=True) or pd.Timestamp(times.max())).date()
    choice = None
    if bandwidth == "auto" and "kde" in wanted:
        choice = choose_bandwidth(xa, ya, times[before], grid, start=first_day, end=t_split.date(),
                                  area_share=area_share)
        bandwidth = choice.bandwidth
    elif bandwidth in ("auto", "regel"):
        bandwidth = None
    scores, used = _scores(grid, xa, ya, wanted, bandwidth=bandwidth, kernel=kernel, radius=radius)
    results = {m: accuracy(scores[m], train, test, k=k) for m in wanted}
    curve = pd.DataFrame({"anteil": CURVE_SHARES, **{
        m: [accuracy(scores[m], train, test, k=max(1, round(share * n))).hit_rate for share in CURVE_SHARES]
        for m in wanted}})
    rows = []
    for block_start, block_end in _blocks(t_split.date(), last_day):
        t0, t1 = np.datetime64(block_start, "s"), np.datetime64(block_end + dt.timedelta(days=1), "s")
        inside = (times >= t0) & (times < t1)
        block_test = grid.counts(x[inside], y[inside])[grid.mask]
        if block_test.sum() == 0:
            continue
        learn = times < t0
        block_scores, _ = _scores(grid, x[learn], y[learn], wanted, bandwidth=bandwidth if bandwidth
                                  is not None else used, kernel=kernel, radius=radius)
        learnt = grid.counts(x[learn], y[learn])[grid.mask]
        rows.append({"von": block_start, "bis": block_end, "n_test": int(block_test.sum()),
                     **{m: accuracy(block_scores[m], learnt, block_test, k=k).hit_rate for m in wanted}})
    rolling = pd.DataFrame(rows[-ROLLING_BLOCKS:], columns=["von", "bis", "n_test", *wanted])
    evaluation = Evaluation(area_share=k / n, n_cells=n, n_selected=k, n_train=int(train.sum()),
                            n_test=int(test.sum()), results=results, curve=curve, rolling=rolling,
                            bandwidth=choice, kde_bandwidth_m=used)
    return dataclasses.replace(evaluation, verdicts=_verdicts(results, evaluation.ranges()))
