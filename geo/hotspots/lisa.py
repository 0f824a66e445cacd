"""Local Moran's I (LISA) on the grid or on Gemeinden: HH, LL, HL, LH with FDR.

For values y over n units, z = (y − ȳ) / σ (population σ) and the row-standardised
spatial lag ``lag_i = mean of z over i's neighbours``:

    I_i = (n − 1) · z_i · lag_i / Σ z²

which is esda's ``Moran_Local(y, w, transformation="r").Is``. Two kinds of inference
(``inference=``):

**"analytisch"** (default for the grid): a normal approximation with Anselin's (1995,
eqs. 13–14) moments under *total* randomisation, E[I_i] = −w_i/(n − 1) and Var[I_i]
from w_i = Σ_j w_ij = 1, w_i(2) = Σ_j w_ij² = 1/k_i and the kurtosis b2 — the ``EI``
and ``VI`` esda reports (tested to 1e-9). esda scales I_i by (n − 1)/n relative to
Anselin while using his moments; for thousands of cells the difference is below 0.1 %
and we keep esda's numbers so results can be checked against it. What this test gets
wrong is not a uniform liberality: total randomisation also permutes the unit's own
value, so Var[I_i] is the same for all units with the same number of neighbours.
Given its own value (what a permutation test, esda, GeoDa and ArcGIS condition on)
the variance is about z_i² · Var[I_i] (exactly (n − 1)² z_i² Var(lag_i) / (Σ z²)²).
The analytical test is therefore **liberal for units with extreme values** (|z_i| > 1:
busy cells, HH and HL) and **conservative for units near the mean** (|z_i| < 1: with
sparse counts every empty cell, so LL and LH are hardly ever found); the normal
approximation also ignores the skewness of counts. The FDR adjustment offsets neither.
On Freiberg's demo graffiti (773 cells of 250 m, 73 incidents, r = 1) the analytical
test marks 34 HH and 2 HL after FDR; the exact conditional p (the limit of infinitely
many permutations) marks 4 HH and 5 LH (before FDR: analytical 35 HH, 19 HL, 3 LH;
exact 18 HH, 31 LH).

**"permutation"** (default for the Gemeinden): conditional randomisation (Anselin 1995):
unit i keeps its value, its k_i neighbours' values are drawn without replacement from
the other n − 1 units, `permutations` times (default 999; seeded, so the same input
gives the same p). Two-sided, ties counted as at least as extreme on both sides:

    p = min(1, 2 · (1 + min(#{I* ≥ I_i}, #{I* ≤ I_i})) / (permutations + 1)).

esda's ``p_sim`` (its default "directed" pseudo p) is the one-sided version of this,
(1 + the count in the tail I_i lies in) / (permutations + 1), so p/2 ≈ ``p_sim``
within Monte-Carlo error where there are no ties (tested). Like esda, one set of draws
is shared by all units. Draws are compared as neighbour sums of the values (I_i is
monotone in the sum for fixed i), exactly in integers on the grid. In this mode
``ei``, ``vi`` and ``z`` are the exact moments under conditional randomisation.

esda differs where values tie, as sparse counts do: it counts ties as not extreme in
the lower tail and compares floating-point I, where exact ties come out slightly
smaller. On Freiberg's graffiti its ``p_sim`` is 0.001 for a single incident among
empty cells (exact p: about 1) and for empty cells among empty cells; with FDR it
calls 351 cells LL and 18 HL that are such ties, and these many p = 0.001 loosen the
FDR enough to pass 33 LH and 18 HH (exact p with FDR: 5 LH, 4 HH).

The smallest permutation p is 2 / (permutations + 1) = 0.002, and Benjamini–Hochberg
over m units can only call units significant if at least m · 0.002 / α of them reach
that floor. On Freiberg's 773 cells 999 permutations therefore find nothing after FDR,
9,999 find 2 HH and 3 LH, 99,999 the exact result (0.01 s, 0.1 s, 0.85 s). On a
300,000-cell grid of Saxony (1 M demo points) 999 permutations take 0.25 s (r = 1),
0.4 s (r = 3), 0.9 s (r = 5), 2.9 s (r = 10), against 0.15 s for the analytical test,
but the floor makes the classes swing: nothing at r = 1, 125,000 LL cells (empty land
among empty land) at r = 2. The grid therefore keeps the analytical default, knowing
it is liberal for busy cells; the 418 Gemeinden (about 17 units needed at the floor)
use permutations.

``z`` = (I − E[I]) / √Var[I]; ``p`` two-sided from the chosen inference, then
Benjamini–Hochberg adjusted. Quadrants by the signs of z_i and lag_i (``HH`` high
among high = hot spot, ``LL`` cold spot, ``HL`` and ``LH`` outliers); a unit is
classed only if its adjusted p is below α (default 0.05), else ``"nicht signifikant"``.
A unit without neighbours, or with a value exactly at the mean, gets p = 1.

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
INFERENCES = ("analytisch", "permutation")
DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 20240501
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
        I_i, its expectation and variance under the null of the inference: total
        randomisation (``"analytisch"``, esda's ``EI``/``VI``) or conditional
        randomisation (``"permutation"``).
    z, p, p_fdr : ndarray of float64
        z = (I − E[I]) / √Var[I]; p two-sided from the inference, p_fdr BH-adjusted.
    quadrant : ndarray of object
        ``HH``/``LL``/``HL``/``LH`` by sign, regardless of significance.
    label : ndarray of object
        Quadrant if ``p_fdr < alpha`` else ``"nicht signifikant"``.
    alpha : float
    inference : {"analytisch", "permutation"}
    permutations : int
        Number of permutations (0 for ``"analytisch"``).
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
    inference: str = "analytisch"
    permutations: int = 0


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


def _check_inference(inference: str, permutations: int) -> None:
    if inference not in INFERENCES:
        msg = f"Unbekannte Inferenz '{inference}' für Local Moran; möglich: {', '.join(INFERENCES)}."
        raise AtlasError(msg)
    if inference == "permutation" and (int(permutations) != permutations or permutations < 1):
        msg = f"Die Zahl der Permutationen muss eine ganze Zahl ab 1 sein, nicht {permutations}."
        raise AtlasError(msg)


def _total_moments(z: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anselin's E[I_i], Var[I_i] under total randomisation (row-standardised binary weights)."""
    n = len(z)
    m2 = (z * z).sum() / n
    b2 = (z**4).sum() / n / m2**2
    has = k > 0
    wi = has.astype(np.float64)
    wi2 = np.where(has, 1.0 / np.maximum(k, 1), 0.0)
    n1 = n - 1
    ei = -wi / n1
    vi = wi2 * (n - b2) / n1 + (wi**2 - wi2) * (2 * b2 - n) / (n1 * (n - 2)) - (wi / n1) ** 2
    return ei, vi


