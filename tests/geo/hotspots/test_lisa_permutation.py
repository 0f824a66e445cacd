"""Conditional-permutation inference of Local Moran against independent references.

References: the exact conditional permutation distribution of a cell's neighbour sum
(counted by a generating function over the value classes, below), esda's conditional
moments (``EIc``/``VIc``, Sokal et al. 1998) and esda's ``p_sim``.
"""

import math
import warnings

import numpy as np
import pytest
from esda import Moran_Local
from libpysal.weights import W

from geo.errors import AtlasError
from geo.hotspots.areas_lisa import gemeinde_neighbours
from geo.hotspots.lisa import lisa_areas, lisa_grid
from geo.hotspots.points import select, xy
from geo.hotspots.windows import window_sum
from tests.geo.hotspots.conftest import window_weights


def exact_p(values, i, k, s):
    """Two-sided p of neighbour sum `s` when k values are drawn without replacement from all but unit i."""
    others = np.delete(np.asarray(values, dtype=np.int64), i)
    classes, sizes = np.unique(others, return_counts=True)
    top = int(k * classes.max())
    ways = np.zeros((k + 1, top + 1))  # ways[j, t]: j values drawn with sum t
    ways[0, 0] = 1.0
    for v, c in zip(classes, sizes, strict=True):
        new = np.zeros_like(ways)
        for u in range(min(int(c), k) + 1):
            new[u:, u * v:] += ways[:k + 1 - u, :top + 1 - u * v] * math.comb(int(c), u)
        ways = new
    dist = ways[k] / math.comb(len(others), k)
    return min(1.0, 2.0 * min(dist[s:].sum(), dist[:s + 1].sum()))


@pytest.fixture(scope="module")
def freiberg_graffiti(demo, freiberg):
    counts = freiberg.counts(*xy(select(demo, categories="graffiti")))
    mask = freiberg.mask
    y = counts[mask]
    k = window_sum(mask, 1)[mask] - 1
    s = window_sum(np.where(mask, counts, 0), 1)[mask] - y
    exact = np.array([exact_p(y, i, int(k[i]), int(s[i])) if y[i] != y.mean() else 1.0
                      for i in range(len(y))])
    return counts, y, s, exact


def test_grid_permutation_p_matches_the_exact_conditional_distribution(freiberg, freiberg_graffiti):
    counts, y, s, exact = freiberg_graffiti
    result = lisa_grid(freiberg, counts, inference="permutation")
    assert result.inference == "permutation" and result.permutations == 999
    diff = np.abs(result.p - exact)
    # Monte-Carlo error of 999 draws: sd of p at most 2·√(0.25/999) ≈ 0.03.
    assert diff.mean() < 0.01 and diff.max() < 0.1
    # A single incident among empty cells is the commonest pattern, not an outlier: tied
    # sums count as at least as extreme (esda's p_sim calls these 0.001).
    isolated = (y > 0) & (s == 0)
    assert isolated.sum() > 10 and (result.p[isolated] == 1.0).all() and (exact[isolated] > 0.9).all()


def test_grid_permutation_moments_are_esdas_conditional_moments(demo, freiberg):
    counts = freiberg.counts(*xy(demo))
    result = lisa_grid(freiberg, counts, inference="permutation")
    w = window_weights(freiberg, 1, self_neighbour=False)
    ref = Moran_Local(counts[freiberg.mask].astype(float), w, transformation="r", permutations=0)
    n = len(ref.Is)
    np.testing.assert_allclose(result.i, ref.Is, rtol=0, atol=1e-9)
    # esda's EIc/VIc belong to Anselin's I, which is n/(n − 1) times esda's (and our) I.
    np.testing.assert_allclose(result.ei, ref.EIc * (n - 1) / n, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.vi, ref.VIc * ((n - 1) / n) ** 2, rtol=1e-9, atol=1e-15)


def test_the_analytical_test_is_liberal_for_busy_cells_and_conservative_for_empty_ones(
        freiberg, freiberg_graffiti):
    # What the module doc says instead of "somewhat liberal": judged against the exact p.
    counts, y, _, exact = freiberg_graffiti
    analytical = lisa_grid(freiberg, counts)
    busy = y > 0  # own z_i ≈ 2.6 and more; every empty cell has z_i ≈ −0.27
    assert (analytical.p[busy] < 0.05).sum() > 2 * (exact[busy] < 0.05).sum()
    assert 5 * (analytical.p[~busy] < 0.05).sum() < (exact[~busy] < 0.05).sum()


def _gemeinde_weights():
    nb = gemeinde_neighbours()
    return nb, W({i: list(nb[i].indices) for i in range(nb.shape[0])}, silence_warnings=True)


def test_area_permutation_p_is_twice_esdas_p_sim_within_monte_carlo_error():
    nb, w = _gemeinde_weights()
    # Skewed values with a little spatial structure (more neighbours, higher value): p spread over (0, 1].
    values = np.random.default_rng(5).gamma(2.0, size=418) + np.asarray(nb.sum(axis=1)).ravel() / 10
    ours = lisa_areas(values, nb, inference="permutation")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # esda's notice about its future default
        p_sim = np.mean([Moran_Local(values, w, transformation="r", permutations=999, seed=seed).p_sim
                         for seed in (1, 2, 3)], axis=0)
    diff = np.abs(ours.p / 2 - p_sim)
    assert (diff < 0.05).mean() > 0.95 and diff.max() < 0.1
    assert ((ours.p < 0.05) == (2 * p_sim < 0.05)).mean() > 0.95


def test_permutation_p_keeps_its_level_under_spatial_randomness(freiberg, freiberg_graffiti):
    nb, _ = _gemeinde_weights()
    rng = np.random.default_rng(11)
    p = np.concatenate([lisa_areas(rng.normal(size=418), nb, inference="permutation", seed=seed).p
                        for seed in range(20)])
    assert 0.03 < (p <= 0.05).mean() < 0.07 and 0.16 < (p <= 0.2).mean() < 0.24
    # Counts with ties: shuffled over the cells, at most the nominal share is rejected.
    counts, y, _, _ = freiberg_graffiti
    rows, cols = freiberg.study_index()
    shuffled = np.zeros_like(counts)
    rejected = []
    for seed in range(10):
        shuffled[rows, cols] = rng.permutation(y)
        rejected.append((lisa_grid(freiberg, shuffled, inference="permutation", seed=seed).p <= 0.05).mean())
    assert np.mean(rejected) < 0.06


def test_permutations_are_seeded():
    nb, _ = _gemeinde_weights()
    values = np.random.default_rng(3).normal(size=418)
    first = lisa_areas(values, nb, inference="permutation", seed=1)
    again = lisa_areas(values, nb, inference="permutation", seed=1)
    other = lisa_areas(values, nb, inference="permutation", seed=2)
    np.testing.assert_array_equal(first.p, again.p)
    assert (first.p != other.p).any() and np.abs(first.p - other.p).max() < 0.15
    more = lisa_areas(values, nb, inference="permutation", permutations=99)
    assert more.permutations == 99 and more.p.min() >= 2 / 100


def test_unknown_inference_or_permutations_are_german_errors(freiberg):
    counts = np.ones(freiberg.shape, dtype=int)
    counts[0, 0] = 3
    with pytest.raises(AtlasError, match="Unbekannte Inferenz 'bootstrap'"):
        lisa_grid(freiberg, counts, inference="bootstrap")
    with pytest.raises(AtlasError, match="Permutationen"):
        lisa_grid(freiberg, counts, inference="permutation", permutations=0)
