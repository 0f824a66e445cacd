"""Benjamini–Hochberg adjusted p-values equal scipy's false_discovery_control."""

import numpy as np
from scipy.stats import false_discovery_control

from geo.hotspots.fdr import bh_adjust


def test_bh_equals_scipy_on_many_p_values_with_ties():
    rng = np.random.default_rng(4)
    p = np.concatenate([rng.uniform(size=5000), rng.uniform(0, 1e-4, size=200), np.full(50, 0.01),
                        [0.0, 1.0]])
    np.testing.assert_allclose(bh_adjust(p), false_discovery_control(p, method="bh"), rtol=0, atol=1e-15)


def test_bh_hand_case_and_nan_stays_out_of_the_count():
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.20])
    # m = 4 valid: sorted 0.01, 0.03, 0.04, 0.20 → ·m/k: 0.04, 0.06, 0.0533, 0.20
    # → running minimum from the top: 0.04, 0.0533, 0.0533, 0.20
    np.testing.assert_allclose(bh_adjust(p), [0.04, np.nan, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)


def test_bh_keeps_shape_and_handles_empty():
    assert bh_adjust(np.empty(0)).shape == (0,)
    grid = np.array([[0.01, 0.5], [0.02, 0.9]])
    np.testing.assert_allclose(bh_adjust(grid), false_discovery_control(grid.ravel()).reshape(2, 2))
