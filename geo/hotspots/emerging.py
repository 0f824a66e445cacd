"""Emerging Hot Spot Analysis: how the Gi* hot and cold spots of each cell change over time.

The method of ArcGIS Pro's *Emerging Hot Spot Analysis* ("How Emerging Hot Spot Analysis
works") on the study cells of a :class:`~geo.grid.Grid`:

1. **Time steps.** ``"jahr"`` (calendar years) or ``"quartal"`` (calendar quarters): every
   calendar step from the step of the period's start to the step of its end, empty steps
   included. The period is [`start`, `end`] when given, else the first to the last selected
   incident. A first or last step that the period covers only in part is used as it is and
   listed in :attr:`EmergingHotspots.partial`: Gi* compares the cells *within* a step, so a
   short step does not look cooler, it only has fewer incidents and so less power (fewer
   significant cells). At least :data:`MIN_STEPS` steps are needed (the trend test).
2. **Gi\\* per step** with :func:`geo.hotspots.gistar.gi_star` on that step's counts: the
   same grid, the same (2r+1)² window, p-values adjusted with Benjamini–Hochberg over the
   study cells of the step. The neighbourhood is spatial only. ArcGIS's default
   *Neighborhood Time Step* of 1 also puts the window's bins of the previous step into the
   neighbourhood (a space-time Gi*); here the time-step neighbourhood is 0, so each step's
   z equals esda's ``G_Local(star=True)`` on that step alone (tested). A step without any
   variation (e.g. a quarter without incidents) gives z = 0, p = 1 in every cell.
3. **Trend.** The Mann–Kendall test on each cell's series of Gi* z over the steps
   (:func:`mann_kendall`: S, variance with tie correction, continuity-corrected Z,
   two-sided normal p; equal to ``pymannkendall.original_test``, tested). The same test on
   the study area's counts per step gives the overall trend (``trend_z``, ``trend_p``).
4. **Patterns.** Every cell gets one of the 17 patterns below (:func:`classify`).

Rules, for n steps. In a step a cell is *hot* if its FDR-adjusted Gi* p < α and z > 0,
*cold* if p < α and z < 0 (α = `alpha`). H and C count its hot and cold steps; "≥ 90 %"
means 10·H ≥ 9·n (with n ≤ 9: every step). The *final run* is the uninterrupted run of
hot steps that ends with the final step. The trend is *up* if mk_p < α and mk_z > 0,
*down* if mk_p < α and mk_z < 0, else there is none.

=========================  ==================================================================
Pattern                    Rule
=========================  ==================================================================
neuer Hotspot              hot in the final step only; never significant (hot or cold) before
fortlaufender Hotspot      final run of ≥ 2 hot steps; never significant before the run;
                           H < 90 %
zunehmender Hotspot        hot in the final step; H ≥ 90 %; trend up
anhaltender Hotspot        hot in the final step; H ≥ 90 %; no trend
abnehmender Hotspot        hot in the final step; H ≥ 90 %; trend down
sporadischer Hotspot       hot in the final step and also before the final run (with gaps);
                           H < 90 %; never cold
schwankender Hotspot       hot in the final step; cold in an earlier step; H < 90 %
historischer Hotspot       final step neither hot nor cold; H ≥ 90 % (needs n ≥ 10)
… Coldspot (the same 8)    the rules above with hot ↔ cold (C for H) and the trend reversed:
                           *zunehmender Coldspot* needs trend down (z falls: ever colder)
kein Muster                none of the above; and every suppressed cell (privacy, below)
=========================  ==================================================================

The rules are disjoint: a hot final step leads to a hot pattern, a cold one to a cold
pattern, a final step without significance to a historical pattern or none. ArcGIS's
wording leaves three overlaps, resolved here so: (a) a cell that was cold before and is
hot now (only in the final step, or in a final run) is *schwankend*, not *neu* or
*fortlaufend* (as sfdep's ``classify_hotspot`` does); (b) *anhaltend* needs a hot final
step like *zunehmend* and *abnehmend* (ArcGIS leaves it open), since ≥ 90 % hot without a
hot final step is *historisch*; (c) a cold final step after ≥ 90 % hot steps makes a
*schwankender Coldspot* (cold now, hot before), not a *historischer Hotspot*.

Significance: ArcGIS counts a bin as a hot or cold spot from 90 % confidence (Gi_Bin ±1,
FDR-adjusted p < 0.10); its "90 percent of the time-step intervals" is the share of steps
above, not a confidence. Here one level α serves both the steps' Gi* and the trend; the
default α = 0.05 is stricter than ArcGIS, ``alpha=0.10`` gives its step significance. With
few steps the trend test cannot reach every level: with 4 steps the smallest two-sided
p is 0.089 (a strictly monotone series), with 5 steps 0.027; so at α = 0.05 *zunehmend*
and *abnehmend* need at least 5 steps, and the historical patterns need 10.

Privacy: as :func:`geo.privacy.suppress_small_cells` does for Gi*, a cell whose
(2r+1)² window holds fewer than `min_count` incidents (all steps together, study cells
only) is set to *kein Muster* and flagged ``suppressed``; ``count_nearby`` is that count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from geo.errors import AtlasError
from geo.grid import Grid
from geo.hotspots.gistar import DEFAULT_RADIUS, NoVariationError, check_radius, gi_star
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.hotspots.windows import window_sum
from geo.lang import phrase

STEPS = ("jahr", "quartal")
MIN_STEPS = 4
#: At most this many steps (30 years of quarters): each step holds a z and a p per cell.
MAX_STEPS = 120
DEFAULT_ALPHA = 0.05

HOT_PATTERNS = ("neuer Hotspot", "fortlaufender Hotspot", "zunehmender Hotspot", "anhaltender Hotspot",
                "abnehmender Hotspot", "sporadischer Hotspot", "schwankender Hotspot", "historischer Hotspot")
COLD_PATTERNS = ("neuer Coldspot", "fortlaufender Coldspot", "zunehmender Coldspot", "anhaltender Coldspot",
                 "abnehmender Coldspot", "sporadischer Coldspot", "schwankender Coldspot",
                 "historischer Coldspot")
NO_PATTERN = "kein Muster"
#: All pattern names, hot ones first (the order of :data:`HOT_PATTERNS`), then cold, then none.
PATTERNS = (*HOT_PATTERNS, *COLD_PATTERNS, NO_PATTERN)

#: One-line German explanation per pattern (legend, tooltip).
PATTERN_HELP = {
    "neuer Hotspot": "erst im letzten Zeitschritt signifikant heiß, vorher nie signifikant",
    "fortlaufender Hotspot": "in den letzten Zeitschritten ohne Unterbrechung heiß, vorher nie",
    "zunehmender Hotspot": "fast immer heiß (mind. 90 %), auch zuletzt; die Ballung wird stärker",
    "anhaltender Hotspot": "fast immer heiß (mind. 90 %), auch zuletzt; ohne signifikanten Trend",
    "abnehmender Hotspot": "fast immer heiß (mind. 90 %), auch zuletzt; die Ballung wird schwächer",
    "sporadischer Hotspot": "zuletzt heiß, vorher nur mit Unterbrechungen; nie kalt",
    "schwankender Hotspot": "zuletzt heiß, früher aber auch signifikant kalt",
    "historischer Hotspot": "fast immer heiß (mind. 90 %), im letzten Zeitschritt nicht mehr",
    "neuer Coldspot": "erst im letzten Zeitschritt signifikant kalt, vorher nie signifikant",
    "fortlaufender Coldspot": "in den letzten Zeitschritten ohne Unterbrechung kalt, vorher nie",
    "zunehmender Coldspot": "fast immer kalt (mind. 90 %), auch zuletzt; immer deutlicher unter dem Üblichen",
    "anhaltender Coldspot": "fast immer kalt (mind. 90 %), auch zuletzt; ohne signifikanten Trend",
    "abnehmender Coldspot": "fast immer kalt (mind. 90 %), auch zuletzt; nähert sich dem Üblichen",
    "sporadischer Coldspot": "zuletzt kalt, vorher nur mit Unterbrechungen; nie heiß",
    "schwankender Coldspot": "zuletzt kalt, früher aber auch signifikant heiß",
    "historischer Coldspot": "fast immer kalt (mind. 90 %), im letzten Zeitschritt nicht mehr",
    "kein Muster": "keines der Muster – oder zu wenige Vorfälle in der Nachbarschaft",
}

#: Fill colour per pattern (map, legend, report); "kein Muster" has none: it is not drawn.
PATTERN_COLOURS = {
    "zunehmender Hotspot": "#67000d",
    "anhaltender Hotspot": "#a50f15",
    "neuer Hotspot": "#e31a1c",
    "fortlaufender Hotspot": "#fb6a4a",
    "abnehmender Hotspot": "#c26a4f",
    "sporadischer Hotspot": "#fd8d3c",
    "schwankender Hotspot": "#fdbe85",
    "historischer Hotspot": "#d4b9a8",
    "zunehmender Coldspot": "#08306b",
    "anhaltender Coldspot": "#08519c",
    "neuer Coldspot": "#2171b5",
    "fortlaufender Coldspot": "#4292c6",
    "abnehmender Coldspot": "#5f86a8",
    "sporadischer Coldspot": "#6baed6",
    "schwankender Coldspot": "#9ecae1",
    "historischer Coldspot": "#b3bcc8",
}
# Pattern codes within HOT_PATTERNS (COLD_PATTERNS: the same + 8).
_NEW, _CONSECUTIVE, _INTENSIFYING, _PERSISTENT, _DIMINISHING, _SPORADIC, _OSCILLATING, _HISTORICAL = range(8)
_NONE = len(PATTERNS) - 1


@dataclass(frozen=True, eq=False)
class EmergingHotspots:
    """Result of :func:`emerging_hotspots`.

    Attributes
    ----------
    cells : GeoDataFrame (``METRIC_CRS``)
        One row per study cell: ``cell_id``, ``count`` (all steps), ``gi_z_<step>`` per step
        (e.g. ``gi_z_2021`` or ``gi_z_2021q1``), ``mk_z``, ``mk_p`` (trend of the z series),
        ``pattern`` (German name, :data:`PATTERNS`), ``count_nearby`` (incidents in the
        (2r+1)² window, all steps), ``suppressed``; geometry: the cell square.
    grid : Grid
    step : {"jahr", "quartal"}
    steps : tuple of str
        Step labels in time order, ``"2021"`` or ``"2021q1"``.
    n_incidents : int
        Incidents in the study cells, all steps.
    step_counts : tuple of int
        Incidents in the study cells per step.
    trend_z, trend_p : float
        Mann–Kendall trend of `step_counts` (the study area's overall trend).
    z, p_fdr : ndarray, shape (n_steps, n_cells)
        Gi* z and FDR-adjusted p per step, one row per step (cells in ``Grid.study_index``
        order, as in `cells`).
    partial : tuple of str
        Steps only partly inside [`start`, `end`] (empty without explicit bounds). Their
        Gi* is fine (see module doc), but their raw count in `step_counts` is smaller, which
        pulls the overall trend down (a partial last step) or up (a partial first step).
    radius, alpha, min_count
        The parameters used.
    """

    cells: gpd.GeoDataFrame
    grid: Grid
    step: str
    steps: tuple[str, ...]
    n_incidents: int
    step_counts: tuple[int, ...]
    trend_z: float
    trend_p: float
    z: np.ndarray
    p_fdr: np.ndarray
    partial: tuple[str, ...]
    radius: int
    alpha: float
    min_count: int

    @property
    def hot(self) -> np.ndarray:
        """(n_steps, n_cells) bool: significant hot spot in the step (p_fdr < alpha, z > 0)."""
        return (self.p_fdr < self.alpha) & (self.z > 0)

    @property
    def cold(self) -> np.ndarray:
        """(n_steps, n_cells) bool: significant cold spot in the step (p_fdr < alpha, z < 0)."""
        return (self.p_fdr < self.alpha) & (self.z < 0)


def mann_kendall(series: np.ndarray, *, axis: int = -1
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mann–Kendall trend test of many series at once.

    Parameters
    ----------
    series : array_like
        Finite values; each series runs along `axis` in time order (n ≥ 2 values).
    axis : int
        The time axis.

    Returns
    -------
    s : ndarray of int64
        S = Σ_{i<j} sign(x_j − x_i), one per series (shape of `series` without `axis`).
    var_s : ndarray of float64
        (n(n−1)(2n+5) − Σ_ties t(t−1)(2t+5)) / 18 over the groups of t equal values.
    z : ndarray of float64
        (S − 1)/√var_s for S > 0, (S + 1)/√var_s for S < 0, 0 for S = 0.
    p : ndarray of float64
        Two-sided, from the standard normal: 2 · P(Z > |z|).
    """
    x = np.moveaxis(np.asarray(series, dtype=np.float64), axis, 0)
    n, shape = x.shape[0], x.shape[1:]
    if n < 2 or not np.isfinite(x).all():
        raise ValueError("mann_kendall needs finite series of at least two values")
    x = np.ascontiguousarray(x.reshape(n, -1))  # time-major: each step one contiguous vector
    up = np.zeros(x.shape[1], dtype=np.int32)
    down = np.zeros(x.shape[1], dtype=np.int32)
    for i in range(n - 1):
        for j in range(i + 1, n):
            up += x[j] > x[i]
            down += x[j] < x[i]
    s = (up - down).astype(np.int64)
    ties = np.zeros(x.shape[1], dtype=np.int64)
    tied = np.flatnonzero(up + down < n * (n - 1) // 2)
    if len(tied):
        # A group of t equal values adds t(t−1)(2t+5) = Σ_{k<t} 6k(k+2), k = the number of equal
        # values before each member in sorted order.
        ordered = np.sort(x[:, tied], axis=0)
        run = np.zeros(len(tied), dtype=np.int64)
        for j in range(1, n):
            run = (run + 1) * (ordered[j] == ordered[j - 1])
            ties[tied] += 6 * run * (run + 2)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(var_s)
        z = np.where(s > 0, (s - 1) / root, np.where(s < 0, (s + 1) / root, 0.0))
    p = 2.0 * stats.norm.sf(np.abs(z))
    return s.reshape(shape), var_s.reshape(shape), z.reshape(shape), p.reshape(shape)


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True that ends with the last step, per cell (`flags`: steps × cells)."""
    run = np.ones(flags.shape[1], dtype=bool)
    length = np.zeros(flags.shape[1], dtype=np.int64)
    for j in range(len(flags) - 1, -1, -1):
        run &= flags[j]
        if not run.any():
            break
        length += run
    return length


def _codes(hot: np.ndarray, cold: np.ndarray, up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Pattern code (index into :data:`PATTERNS`) per cell by the rules of the module doc;
    `hot`, `cold`: steps × cells, `up`, `down`: per cell."""
    n = len(hot)
    codes = np.full(hot.shape[1], _NONE, dtype=np.int8)
    for this, other, more, less, offset in ((hot, cold, up, down, 0), (cold, hot, down, up, 8)):
        last = this[-1]
        count, other_count = this.sum(axis=0), other.sum(axis=0)
        most = 10 * count >= 9 * n
        code = np.select(
            [last & most & more, last & most & less, last & most,
             last & (other_count > 0),
             last & (count == 1),
             last & (count == _trailing_run(this)),
             last,
             ~last & ~other[-1] & most],
            [_INTENSIFYING, _DIMINISHING, _PERSISTENT, _OSCILLATING, _NEW, _CONSECUTIVE, _SPORADIC,
             _HISTORICAL],
            default=-1)
        codes = np.where(code >= 0, code + offset, codes).astype(np.int8)
    return codes


def _pattern_codes(z: np.ndarray, p: np.ndarray, mk_z: np.ndarray, mk_p: np.ndarray, alpha: float
                   ) -> np.ndarray:
    """:func:`_codes` from Gi* z and p (steps × cells) and the trend per cell."""
    significant = p < alpha
    trend = mk_p < alpha
    return _codes(significant & (z > 0), significant & (z < 0), trend & (mk_z > 0), trend & (mk_z < 0))


def classify(z: np.ndarray, p: np.ndarray, mk_z: np.ndarray, mk_p: np.ndarray, *,
             alpha: float = DEFAULT_ALPHA) -> np.ndarray:
    """The pattern of each cell from its Gi* series and trend (rules in the module doc).

    Parameters
    ----------
    z, p : array_like, shape (n_cells, n_steps)
        Gi* z and (FDR-adjusted) p, one row per cell in time order (a single series may be 1-D).
    mk_z, mk_p : array_like, shape (n_cells,)
        Mann–Kendall z and p of each cell's z series.
    alpha : float
        Significance level for the steps and the trend.

    Returns
    -------
    ndarray of object, shape (n_cells,)
        German pattern names (:data:`PATTERNS`).
    """
    z = np.atleast_2d(np.asarray(z, dtype=np.float64)).T
    p = np.atleast_2d(np.asarray(p, dtype=np.float64)).T
    mk_z = np.atleast_1d(np.asarray(mk_z, dtype=np.float64))
    mk_p = np.atleast_1d(np.asarray(mk_p, dtype=np.float64))
    if z.shape != p.shape or mk_z.shape != mk_p.shape or mk_z.shape != z.shape[1:]:
        raise ValueError("z, p: (n_cells, n_steps); mk_z, mk_p: (n_cells,)")
    return np.array(PATTERNS, dtype=object)[_pattern_codes(z, p, mk_z, mk_p, alpha)]


def _check(step: str, alpha: float, min_count: int) -> None:
    if step not in STEPS:
        msg = phrase("Unbekannter Zeitschritt „{step}“; möglich: jahr, quartal.", step=str(step))
        raise AtlasError(msg)
    if not 0 < alpha < 1:
        msg = phrase("Das Signifikanzniveau muss zwischen 0 und 1 liegen, nicht {alpha}.", alpha=str(alpha))
        raise AtlasError(msg)
    if int(min_count) != min_count or min_count < 0:
        msg = phrase("Die Mindestzahl muss eine ganze Zahl ab 0 sein, nicht {k}.", k=str(min_count))
        raise AtlasError(msg)


def _ordinal(year: np.ndarray, month: np.ndarray, step: str) -> np.ndarray:
    """Calendar step number: the year, or year·4 + quarter − 1."""
    year = np.asarray(year, dtype=np.int64)
    return year if step == "jahr" else year * 4 + (np.asarray(month, dtype=np.int64) - 1) // 3


def _label(ordinal: int, step: str) -> str:
    return str(ordinal) if step == "jahr" else f"{ordinal // 4}q{ordinal % 4 + 1}"


def _step_start(ordinal: int, step: str) -> pd.Timestamp:
    if step == "jahr":
        return pd.Timestamp(year=ordinal, month=1, day=1)
    return pd.Timestamp(year=ordinal // 4, month=3 * (ordinal % 4) + 1, day=1)


def _steps(times: pd.Series, step: str, start: DateLike, end: DateLike
           ) -> tuple[np.ndarray, int, int, tuple[str, ...]]:
    """Step number of every incident, the first and last step, and the partly covered steps."""
    ordinal = _ordinal(times.dt.year.to_numpy(), times.dt.month.to_numpy(), step)
    t0, t1 = timestamp(start, end=False), timestamp(end, end=True)
    if len(ordinal) == 0 and (t0 is None or t1 is None):
        msg = phrase("Keine Vorfälle in der Auswahl: ohne Vorfälle gibt es keine Hot- oder Coldspots.")
        raise NoVariationError(msg)
    first = int(_ordinal(t0.year, t0.month, step)) if t0 is not None else int(ordinal.min())
    last = int(_ordinal(t1.year, t1.month, step)) if t1 is not None else int(ordinal.max())
    partial = []
    if t0 is not None and t0 > _step_start(int(first), step):
        partial.append(int(first))
    if t1 is not None and t1 < _step_start(int(last) + 1, step) - pd.Timedelta(1, "ns"):
        partial.append(int(last))
    return ordinal, int(first), int(last), tuple(dict.fromkeys(_label(o, step) for o in partial))


def step_text(label: str) -> str:
    """A step label for reading: ``"2021"`` stays, ``"2021q3"`` becomes ``"Q3 2021"``."""
    year, _, quarter = label.partition("q")
    return f"Q{quarter} {year}" if quarter else year


def _too_few_steps(n: int, step: str) -> AtlasError:
    if step == "jahr":
        msg = phrase("Für neue und wachsende Hotspots braucht es mindestens 4 Zeitschritte; der Zeitraum "
                     "umfasst {n} Kalenderjahr(e). Bitte Quartale wählen oder den Zeitraum verlängern.", n=n)
    else:
        msg = phrase("Für neue und wachsende Hotspots braucht es mindestens 4 Zeitschritte; der Zeitraum "
                     "umfasst {n} Quartal(e). Bitte den Zeitraum verlängern.", n=n)
    return AtlasError(msg)


def emerging_hotspots(points: gpd.GeoDataFrame, *, grid: Grid, step: str = "jahr",
                      radius: int = DEFAULT_RADIUS, categories: Iterable[str] | str | None = None,
                      start: DateLike = None, end: DateLike = None, alpha: float = DEFAULT_ALPHA,
                      min_count: int = 3) -> EmergingHotspots:
    """Emerging Hot Spot Analysis of the incidents on the study cells of `grid` (see module doc).

    Parameters
    ----------
    points : GeoDataFrame
        Incidents in ``METRIC_CRS`` (``category``, ``time``, ``ags``, point geometry).
        Incidents without a time are left out.
    grid : Grid
        Study cells and window, e.g. :func:`geo.grid.study_grid`.
    step : {"jahr", "quartal"}
        Calendar years or quarters.
    radius : int
        Gi* window radius r in cells (1–10): the neighbourhood is (2r+1)×(2r+1) cells.
    categories, start, end
        Selection (inclusive; dates are whole days). The steps run from the step of
        `start` (else the first incident) to the step of `end` (else the last incident).
    alpha : float
        Significance level for each step's FDR-adjusted Gi* p and for the trend.
    min_count : int
        Privacy threshold: cells whose window holds fewer incidents (all steps) get
        "kein Muster" and ``suppressed``.

    Returns
    -------
    EmergingHotspots

    Raises
    ------
    AtlasError
        Unknown step, fewer than :data:`MIN_STEPS` or more than :data:`MAX_STEPS` steps,
        no incidents, bad radius, alpha or min_count, or fewer than two study cells.
    """
    _check(step, alpha, min_count)
    radius = check_radius(radius)
    chosen = select(points, categories=categories, start=start, end=end)
    dated = chosen["time"].notna().to_numpy()
    if not dated.all():
        chosen = chosen[dated]
    ordinal, first, last, partial = _steps(chosen["time"], step, start, end)
    n_steps = last - first + 1
    if n_steps < MIN_STEPS:
        raise _too_few_steps(n_steps, step)
    if n_steps > MAX_STEPS:
        msg = phrase("Höchstens {max} Zeitschritte sind möglich; der Zeitraum umfasst {n}. Bitte Jahre "
                     "wählen oder den Zeitraum kürzen.", max=MAX_STEPS, n=n_steps)
        raise AtlasError(msg)
    labels = tuple(_label(o, step) for o in range(first, last + 1))

    mask = grid.mask
    nrows, ncols = grid.shape
    row, col = grid.locate(*xy(chosen))
    keep = row >= 0
    keep[keep] = mask[row[keep], col[keep]]
    flat = row[keep] * ncols + col[keep]
    which = ordinal[keep] - first
    n_cells = grid.n_cells
    z = np.empty((n_steps, n_cells))
    p_fdr = np.empty((n_steps, n_cells))
    total = np.zeros(nrows * ncols, dtype=np.int64)
    step_counts = []
    order = np.argsort(which.astype(np.int16), kind="stable")  # radix sort (≤ MAX_STEPS): O(points)
    bounds = np.searchsorted(which[order], np.arange(n_steps + 1))
    for k in range(n_steps):
        counts = np.bincount(flat[order[bounds[k]:bounds[k + 1]]], minlength=nrows * ncols)
        total += counts
        step_counts.append(int(bounds[k + 1] - bounds[k]))
        try:
            gi = gi_star(grid, counts.reshape(nrows, ncols), radius=radius)
        except NoVariationError:  # nothing (or the same everywhere) in this step: nothing significant
            z[k], p_fdr[k] = 0.0, 1.0
            continue
        z[k], p_fdr[k] = gi.z, gi.p_fdr
    n_incidents = int(total.sum())
    if n_incidents == 0:
        msg = phrase("Keine Vorfälle in den Rasterzellen des Gebiets: ohne Vorfälle gibt es keine Hot- oder "
                     "Coldspots.")
        raise NoVariationError(msg)

    _, _, mk_z, mk_p = mann_kendall(z, axis=0)
    _, _, trend_z, trend_p = mann_kendall(np.array(step_counts))
    codes = _pattern_codes(z, p_fdr, mk_z, mk_p, alpha)
    study_row, study_col = grid.study_index()
    total = total.reshape(nrows, ncols)
    nearby = window_sum(total, radius)[study_row, study_col]
    suppressed = nearby < min_count
    codes[suppressed] = _NONE

    cells = grid.cells()
    columns = {"cell_id": cells["cell_id"].to_numpy(), "count": total[study_row, study_col],
               **{f"gi_z_{label}": z[k] for k, label in enumerate(labels)},
               "mk_z": mk_z, "mk_p": mk_p, "pattern": np.array(PATTERNS, dtype=object)[codes],
               "count_nearby": nearby, "suppressed": suppressed}
    cells = gpd.GeoDataFrame(columns, geometry=cells.geometry.to_numpy(), crs=cells.crs)
    return EmergingHotspots(cells=cells, grid=grid, step=step, steps=labels, n_incidents=n_incidents,
                            step_counts=tuple(step_counts), trend_z=float(trend_z), trend_p=float(trend_p),
                            z=z, p_fdr=p_fdr, partial=partial, radius=radius, alpha=float(alpha),
                            min_count=int(min_count))
