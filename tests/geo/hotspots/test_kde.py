"""Kernel density: integrates to the number of incidents, kernel shapes, documented bandwidth rule."""

import numpy as np
import pytest

from geo.errors import AtlasError
from geo.grid import study_grid
from geo.hotspots.kde import default_bandwidth, kde, kernel_weights
from geo.hotspots.points import select, xy


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kde_integrates_to_the_number_of_incidents(demo, kernel):
    grid = study_grid("14", cell=250)
    x, y = xy(demo)
    result = kde(grid, x, y, bandwidth=750, kernel=kernel)
    assert result.n == 20_000
    assert result.total == pytest.approx(20_000, rel=1e-9)
    # Over the study cells only (a little mass leaks over Saxony's border): within 1 %.
    inside = result.density[grid.mask].sum() * grid.cell_km2
    assert inside == pytest.approx(20_000, rel=0.01)


def test_kde_of_one_incident_is_the_quartic_kernel_in_incidents_per_km2(freiberg):
    row, col = freiberg.study_index()
    cx = (freiberg.col0 + col[400] + 0.5) * 250
    cy = (freiberg.row0 + row[400] + 0.5) * 250
    result = kde(freiberg, np.array([cx]), np.array([cy]), bandwidth=600)
    weights = kernel_weights(600, cell=250)
    assert weights.shape == (5, 5)  # reach 600 m = 2 whole cells each side
    peak = result.density[row[400], col[400]]
    assert peak == pytest.approx(weights[2, 2] / 0.0625, rel=1e-9)
    # The quartic shape: (1 − d²/h²)², ratio of centre to the 250 m neighbour.
    east = result.density[row[400], col[400] + 1]
    assert east / peak == pytest.approx((1 - (250 / 600) ** 2) ** 2, rel=1e-9)
    assert result.density.sum() * 0.0625 == pytest.approx(1.0, rel=1e-12)


def test_no_incidents_give_zero_density(freiberg):
    result = kde(freiberg, np.empty(0), np.empty(0), bandwidth=500)
    assert result.n == 0 and not result.density.any()


def test_default_bandwidth_is_the_arcgis_rule_within_1_to_20_cells(demo):
    grid = study_grid("14713000", cell=250)  # Leipzig
    pts = select(demo, categories="graffiti")
    x, y = xy(pts)
    row, col = grid.locate(x, y)
    inside = (row >= 0) & grid.mask[row, col]  # the incidents in Leipzig's study cells
    xi, yi = x[inside], y[inside]
    dx, dy = xi - xi.mean(), yi - yi.mean()
    sd = np.sqrt((dx**2).mean() + (dy**2).mean())
    dm = np.median(np.hypot(dx, dy))
    expected = 0.9 * min(sd, np.sqrt(1 / np.log(2)) * dm) * len(xi) ** -0.2
    assert 250 < expected < 5000
    result = kde(grid, x, y)  # all Saxony's graffiti passed, the rule uses those in Leipzig
    assert result.bandwidth == pytest.approx(expected, rel=1e-9)
    assert result.bandwidth_rule == "Standardregel (ArcGIS Pro)"
    assert default_bandwidth(np.array([1.0]), np.array([1.0]), cell=250) == 1000


def test_bandwidth_and_kernel_are_checked(freiberg):
    with pytest.raises(AtlasError, match="Bandbreite 100 m ist nicht möglich"):
        kde(freiberg, np.empty(0), np.empty(0), bandwidth=100)
    with pytest.raises(AtlasError, match="Unbekannter Kern 'epanechnikov'"):
        kde(freiberg, np.empty(0), np.empty(0), bandwidth=500, kernel="epanechnikov")
