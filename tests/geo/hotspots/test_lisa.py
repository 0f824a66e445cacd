"""Local Moran equals esda's Moran_Local (analytical moments, total randomisation, Anselin 1995);
the Gemeinde LISA equals esda's Moran_Local_Rate (EB-standardised rates, Assunção & Reis 1999)."""

import warnings

import numpy as np
import pytest
from esda import Moran_Local, Moran_Local_Rate
from libpysal.weights import Queen, W

from geo.boundaries import load_gemeinden
from geo.errors import AtlasError
from geo.hotspots.areas_lisa import gemeinde_lisa, gemeinde_neighbours
from geo.hotspots.gistar import NoVariationError
from geo.hotspots.lisa import LISA_LABELS, lisa_areas, lisa_grid
from geo.hotspots.points import select, xy
from geo.hotspots.rates import areas, count_points, empirical_bayes
from tests.geo.hotspots.conftest import window_weights

_QUADRANT = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)  # esda's q = 1..4


@pytest.mark.parametrize("radius", [1, 2])
def test_grid_lisa_equals_esda_analytical_on_freiberg(demo, freiberg, radius):
    counts = freiberg.counts(*xy(demo))
    ours = lisa_grid(freiberg, counts, radius=radius)
    w = window_weights(freiberg, radius, self_neighbour=False)
    ref = Moran_Local(counts[freiberg.mask].astype(float), w, transformation="r", permutations=0)
    np.testing.assert_allclose(ours.i, ref.Is, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.ei, ref.EI, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.vi, ref.VI, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.quadrant, _QUADRANT[ref.q])
    z_ref = (ref.Is - ref.EI) / np.sqrt(ref.VI)
    np.testing.assert_allclose(ours.z, z_ref, rtol=0, atol=1e-9)


def test_gemeinde_lisa_equals_esda_with_queen_contiguity(demo):
    counts = count_points(select(demo, categories="violence"))
    values, _, _, _ = empirical_bayes(counts.to_numpy(), areas("gemeinde")["einwohner"].to_numpy())
    nb = gemeinde_neighbours()
    assert nb.shape == (418, 418) and nb.sum() == 2 * nb.count_nonzero() / 2
    w = W({i: list(nb[i].indices) for i in range(418)}, silence_warnings=True)
    ours = lisa_areas(values, nb)
    ref = Moran_Local(values, w, transformation="r", permutations=0)
    np.testing.assert_allclose(ours.i, ref.Is, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.vi, ref.VI, rtol=0, atol=1e-9)


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
    assert abs(queen.sparse.tocsr() - gemeinde_neighbours()).sum() == 0
    counts = count_points(select(demo, categories="violence")).to_numpy().astype(float)
    pop = areas("gemeinde")["einwohner"].to_numpy().astype(float)
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
