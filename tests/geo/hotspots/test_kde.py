"""Kernel density against expectations computed without the module: hand arithmetic on tiny point
sets, the continuous kernels summed point by point, and ArcGIS Pro's published bandwidth rule."""

import math

import numpy as np
import pytest
import shapely

from geo.errors import AtlasError
from geo.grid import grid_for_geometry, study_grid
from geo.hotspots.kde import kde

# A 40 km square in central Saxony (EPSG:25833) as the study area, without its 5 km south-west
# corner: every cell near the middle is a study cell, the corner is in the grid window but not studied.
CORNER = shapely.box(370_000, 5_620_000, 375_000, 5_625_000)
SQUARE = shapely.box(370_000, 5_620_000, 410_000, 5_660_000).difference(CORNER)
CX, CY = 390_125.0, 5_640_125.0  # the centre of a 250 m cell in the middle of the square


@pytest.fixture(scope="module")
def square():
    return grid_for_geometry(SQUARE, cell=250)


def centres(grid):
    """x, y of the study cells' centres (metres), in ``study_index`` order."""
    row, col = grid.study_index()
    return (grid.col0 + col + 0.5) * grid.cell, (grid.row0 + row + 0.5) * grid.cell


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kde_integrates_to_the_number_of_incidents(demo, kernel):
    grid = study_grid("14", cell=250)
    x = demo.geometry.x.to_numpy()
    y = demo.geometry.y.to_numpy()
    result = kde(grid, x, y, bandwidth=750, kernel=kernel)
    assert result.n == 20_000
    assert result.total == pytest.approx(20_000, rel=1e-9)
    # Over the study cells only (a little mass leaks over Saxony's border): within 1 %.
    inside = result.density[grid.mask].sum() * grid.cell_km2
    assert inside == pytest.approx(20_000, rel=0.01)


def test_kde_of_one_incident_is_the_quartic_kernel_worked_by_hand(square):
    # One incident at a cell centre, h = 600 m, cells of 250 m. The binned kernel is (1 − d²/h²)² at
    # the cell-centre offsets, normalised to sum 1;
    # u² = d²/h² = (i² + j²) · 250² / 600² = (i² + j²) · 0.17361.
    #   offset (0,0) ×1: 1
    #   (1,0)  ×4: (1 − 0.17361)² = 0.682918
    #   (1,1)  ×4: (1 − 0.34722)² = 0.426119
    #   (2,0)  ×4: (1 − 0.69444)² = 0.093364
    #   (2,1)  ×8: (1 − 0.86806)² = 0.017409
    #   (2,2): u² = 1.389 ≥ 1, outside the kernel
    total = 1 + 4 * 0.682918 + 4 * 0.426119 + 4 * 0.093364 + 8 * 0.017409  # = 5.948881
    cell_km2 = 0.0625
    result = kde(square, np.array([CX]), np.array([CY]), bandwidth=600)
    row, col = square.locate(np.array([CX]), np.array([CY]))
    r, c = int(row[0]), int(col[0])
    d = result.density
    assert d[r, c] == pytest.approx(1 / total / cell_km2, rel=1e-5)  # 2.6895 incidents per km²
    assert d[r, c + 1] == pytest.approx(0.682918 / total / cell_km2, rel=1e-5)
    assert d[r - 1, c - 1] == pytest.approx(0.426119 / total / cell_km2, rel=1e-5)
    assert d[r + 2, c] == pytest.approx(0.093364 / total / cell_km2, rel=1e-4)
    assert d[r + 1, c - 2] == pytest.approx(0.017409 / total / cell_km2, rel=1e-4)
    assert abs(d[r + 2, c + 2]) < 1e-12 and abs(d[r, c + 3]) < 1e-12  # zero up to FFT round-off
    assert d.sum() * cell_km2 == pytest.approx(1.0, rel=1e-12)


# Continuous kernels with their published normalising constants (Silverman 1986, table 3.1 and
# eq. 4.5, in two dimensions): quartic K(d) = 3 / (π h²) · (1 − d²/h²)² for d < h;
# Gaussian K(d) = 1 / (2π h²) · exp(−d² / 2h²). Density at a cell centre = Σ over incidents, per m².
def _quartic(d2, h):
    u2 = d2 / h**2
    return np.where(u2 < 1, (1 - u2) ** 2, 0.0) * 3 / (math.pi * h * h)


def _gaussian(d2, h):
    return np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)


@pytest.mark.parametrize(("kernel", "formula", "h"),
                         [("quartic", _quartic, 1500), ("gaussian", _gaussian, 600)])