def _conditional_moments(z: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact E[I_i], Var[I_i] when z_i is held and k_i neighbours are drawn from the other n − 1."""
    n = len(z)
    scale = (n - 1) / (z * z).sum()
    mean_other = (z.sum() - z) / (n - 1)
    var_other = ((z * z).sum() - z * z) / (n - 1) - mean_other**2
    kk = np.maximum(k, 1).astype(np.float64)
    var_lag = np.where(k > 0, var_other / kk * (n - 1 - kk) / (n - 2), 0.0)
    ei = np.where(k > 0, scale * z * mean_other, 0.0)
    return ei, np.maximum(scale * scale * z * z * var_lag, 0.0)


def permutation_p(values: np.ndarray, sums: np.ndarray, k: np.ndarray, *,
                  permutations: int = DEFAULT_PERMUTATIONS, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Two-sided conditional-permutation p of each unit's neighbour sum (see module doc).

    Parameters
    ----------
    values : ndarray
        One value per unit (counts or rates).
    sums : ndarray
        Sum of `values` over each unit's neighbours.
    k : ndarray
        Number of neighbours (0: p = 1).
    permutations : int
    seed : int

    Returns
    -------
    ndarray of float64
        min(1, 2 · (1 + min(#{S* ≥ S}, #{S* ≤ S})) / (permutations + 1)); 1 for units
        without neighbours or with a value exactly at the mean (I_i is then always 0).

    Notes
    -----
    For fixed i, I_i is a monotone function of the neighbour sum S_i, so comparing sums
    counts the same permutations as comparing I. Every unit whose own value is v draws
    from the same n − 1 values (all values with one copy of v removed): the draws, one
    (permutations × max k) set of positions shared by all units, are evaluated once per
    distinct value, and the running sums give the null sums for every k at once.
    """
    y = np.asarray(values, dtype=np.float64)
    s = np.asarray(sums, dtype=np.float64)
    k = np.asarray(k).astype(np.int64)
    n = len(y)
    p = np.ones(n)
    units = np.flatnonzero((k > 0) & (y != y.mean()))
    if len(units) == 0:
        return p
    rng = np.random.default_rng(seed)
    top = int(k[units].max())
    draws = np.stack([rng.choice(n - 1, size=top, replace=False) for _ in range(permutations)])
    ordered = np.sort(y)
    own, group = np.unique(y[units], return_inverse=True)
    first = np.searchsorted(ordered, own)  # one copy of each own value, removed by the shift below
    units = units[np.argsort(group, kind="stable")]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(group, minlength=len(own)))])
    # Tolerance for sums of floats computed in another order (far below 1 for integer counts).
    tol = 1e-9 * max(float(np.abs(y).max()), np.finfo(np.float64).tiny) * k
    extreme = np.zeros(n)
    for g in range(len(own)):
        members = units[bounds[g]:bounds[g + 1]]
        km = k[members]
        ids = draws[:, :km.max()]
        null = np.cumsum(ordered[ids + (ids >= first[g])], axis=1)
        for size in np.unique(km):
            at = members[km == size]
            col = np.sort(null[:, size - 1])
            ge = permutations - np.searchsorted(col, s[at] - tol[at], side="left")
            le = np.searchsorted(col, s[at] + tol[at], side="right")
            extreme[at] = np.minimum(ge, le)
    p[units] = np.minimum(1.0, 2.0 * (1.0 + extreme[units]) / (permutations + 1.0))
    return p


