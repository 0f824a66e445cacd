"""Kernel density of incidents on the study grid, in incidents per km².

Incidents are binned to the grid, then the counts are convolved (FFT,
``scipy.signal.fftconvolve``) with the kernel evaluated at the cell-centre offsets —
the standard "binned" KDE: a point's position inside its cell is rounded to the cell
centre, which shifts mass by at most half a cell. The discrete kernel weights are
normalised to sum to one, so every incident contributes exactly one incident to the
raster and ``Σ density · cell_km²`` over the (padded) raster equals the number of
incidents. Kernels:

* ``"quartic"`` (biweight, as in ArcGIS and CrimeStat): K(d) ∝ (1 − d²/h²)² for d < h,
  bandwidth h = search radius in metres.
* ``"gaussian"``: K(d) ∝ exp(−d² / 2h²), bandwidth h = standard deviation in metres,
  cut at 4 h.

**Default bandwidth** (:func:`default_bandwidth`): ArcGIS Pro's default search radius,
a spatial variant of Silverman's rule, ``h = 0.9 · min(SD, √(1/ln 2) · D_m) · n^(−0.2)``
with SD the standard distance of the incidents and D_m the median distance to their
mean centre; then kept between one and twenty cells (a radius below a cell would
only repeat the counts, one above 20 cells blurs a town into one blob). The app shows
the value used.

The raster is padded by the kernel reach around the grid window, so incidents just
outside the selected area count near its border (density is a property of the place,
not of the administrative border) and no kernel mass is cut off at the window edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from geo.errors import AtlasError
from geo.grid import Grid

KERNELS = ("quartic", "gaussian")
MAX_BANDWIDTH_M = 20_000.0


@dataclass(frozen=True, eq=False)
class KDEResult:
    """Density on the grid window.

    Attributes
    ----------
    density : ndarray of float64, shape ``grid.shape``
        Incidents per km² at each cell (all window cells; restrict with ``grid.mask``).
    bandwidth : float
        Bandwidth used, metres.
    bandwidth_rule : str
        How it was chosen (German, for the user), e.g. "Standardregel (ArcGIS Pro)".
    kernel : str
    n : int
        Incidents that entered the estimate (inside the padded raster).
    total : float
        ``Σ density · cell_km²`` over the padded raster (equals `n` up to rounding).
    """

    density: np.ndarray
    bandwidth: float
    bandwidth_rule: str
    kernel: str
    n: int
    total: float


def default_bandwidth(x: np.ndarray, y: np.ndarray, *, cell: float) -> float:
    """ArcGIS Pro's default search radius (see module doc), kept within 1–20 cells, metres.

    With fewer than two incidents the rule is undefined; then 4 cells.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    if n < 2:
        return 4.0 * cell
    dx, dy = x - x.mean(), y - y.mean()
    sd = np.sqrt((dx**2).mean() + (dy**2).mean())
    dm = np.median(np.hypot(dx, dy))
    h = 0.9 * min(sd, np.sqrt(1.0 / np.log(2.0)) * dm) * n**-0.2
    return float(np.clip(h, cell, 20.0 * cell))


def kernel_weights(bandwidth: float, *, cell: float, kernel: str = "quartic") -> np.ndarray:
    """Discrete kernel at cell-centre offsets, normalised to sum 1; shape (2k+1, 2k+1)."""
    if kernel not in KERNELS:
        msg = f"Unbekannter Kern '{kernel}'; möglich: {', '.join(KERNELS)}."
        raise AtlasError(msg)
    reach = bandwidth if kernel == "quartic" else 4.0 * bandwidth
    k = int(np.floor(reach / cell))
    offsets = np.arange(-k, k + 1) * cell
    d2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    if kernel == "quartic":
        u2 = d2 / bandwidth**2
        w = np.where(u2 < 1.0, (1.0 - u2) ** 2, 0.0)
    else:
        w = np.where(d2 <= reach**2, np.exp(-d2 / (2.0 * bandwidth**2)), 0.0)
    return w / w.sum()


def kde(grid: Grid, x: np.ndarray, y: np.ndarray, *, bandwidth: float | None = None,
        kernel: str = "quartic") -> KDEResult:
    """Kernel density of the points (x, y in ``METRIC_CRS`` metres) on `grid`.

    Parameters
    ----------
    grid : Grid
    x, y : ndarray
        Incident coordinates, EPSG:25833 metres.
    bandwidth : float, optional
        Metres (quartic: search radius; Gaussian: standard deviation), at least half a
        cell and at most 20 km. Default: :func:`default_bandwidth` of the incidents in
        the study cells.
    kernel : {"quartic", "gaussian"}

    Returns
    -------
    KDEResult
        No incidents give a density of zero everywhere.
    """
    if bandwidth is None:
        row, col = grid.locate(x, y)
        inside = row >= 0
        inside[inside] = grid.mask[row[inside], col[inside]]
        bandwidth = default_bandwidth(np.asarray(x)[inside], np.asarray(y)[inside], cell=grid.cell)
        rule = "Standardregel (ArcGIS Pro)"
    else:
        bandwidth, rule = float(bandwidth), "vorgegeben"
        if not (grid.cell / 2 <= bandwidth <= MAX_BANDWIDTH_M):
            msg = (f"Bandbreite {bandwidth:g} m ist nicht möglich: erlaubt sind {grid.cell / 2:g} m "
                   f"(halbe Zellgröße) bis {MAX_BANDWIDTH_M:g} m.")
            raise AtlasError(msg)
    weights = kernel_weights(bandwidth, cell=grid.cell, kernel=kernel)
    k = weights.shape[0] // 2
    nrows, ncols = grid.shape
    padded = Grid(cell=grid.cell, col0=grid.col0 - k, row0=grid.row0 - k,
                  mask=np.zeros((nrows + 2 * k, ncols + 2 * k), dtype=bool))
    counts = padded.counts(x, y)
    n = int(counts.sum())
    if n == 0:
        density_full = np.zeros(counts.shape)
    else:
        density_full = fftconvolve(counts.astype(np.float64), weights, mode="same")
        np.clip(density_full, 0.0, None, out=density_full)  # FFT round-off around zero
        density_full /= grid.cell_km2
    total = float(density_full.sum() * grid.cell_km2)
    density = density_full[k:k + nrows, k:k + ncols].copy()
    return KDEResult(density=density, bandwidth=bandwidth, bandwidth_rule=rule, kernel=kernel,
                     n=n, total=total)
