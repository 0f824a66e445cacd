"""Local Moran's I (LISA) on the grid or on Gemeinden: HH, LL, HL, LH with FDR.

For values y over n units, z = (y − ȳ) / σ (population σ) and the row-standardised
spatial lag ``lag_i = mean of z over i's neighbours``:

    I_i = (n − 1) · z_i · lag_i / Σ z²

which is esda's ``Moran_Local(y, w, transformation="r").Is``. Inference is
**analytical**, under total randomisation (Anselin 1995, eqs. 13–14): E[I_i] =
−w_i/(n − 1) and Var[I_i] from w_i = Σ_j w_ij = 1, w_i(2) = Σ_j w_ij² = 1/k_i and the
kurtosis b2 — the ``EI`` and ``VI`` esda reports (tested to 1e-9). Note that esda
scales I_i by (n − 1)/n relative to Anselin while using his moments; for the
thousands of cells here the difference is below 0.1 % and we keep esda's numbers so
results can be checked against it. The analytical test, not 999 permutations, is used
because it is exact to reproduce and fast on 300,000 cells; it is somewhat liberal
for skewed counts, which the FDR adjustment partly offsets.

``z = (I − E[I]) / √Var[I]``, two-sided p, Benjamini–Hochberg adjusted. Quadrants by
the signs of z_i and lag_i (``HH`` high among high = hot spot, ``LL`` cold spot, ``HL``
and ``LH`` outliers); a unit is classed only if its adjusted p is below α
(default 0.05), else ``"nicht signifikant"``. A unit without neighbours gets p = 1.

Grid neighbours: the (2r+1)×(2r+1) window without the cell itself, restricted to
study cells (window sums of the integer counts, exact). Gemeinde neighbours: queen
contiguity of the cleaned boundary coverage (sharing at least one border point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse, stats

from geo.errors import AtlasError
from geo.grid import Grid
from geo.hotspots.fdr import bh_adjust
from geo.hotspots.gistar import DEFAULT_RADIUS, NoVariationError, check_radius
from geo.hotspots.windows import window_sum

DEFAULT_ALPHA = 0.05
LISA_CLASSES = ("HH", "LL", "HL", "LH", "nicht signifikant")
LISA_LABELS = {
    "HH": "Hoch-Hoch (Hotspot)",
    "LL": "Niedrig-Niedrig (Coldspot)",
    "HL": "Hoch-Niedrig (Ausreißer)",
    "LH": "Niedrig-Hoch (Ausreißer)",
    "nicht signifikant": "nicht signifikant",
}


@dataclass(frozen=True, eq=False)
class LisaResult:
    """Local Moran per unit (study cells in ``Grid.study_index()`` order, or Gemeinden as given).

    Attributes
    ----------
    i, ei, vi : ndarray of float64
        I_i, its analytical expectation and variance.
    z, p, p_fdr : ndarray of float64
    quadrant : ndarray of object
        ``HH``/``LL``/``HL``/``LH`` by sign, regardless of significance.
    label : ndarray of object
        Quadrant if ``p_fdr < alpha`` else ``"nicht signifikant"``.
    alpha : float
    """

    i: np.ndarray
    ei: np.ndarray
    vi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    quadrant: np.ndarray
    label: np.ndarray
    alpha: float


def _standardise(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if n < 3:
        msg = "Local Moran braucht mindestens drei Einheiten (Zellen oder Gemeinden)."
        raise AtlasError(msg)
    if not np.isfinite(y).all():
        raise ValueError("values must be finite")
    sd = y.std()
    if not sd > 0:
        msg = (f"Alle {n} Einheiten haben denselben Wert ({y[0]:g}): ohne Unterschiede gibt es "
               "keine Cluster oder Ausreißer.")
        raise NoVariationError(msg)
    return (y - y.mean()) / sd, float(y.mean()), float(sd)


def local_moran(z: np.ndarray, lag: np.ndarray, k: np.ndarray, *, alpha: float = DEFAULT_ALPHA) -> LisaResult:
    """Local Moran from standardised values, their row-standardised lag and neighbour counts.

    Parameters
    ----------
    z : ndarray
        Standardised values (population σ).
    lag : ndarray
        Mean of `z` over each unit's neighbours (0 where `k` is 0).
    k : ndarray
        Number of neighbours (binary weights before row standardisation).
    alpha : float
        Significance level for the class, on the FDR-adjusted p-value.
    """
    n = len(z)
    m2 = (z * z).sum() / n
    m4 = (z**4).sum() / n
    b2 = m4 / m2**2
    i = (n - 1) * z * lag / (z * z).sum()
    has = k > 0
    wi = has.astype(np.float64)
    wi2 = np.where(has, 1.0 / np.maximum(k, 1), 0.0)
    n1 = n - 1
    ei = -wi / n1
    vi = wi2 * (n - b2) / n1 + (wi**2 - wi2) * (2 * b2 - n) / (n1 * (n - 2)) - (wi / n1) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        zs = np.where(has & (vi > 0), (i - ei) / np.sqrt(np.where(vi > 0, vi, 1.0)), 0.0)
    p = np.where(has, 2.0 * stats.norm.sf(np.abs(zs)), 1.0)
    p_fdr = bh_adjust(p)
    high, high_lag = z > 0, lag > 0
    quadrant = np.select([high & high_lag, ~high & ~high_lag, high & ~high_lag],
                         ["HH", "LL", "HL"], "LH").astype(object)
    label = np.where(p_fdr < alpha, quadrant, "nicht signifikant").astype(object)
    return LisaResult(i=i, ei=ei, vi=vi, z=zs, p=p, p_fdr=p_fdr, quadrant=quadrant, label=label,
                      alpha=alpha)


def lisa_grid(grid: Grid, counts: np.ndarray, *, radius: int = DEFAULT_RADIUS,
              alpha: float = DEFAULT_ALPHA) -> LisaResult:
    """Local Moran of grid counts over the study cells (window neighbours without self).

    Parameters
    ----------
    grid : Grid
    counts : ndarray, shape ``grid.shape``
        Incidents per cell (integers; values outside the mask are ignored).
    radius : int
        Window radius in cells, 1–10.
    alpha : float
        Significance level on the FDR-adjusted p-value.
    """
    radius = check_radius(radius)
    mask = grid.mask
    counts = np.asarray(counts)
    x = np.where(mask, counts, 0)
    y = x[mask]
    z, mean, sd = _standardise(y)
    # Neighbour sums of z from exact integer window sums: Σ z_j = (Σ y_j − k·ȳ) / σ.
    k = (window_sum(mask, radius)[mask] - 1).astype(np.float64)
    s = (window_sum(x, radius)[mask] - y).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        lag = np.where(k > 0, (s - k * mean) / sd / np.maximum(k, 1), 0.0)
    return local_moran(z, lag, k, alpha=alpha)


def queen_neighbours(geometries: np.ndarray) -> sparse.csr_matrix:
    """Binary queen contiguity (sharing at least a border point), no self-neighbours."""
    geoms = np.asarray(geometries)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    n = len(geoms)
    data = np.ones(int(keep.sum()))
    return sparse.csr_matrix((data, (left[keep], right[keep])), shape=(n, n))


def lisa_areas(values: np.ndarray, neighbours: sparse.csr_matrix, *,
               alpha: float = DEFAULT_ALPHA) -> LisaResult:
    """Local Moran of one value per area (e.g. smoothed rates per Gemeinde).

    Parameters
    ----------
    values : ndarray
        One value per area, in the order of `neighbours`' rows.
    neighbours : sparse matrix
        Binary contiguity (see :func:`queen_neighbours`).
    alpha : float
    """
    z, _, _ = _standardise(values)
    k = np.asarray(neighbours.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        lag = np.where(k > 0, (neighbours @ z) / np.maximum(k, 1), 0.0)
    return local_moran(z, lag, k, alpha=alpha)
