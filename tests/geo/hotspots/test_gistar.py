"""Gi* equals esda's G_Local(star=True) with binary window weights; edge cases give clear results."""

import numpy as np
import pytest
import shapely
from esda import G_Local

from geo.errors import AtlasError
from geo.grid import grid_for_geometry, study_grid
from geo.hotspots.gistar import GI_CLASSES, NoVariationError, confidence_bins, gi_star
from geo.hotspots.points import select, xy
from tests.geo.hotspots.conftest import window_weights


@pytest.mark.parametrize("radius", [1, 2, 3])
def test_gi_star_z_and_p_equal_esda_on_freiberg_at_250_m(demo, freiberg, radius):
    counts = freiberg.counts(*xy(demo))
    assert counts[freiberg.mask].sum() == 188
    ours = gi_star(freiberg, counts, radius=radius)
    y = counts[freiberg.mask].astype(float)
    ref = G_Local(y, window_weights(freiberg, radius, self_neighbour=True), transform="B", star=True,
                  permutations=0)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    # esda's p_norm is one-sided; ours is two-sided.
    np.testing.assert_allclose(ours.p, 2 * ref.p_norm, rtol=0, atol=1e-12)


def test_gi_star_matches_esda_on_leipzig_violence_at_500_m(demo):
    grid = study_grid("14713000", cell=500)
    counts = grid.counts(*xy(select(demo, categories="violence")))
    ours = gi_star(grid, counts, radius=1)
    ref = G_Local(counts[grid.mask].astype(float), window_weights(grid, 1, self_neighbour=True),
                  transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    assert (ours.bin == 3).sum() > 0  # the demo's invented centres show up as 99 % hot spots


def test_classes_follow_arcgis_confidence_on_fdr_p():
    z = np.array([3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0])
    p = np.array([0.005, 0.03, 0.08, 0.5, 0.08, 0.03, 0.005])
    np.testing.assert_array_equal(confidence_bins(z, p), [3, 2, 1, 0, -1, -2, -3])
    assert GI_CLASSES[3] == "Hotspot (99 %)" and GI_CLASSES[-1] == "Coldspot (90 %)"


def test_classes_use_the_fdr_adjusted_p(demo, freiberg):
    result = gi_star(freiberg, freiberg.counts(*xy(demo)))
    np.testing.assert_array_equal(result.bin, confidence_bins(result.z, result.p_fdr))
    assert (result.p_fdr >= result.p).all()
    assert result.labels[result.bin == 3][0] == "Hotspot (99 %)"


def test_no_incidents_is_a_clear_message(freiberg):
    with pytest.raises(NoVariationError, match=r"Alle 773 Rasterzellen haben denselben Wert \(0 Vorfälle\)"):
        gi_star(freiberg, np.zeros(freiberg.shape, dtype=int))


def test_one_incident_is_the_only_hot_cell_and_matches_esda(freiberg):
    counts = np.zeros(freiberg.shape, dtype=int)
    row, col = freiberg.study_index()
    counts[row[400], col[400]] = 1
    result = gi_star(freiberg, counts)
    ref = G_Local(counts[freiberg.mask].astype(float), window_weights(freiberg, 1, self_neighbour=True),
                  transform="B", star=True, permutations=0)
    np.testing.assert_allclose(result.z, ref.Zs, atol=1e-9)
    # By hand: n = 773, x̄ = 1/773, s² = 1/773 − 1/773², W = 9 for a cell amid study cells.
    n, mean = 773, 1 / 773
    expected = (1 - 9 * mean) / (np.sqrt(mean - mean**2) * np.sqrt((n * 9 - 81) / (n - 1)))
    assert result.z.max() == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(9.2135, abs=1e-4)
    assert set(np.flatnonzero(result.z > 0)) == set(np.flatnonzero(result.z == result.z.max()))


def test_all_incidents_in_one_cell_make_its_neighbourhood_the_hot_spot(freiberg):
    counts = np.zeros(freiberg.shape, dtype=int)
    row, col = freiberg.study_index()
    counts[row[400], col[400]] = 50
    result = gi_star(freiberg, counts)
    hot = np.flatnonzero(result.bin > 0)
    assert len(hot) == 9  # the cell and its 8 neighbours (all study cells)
    assert (result.bin[hot] == 3).all()


def test_area_with_one_cell_is_a_clear_message():
    one = grid_for_geometry(shapely.box(400_000, 5_650_000, 401_200, 5_651_200), cell=1000)
    assert one.n_cells == 1
    with pytest.raises(AtlasError, match="mindestens zwei Rasterzellen"):
        gi_star(one, np.ones(one.shape, dtype=int))


def test_window_covering_the_whole_area_gives_z_zero():
    grid = study_grid("14628310", cell=1000)  # 4 cells; a 5×5 window holds them all
    counts = np.zeros(grid.shape, dtype=int)
    row, col = grid.study_index()
    counts[row[0], col[0]] = 3
    result = gi_star(grid, counts, radius=2)
    np.testing.assert_array_equal(result.z, 0.0)
    np.testing.assert_array_equal(result.bin, 0)


def test_radius_outside_1_to_10_is_refused(freiberg):
    with pytest.raises(AtlasError, match="Radius 0 ist nicht möglich"):
        gi_star(freiberg, np.ones(freiberg.shape, dtype=int), radius=0)
