"""The patterns of Emerging Hot Spot Analysis: the Mann–Kendall trend test and the rules that
give every cell one of ArcGIS Pro's 17 patterns (:func:`classify`), with their German names,
one-line help and colours. :mod:`geo.hotspots.emerging` computes the Gi* series they classify.

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
"""

from __future__ import annotations

import numpy as np
from scipy import stats

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
#: The code of "kein Muster" (the last of :data:`PATTERNS`).
NO_PATTERN_CODE = len(PATTERNS) - 1


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
    codes = np.full(hot.shape[1], NO_PATTERN_CODE, dtype=np.int8)
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


def pattern_codes(z: np.ndarray, p: np.ndarray, mk_z: np.ndarray, mk_p: np.ndarray, alpha: float
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
    return np.array(PATTERNS, dtype=object)[pattern_codes(z, p, mk_z, mk_p, alpha)]
