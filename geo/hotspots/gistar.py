"""Getis–Ord Gi* on grid counts: window sums, two-sided p-values, FDR, ArcGIS-like classes.

For each study cell i with counts x over the n study cells, the neighbourhood is the
(2r+1)×(2r+1) window around i, self included, restricted to study cells (binary
weights, W_i cells). The standard Getis–Ord (1992; Ord & Getis 1995) z-score is

    z_i = (Σ_window x_j − W_i · x̄) / (s · √((n · W_i − W_i²) / (n − 1)))

with x̄ and s² = Σx²/n − x̄² over the study cells: exactly what esda's
``G_Local(y, w, transform="B", star=True)`` computes as ``Zs`` for the same binary
weights (tested to 1e-9). The window sums come from summed-area tables of the integer
counts, so they are exact and cost O(cells) whatever r is.

p-values are two-sided (``2 · P(Z > |z|)``; esda's ``p_norm`` is the one-sided half),
adjusted with Benjamini–Hochberg (:mod:`geo.hotspots.fdr`). Classes follow ArcGIS's
``Gi_Bin``: +3/+2/+1 hot spot with 99/95/90 % confidence, 0 not significant, −1/−2/−3
cold spot; confidence is judged on the FDR-adjusted p-value.

A cell whose window covers every study cell (tiny areas) has no variance under the
null; it gets z = 0, p = 1. Counts without any variation (e.g. no incidents) cannot
show a hot or cold spot: :class:`NoVariationError` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from geo.errors import AtlasError
from geo.grid import Grid
from geo.hotspots.fdr import bh_adjust
from geo.hotspots.windows import window_sum

DEFAULT_RADIUS = 1
MAX_RADIUS = 10

GI_CLASSES = {
    3: "Hotspot (99 %)",
    2: "Hotspot (95 %)",
    1: "Hotspot (90 %)",
    0: "nicht signifikant",
    -1: "Coldspot (90 %)",
    -2: "Coldspot (95 %)",
    -3: "Coldspot (99 %)",
}


class NoVariationError(AtlasError, ValueError):
    """All study cells have the same value: no hot or cold spot can be tested."""


@dataclass(frozen=True, eq=False)
class GiResult:
    """Gi* per study cell, in the order of ``Grid.study_index()``.

    Attributes
    ----------
    z, p, p_fdr : ndarray of float64
        z-score, two-sided p-value, Benjamini–Hochberg adjusted p-value.
    bin : ndarray of int8
        −3 … +3 as in ArcGIS (see :data:`GI_CLASSES`).
    radius : int
        Window radius in cells.
    """

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    bin: np.ndarray
    radius: int

    @property
    def labels(self) -> np.ndarray:
        """German class label per cell."""
        return np.array([GI_CLASSES[b] for b in range(-3, 4)], dtype=object)[self.bin + 3]


def check_radius(radius: int) -> int:
    if int(radius) != radius or not 1 <= radius <= MAX_RADIUS:
        msg = f"Radius {radius} ist nicht möglich: erlaubt sind ganze Zellen von 1 bis {MAX_RADIUS}."
        raise AtlasError(msg)
    return int(radius)


def confidence_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS-like bins from z (sign) and a p-value: ±3 below 0.01, ±2 below 0.05, ±1 below 0.10."""
    level = (p < 0.10).astype(np.int8) + (p < 0.05) + (p < 0.01)
    return (np.sign(z).astype(np.int8) * level).astype(np.int8)


def gi_star(grid: Grid, counts: np.ndarray, *, radius: int = DEFAULT_RADIUS) -> GiResult:
    """Getis–Ord Gi* of `counts` over the study cells of `grid` (see module doc).

    Parameters
    ----------
    grid : Grid
        Study mask and window.
    counts : ndarray, shape ``grid.shape``
        Incidents per cell (any non-negative numbers; values outside the mask are ignored).
    radius : int
        Window radius r in cells, 1–10: the neighbourhood is (2r+1)×(2r+1) cells.

    Returns
    -------
    GiResult

    Raises
    ------
    AtlasError
        Fewer than two study cells, a bad radius, or counts without variation.
    """
    radius = check_radius(radius)
    mask = grid.mask
    n = int(mask.sum())
    if n < 2:
        msg = "Gi* braucht mindestens zwei Rasterzellen im Gebiet; bitte eine kleinere Zellgröße wählen."
        raise AtlasError(msg)
    counts = np.asarray(counts)
    if counts.shape != mask.shape:
        raise ValueError(f"counts has shape {counts.shape}, grid {mask.shape}")
    x = np.where(mask, counts, 0)
    values = x[mask].astype(np.float64)
    mean = values.mean()
    var = (values**2).mean() - mean**2
    if not var > 0:
        msg = (f"Alle {n} Rasterzellen haben denselben Wert ({mean:g} Vorfälle): ohne Unterschiede "
               "gibt es keine Hot- oder Coldspots.")
        raise NoVariationError(msg)
    s = window_sum(x, radius)[mask].astype(np.float64)
    w = window_sum(mask, radius)[mask].astype(np.float64)
    spread = np.sqrt(var) * np.sqrt((n * w - w * w) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 0, (s - w * mean) / spread, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_fdr = bh_adjust(p)
    return GiResult(z=z, p=p, p_fdr=p_fdr, bin=confidence_bins(z, p_fdr), radius=radius)
