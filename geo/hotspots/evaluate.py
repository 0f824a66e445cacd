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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from geo.errors import AtlasError
from geo.grid import DEFAULT_CELL_M, Grid, study_grid
from geo.hotspots.gistar import DEFAULT_RADIUS, gi_star
from geo.hotspots.kde import kde
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.lang import phrase

EVAL_METHODS = ("grid", "kde", "gi")
METHOD_NAMES = {"grid": "Zählung der Vorperiode", "kde": "Kerndichte (KDE)", "gi": "Gi*"}
DEFAULT_AREA_SHARE = 0.05


@dataclass(frozen=True)
class Accuracy:
    """Accuracy of one method; rates are shares (0–1), PAI and RRI ratios, NaN if undefined."""

    hit_rate: float
    pai: float
    pei: float
    rri: float

    def as_dict(self) -> dict[str, float | None]:
        return {k: (None if np.isnan(v) else round(float(v), 6)) for k, v in vars(self).items()}


@dataclass(frozen=True)
class Evaluation:
    """Result of :func:`evaluate`: per method accuracy and a German verdict per non-baseline method."""

    area_share: float
    n_cells: int
    n_selected: int
    n_train: int
    n_test: int
    results: dict[str, Accuracy]
    verdicts: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"area_share": self.area_share, "n_train": self.n_train, "n_test": self.n_test,
                "results": {m: a.as_dict() for m, a in self.results.items()}}


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


def _verdicts(results: dict[str, Accuracy]) -> dict[str, str]:
    base = results.get("grid")
    out = {}
    if base is None:
        return out
    for method, acc in results.items():
        if method == "grid":
            continue
        name, pai, ref = phrase(METHOD_NAMES[method]), float(acc.pai), float(base.pai)
        if np.isnan(acc.pai) or np.isnan(base.pai):
            out[method] = phrase("{name}: nicht bewertbar (keine Vorfälle im Testzeitraum).", name=name)
        elif acc.hit_rate > base.hit_rate:
            out[method] = phrase("{name} trifft besser als die einfache Zählung der Vorperiode "
                                 "(PAI {pai:.1f} gegenüber {ref:.1f}).", name=name, pai=pai, ref=ref)
        else:
            out[method] = phrase("{name} ist NICHT besser als die einfache Zählung der Vorperiode "
                                 "(PAI {pai:.1f} gegenüber {ref:.1f}); die Zählung genügt hier.",
                                 name=name, pai=pai, ref=ref)
    return out


def evaluate(points: gpd.GeoDataFrame, *, split: DateLike, area: str = "14",
             methods: str | Iterable[str] = "all", cell: float = DEFAULT_CELL_M,
             area_share: float = DEFAULT_AREA_SHARE, categories: Iterable[str] | str | None = None,
             start: DateLike = None, end: DateLike = None, bandwidth: float | None = None,
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
    categories, start, end, bandwidth, kernel, radius
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
    xa, ya = xy(chosen[before])
    xb, yb = xy(chosen[~before])
    train_full = grid.counts(xa, ya)
    train, test = train_full[grid.mask], grid.counts(xb, yb)[grid.mask]
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
    results = {}
    for method in wanted:
        if method == "grid":
            score = train.astype(np.float64)
        elif method == "kde":
            score = kde(grid, xa, ya, bandwidth=bandwidth, kernel=kernel).density[grid.mask]
        else:
            score = gi_star(grid, train_full, radius=radius).z
        results[method] = accuracy(score, train, test, k=k)
    return Evaluation(area_share=k / n, n_cells=n, n_selected=k, n_train=int(train.sum()),
                      n_test=int(test.sum()), results=results, verdicts=_verdicts(results))
