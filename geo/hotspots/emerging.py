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
   (:func:`~geo.hotspots.patterns.mann_kendall`: S, variance with tie correction, continuity-corrected Z,
   two-sided normal p; equal to ``pymannkendall.original_test``, tested). The same test on
   the study area's counts per step gives the overall trend (``trend_z``, ``trend_p``).
4. **Patterns.** Every cell gets one of the 17 patterns of ArcGIS's method
   (:func:`~geo.hotspots.patterns.classify`).

The rules of the patterns, and the Mann–Kendall test, are in :mod:`geo.hotspots.patterns`.

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

from geo.errors import AtlasError
from geo.grid import Grid
from geo.hotspots.gistar import DEFAULT_RADIUS, NoVariationError, check_radius, gi_star
from geo.hotspots.patterns import DEFAULT_ALPHA, NO_PATTERN_CODE, PATTERNS, mann_kendall, pattern_codes
from geo.hotspots.points import DateLike, select, timestamp, xy
from geo.hotspots.windows import window_sum
from geo.lang import phrase

STEPS = ("jahr", "quartal")
MIN_STEPS = 4
#: At most this many steps (30 years of quarters): each step holds a z and a p per cell.
MAX_STEPS = 120

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
    codes = pattern_codes(z, p_fdr, mk_z, mk_p, alpha)
    study_row, study_col = grid.study_index()
    total = total.reshape(nrows, ncols)
    nearby = window_sum(total, radius)[study_row, study_col]
    suppressed = nearby < min_count
    codes[suppressed] = NO_PATTERN_CODE

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
