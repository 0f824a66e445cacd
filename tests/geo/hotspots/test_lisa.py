"""Local Moran equals esda's Moran_Local (analytical moments, total randomisation, Anselin 1995) on
libpysal's own contiguity weights: queen contiguity of the grid cells as polygons (the 3×3 window
without the cell), the Chebyshev distance band for wider windows, and queen contiguity of the
Gemeinden; the Gemeinde LISA equals esda's Moran_Local_Rate (EB-standardised rates, Assunção &
Reis 1999)."""

import warnings

import numpy as np
import pytest
from esda import Moran_Local, Moran_Local_Rate
from libpysal.weights import DistanceBand, Queen, Rook
from scipy import stats

from geo.boundaries import load_gemeinden
from geo.errors import AtlasError
from geo.hotspots.areas_lisa import gemeinde_lisa, gemeinde_neighbours
from geo.hotspots.gistar import NoVariationError
from geo.hotspots.lisa import LISA_LABELS, lisa_areas, lisa_grid
from geo.hotspots.points import select, xy

_QUADRANT = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)  # esda's q = 1..4


def _labels_from_esda(ref, alpha=0.05):
    """Classes from esda's moments: normal p, Benjamini–Hochberg by scipy, quadrant where significant."""
    p = 2 * stats.norm.sf(np.abs((ref.Is - ref.EI) / np.sqrt(ref.VI)))
    return np.where(stats.false_discovery_control(p, method="bh") < alpha, _QUADRANT[ref.q],
                    "nicht signifikant")


def _compare(ours, ref):
    np.testing.assert_allclose(ours.i, ref.Is, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.ei, ref.EI, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.vi, ref.VI, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.z, (ref.Is - ref.EI) / np.sqrt(ref.VI), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.quadrant, _QUADRANT[ref.q])
    np.testing.assert_array_equal(ours.label, _labels_from_esda(ref))


def test_grid_lisa_equals_esda_on_libpysal_queen_contiguity_of_the_cells(demo, freiberg):
    # The module says: radius 1 = the 3×3 window without the cell, i.e. queen contiguity
    # (an edge or a corner in common). libpysal builds it from the cell squares themselves.
    cells = freiberg.cells()
    queen = Queen.from_dataframe(cells, use_index=False, silence_warnings=True)
    rook = Rook.from_dataframe(cells, use_index=False, silence_warnings=True)
    assert max(queen.cardinalities.values()) == 8 and max(rook.cardinalities.values()) == 4
    counts = freiberg.counts(*xy(demo))
    y = counts[freiberg.mask].astype(float)
    ours = lisa_grid(freiberg, counts, radius=1)
    ref = Moran_Local(y, queen, transformation="r", permutations=0)
    _compare(ours, ref)
    assert (ours.label == "HH").sum() >= 10  # significant classes are compared, not only "nicht signifikant"
    # Rook weights give other values: the test tells the two contiguities apart.
    ref_rook = Moran_Local(y, rook, transformation="r", permutations=0)
    assert np.abs(ours.i - ref_rook.Is).max() > 0.1


@pytest.mark.parametrize("radius", [2, 3])
def test_grid_lisa_of_a_wider_window_equals_esda_on_the_chebyshev_distance_band(demo, freiberg, radius):
    # The (2r+1)² window without the cell: every study cell whose centre is at most r cells away
    # along both axes (Minkowski p = ∞), libpysal's DistanceBand on the cell centres.
    centres = freiberg.cells().geometry.centroid
    band = DistanceBand(np.column_stack([centres.x, centres.y]), threshold=radius * 250 + 1, p=np.inf,
                        binary=True, silence_warnings=True)
    assert max(band.cardinalities.values()) == (2 * radius + 1) ** 2 - 1
    counts = freiberg.counts(*xy(select(demo, categories="graffiti")))
    ours = lisa_grid(freiberg, counts, radius=radius)
    ref = Moran_Local(counts[freiberg.mask].astype(float), band, transformation="r", permutations=0)
    _compare(ours, ref)


def test_gemeinde_neighbours_are_libpysal_queen_contiguity_and_symmetric():
    gem = load_gemeinden()
    nb = gemeinde_neighbours()
    queen = Queen.from_dataframe(gem, use_index=False, silence_warnings=True)
    assert nb.shape == (418, 418)
    assert (nb != nb.T).nnz == 0  # j neighbours i exactly when i neighbours j
    assert nb.diagonal().sum() == 0
    assert (nb != queen.sparse.tocsr()).nnz == 0
    # Queen and not rook: some Gemeinden meet in a single point.
    rook = Rook.from_dataframe(gem, use_index=False, silence_warnings=True)
    assert nb.nnz > rook.sparse.nnz


def test_gemeinde_lisa_equals_esda_on_libpysal_queen_weights(demo):
    gem = load_gemeinden()
    queen = Queen.from_dataframe(gem, use_index=False, silence_warnings=True)
    violence = demo[demo["category"] == "violence"]
    counts = violence["ags"].value_counts().reindex(gem["ags"], fill_value=0).to_numpy(dtype=float)
    rates = counts / gem["einwohner"].to_numpy(dtype=float)
    ours = lisa_areas(rates, gemeinde_neighbours())
    ref = Moran_Local(rates, queen, transformation="r", permutations=0)
    _compare(ours, ref)


def test_gemeinde_lisa_classes_are_significant_after_fdr_only(demo):
    result = gemeinde_lisa(demo, categories="violence")
    assert len(result) == 418
    classed = result["lisa_class"] != "nicht signifikant"
    assert (result.loc[classed, "lisa_p_fdr"] < 0.05).all()
    assert (result.loc[~classed, "lisa_p_fdr"] >= 0.05).all()
    assert result["lisa_class"].isin(["HH", "LL", "HL", "LH", "nicht signifikant"]).all()
    assert result["lisa_label"].iloc[0] in set(LISA_LABELS.values())


def test_lisa_without_variation_or_with_too_few_units_is_a_clear_message(freiberg):
    with pytest.raises(NoVariationError, match="keine Cluster oder Ausreißer"):
        lisa_grid(freiberg, np.zeros(freiberg.shape, dtype=int))
    with pytest.raises(AtlasError, match="mindestens drei Einheiten"):
        lisa_areas(np.array([1.0, 2.0]), gemeinde_neighbours()[:2, :2])


def test_gemeinde_lisa_is_esdas_rate_lisa_on_libpysal_queen_weights(demo):
    gem = load_gemeinden()
    queen = Queen.from_dataframe(gem, use_index=False, silence_warnings=True)
    violence = demo[demo["category"] == "violence"]
    counts = violence["ags"].value_counts().reindex(gem["ags"], fill_value=0).to_numpy(dtype=float)
    pop = gem["einwohner"].to_numpy(dtype=float)
    ours = gemeinde_lisa(demo, categories="violence")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # esda's notice about its future default
        ref = Moran_Local_Rate(counts, pop, queen, transformation="r", permutations=999, seed=1)
    np.testing.assert_allclose(ours["lisa_i"], ref.Is, rtol=0, atol=1e-12)
    # Permutation inference by default: p on the grid of 2·(1 + j) / 1000, close to 2 × esda's p_sim.
    p = ours["lisa_p"].to_numpy()
    steps = p[p < 1] * 1000 / 2
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)
    assert (np.abs(p / 2 - ref.p_sim) < 0.05).mean() > 0.95