def local_moran(z: np.ndarray, lag: np.ndarray, k: np.ndarray, *, alpha: float = DEFAULT_ALPHA,
                p_permutation: np.ndarray | None = None, permutations: int = 0) -> LisaResult:
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
    p_permutation : ndarray, optional
        p-values of :func:`permutation_p`; given, the result is a permutation result
        (conditional moments), else the analytical test is used.
    permutations : int
        How many permutations gave `p_permutation` (recorded in the result).
    """
    n = len(z)
    i = (n - 1) * z * lag / (z * z).sum()
    has = k > 0
    if p_permutation is None:
        ei, vi = _total_moments(z, k)
    else:
        ei, vi = _conditional_moments(z, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        zs = np.where(has & (vi > 0), (i - ei) / np.sqrt(np.where(vi > 0, vi, 1.0)), 0.0)
    if p_permutation is None:
        p = np.where(has, 2.0 * stats.norm.sf(np.abs(zs)), 1.0)
    else:
        p = np.asarray(p_permutation, dtype=np.float64)
    p_fdr = bh_adjust(p)
    high, high_lag = z > 0, lag > 0
    quadrant = np.select([high & high_lag, ~high & ~high_lag, high & ~high_lag],
                         ["HH", "LL", "HL"], "LH").astype(object)
    label = np.where(p_fdr < alpha, quadrant, "nicht signifikant").astype(object)
    return LisaResult(i=i, ei=ei, vi=vi, z=zs, p=p, p_fdr=p_fdr, quadrant=quadrant, label=label,
                      alpha=alpha, inference="analytisch" if p_permutation is None else "permutation",
                      permutations=0 if p_permutation is None else int(permutations))


def lisa_grid(grid: Grid, counts: np.ndarray, *, radius: int = DEFAULT_RADIUS,
              alpha: float = DEFAULT_ALPHA, inference: str = "analytisch",
              permutations: int = DEFAULT_PERMUTATIONS, seed: int = DEFAULT_SEED) -> LisaResult:
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
    inference : {"analytisch", "permutation"}
        Normal approximation under total randomisation (default, fast) or conditional
        permutations (see module doc).
    permutations : int
        Number of permutations for ``inference="permutation"`` (default 999).
    seed : int
        Seed of the permutations (same seed and input, same p).
    """
    radius = check_radius(radius)
    _check_inference(inference, permutations)
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
    p_perm = None
    if inference == "permutation":
        p_perm = permutation_p(y, s, k, permutations=permutations, seed=seed)
    return local_moran(z, lag, k, alpha=alpha, p_permutation=p_perm, permutations=permutations)


def queen_neighbours(geometries: np.ndarray) -> sparse.csr_matrix:
    """Binary queen contiguity (sharing at least a border point), no self-neighbours."""
    geoms = np.asarray(geometries)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    n = len(geoms)
    data = np.ones(int(keep.sum()))
    return sparse.csr_matrix((data, (left[keep], right[keep])), shape=(n, n))


def lisa_areas(values: np.ndarray, neighbours: sparse.csr_matrix, *, alpha: float = DEFAULT_ALPHA,
               inference: str = "analytisch", permutations: int = DEFAULT_PERMUTATIONS,
               seed: int = DEFAULT_SEED) -> LisaResult:
    """Local Moran of one value per area (e.g. EB-standardised rates per Gemeinde).

    Parameters
    ----------
    values : ndarray
        One value per area, in the order of `neighbours`' rows.
    neighbours : sparse matrix
        Binary contiguity (see :func:`queen_neighbours`).
    alpha : float
    inference : {"analytisch", "permutation"}
        See the module doc; :func:`geo.hotspots.areas_lisa.gemeinde_lisa` uses permutations.
    permutations : int
    seed : int
    """
    _check_inference(inference, permutations)
    z, _, _ = _standardise(values)
    k = np.asarray(neighbours.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        lag = np.where(k > 0, (neighbours @ z) / np.maximum(k, 1), 0.0)
    p_perm = None
    if inference == "permutation":
        y = np.asarray(values, dtype=np.float64)
        p_perm = permutation_p(y, neighbours @ y, k, permutations=permutations, seed=seed)
    return local_moran(z, lag, k, alpha=alpha, p_permutation=p_perm, permutations=permutations)