def test_kde_equals_the_continuous_kernel_summed_point_by_point(square, kernel, formula, h):
    # Incidents at cell centres (binning then moves nothing); the FFT-binned estimate must equal
    # the textbook sum over incidents, up to the discrete normalisation and the Gaussian's cut at
    # 4 h (e^-8 = 0.03 % of its mass): both below 0.1 % of the peak.
    rng = np.random.default_rng(7)
    px = (np.floor(rng.uniform(380_000, 400_000, 60) / 250) + 0.5) * 250
    py = (np.floor(rng.uniform(5_630_000, 5_650_000, 60) / 250) + 0.5) * 250
    px[:5], py[:5] = CX, CY  # a cluster of 5 in one cell makes a clear peak
    ours = kde(square, px, py, bandwidth=h, kernel=kernel)
    row, col = square.study_index()
    cx, cy = centres(square)
    d2 = (cx[:, None] - px[None, :]) ** 2 + (cy[:, None] - py[None, :]) ** 2
    reference = formula(d2, h).sum(axis=1) * 1e6  # per km²
    assert reference.max() > 1
    np.testing.assert_allclose(ours.density[row, col], reference, rtol=0, atol=1e-3 * reference.max())


def test_no_incidents_give_zero_density(freiberg):
    result = kde(freiberg, np.empty(0), np.empty(0), bandwidth=500)
    assert result.n == 0 and not result.density.any()


# Default bandwidth: ArcGIS Pro, "How Kernel Density works" (Esri, Spatial Analyst):
#   search radius = 0.9 · min(SD, √(1/ln 2) · D_m) · n^(−0.2)
# SD the standard distance √(Σ(x − x̄)²/n + Σ(y − ȳ)²/n), D_m the median distance to the mean centre.


def test_default_bandwidth_uses_the_median_distance_when_outliers_inflate_the_standard_distance(square):
    # Six incidents around one centre: four at 1,000 m, two outliers at 10,000 m (mean centre unmoved).
    #   SD  = √((2·1000² + 2·10000²)/6 + 2·1000²/6) = √(204,000,000 / 6) = 5,830.95 m
    #   D_m = median(1000, 1000, 1000, 1000, 10000, 10000) = 1,000 m
    #   √(1/ln 2) · D_m = 1.201122 · 1,000 = 1,201.12 m  < SD, so it is taken
    #   h = 0.9 · 1,201.12 · 6^(−0.2) = 0.9 · 1,201.12 · 0.698827 = 755.44 m
    x = CX + np.array([1000, -1000, 0, 0, 10_000, -10_000.0])
    y = CY + np.array([0, 0, 1000, -1000, 0, 0.0])
    result = kde(square, x, y)
    assert result.bandwidth == pytest.approx(755.44, abs=0.01)
    assert result.bandwidth_rule == "Standardregel (ArcGIS Pro)"


def test_default_bandwidth_uses_the_standard_distance_for_a_compact_pattern(square):
    # Four incidents at 2,000 m N, S, E, W of the centre:
    #   SD = √(2·2000²/4 + 2·2000²/4) = 2,000 m;  √(1/ln 2) · D_m = 1.201122 · 2,000 = 2,402 m  > SD
    #   h = 0.9 · 2,000 · 4^(−0.2) = 0.9 · 2,000 · 0.757858 = 1,364.14 m
    x = CX + np.array([2000, -2000, 0, 0.0])
    y = CY + np.array([0, 0, 2000, -2000.0])
    assert kde(square, x, y).bandwidth == pytest.approx(1364.14, abs=0.01)


def test_default_bandwidth_counts_only_the_incidents_in_the_study_cells(square):
    # The same six as above plus 50 incidents in the corner that is not studied and 50 more 60 km
    # away: still 755.44 m. The corner's incidents do enter the density (they lie in the raster).
    rng = np.random.default_rng(3)
    x = np.concatenate([CX + np.array([1000, -1000, 0, 0, 10_000, -10_000.0]),
                        rng.uniform(371_000, 374_000, 50), np.full(50, CX + 60_000)])
    y = np.concatenate([CY + np.array([0, 0, 1000, -1000, 0, 0.0]),
                        rng.uniform(5_621_000, 5_624_000, 50), np.linspace(CY, CY + 5_000, 50)])
    assert not square.mask[square.locate(x[6:56], y[6:56])].any()
    result = kde(square, x, y)
    assert result.bandwidth == pytest.approx(755.44, abs=0.01)
    assert result.n == 56


def test_default_bandwidth_is_kept_between_one_and_twenty_cells(square):
    # Three incidents 20 m apart give h = 0.9 · 16.33 · 3^(−0.2) ≈ 11.8 m: raised to one cell (250 m).
    tight = kde(square, CX + np.array([0, 20, 40.0]), np.full(3, CY))
    assert tight.bandwidth == 250
    # Four at 15 km N, S, E, W give 0.9 · 15,000 · 0.757858 = 10,231 m: lowered to 20 cells (5,000 m).
    wide = kde(square, CX + np.array([15_000, -15_000, 0, 0.0]), CY + np.array([0, 0, 15_000, -15_000.0]))
    assert wide.bandwidth == 5000
    # One incident: the rule is undefined, 4 cells.
    assert kde(square, np.array([CX]), np.array([CY])).bandwidth == 1000


def test_bandwidth_and_kernel_are_checked(freiberg):
    with pytest.raises(AtlasError, match="Bandbreite 100 m ist nicht möglich"):
        kde(freiberg, np.empty(0), np.empty(0), bandwidth=100)
    with pytest.raises(AtlasError, match="Unbekannter Kern 'epanechnikov'"):
        kde(freiberg, np.empty(0), np.empty(0), bandwidth=500, kernel="epanechnikov")
