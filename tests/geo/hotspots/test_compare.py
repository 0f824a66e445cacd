"""Two periods (exact conditional test, FDR, overdispersion) and yearly trend per Gemeinde."""

import numpy as np
import pytest
from scipy import stats

from geo.hotspots.compare import change_test, compare_areas, compare_cells, dispersion, trend
from geo.hotspots.rates import areas
from tests.geo.hotspots.constructed import incident_points


def test_change_test_equals_scipy_binomtest_for_equal_periods():
    # With p0 = 1/2 the binomial is symmetric: the central p equals scipy's default (minlike) p.
    a, b = np.array([10, 0, 3, 40]), np.array([25, 0, 3, 20])
    change, p = change_test(a, b, share_b=0.5)
    for i in range(4):
        n = a[i] + b[i]
        ref = stats.binomtest(int(b[i]), int(n), 0.5).pvalue if n else 1.0
        assert p[i] == pytest.approx(ref, rel=1e-12)
    np.testing.assert_allclose(change, b - a)


def test_compare_cells_and_areas_between_two_years(demo):
    periods = {"period_a": ("2023-01-01", "2023-12-31"), "period_b": ("2024-01-01", "2024-12-31")}
    cells = compare_cells(demo, area="14522180", **periods)
    assert len(cells) == 773
    in_a = demo[(demo["time"].dt.year == 2023)]
    assert cells["count_a"].sum() <= len(in_a[in_a["ags"] == "14522180"])
    areas = compare_areas(demo, **periods)
    assert len(areas) == 418
    leipzig = areas.set_index("ags").loc["14713000"]
    assert leipzig["count_a"] == int(((demo["ags"] == "14713000") & (demo["time"].dt.year == 2023)).sum())
    assert set(areas["direction"]) <= {"Zunahme", "Abnahme", "keine gesicherte Änderung"}


def test_trend_recovers_the_demo_growth_in_leipzig(demo):
    result = trend(demo).set_index("ags")
    assert list(result.columns[1:5]) == ["2021", "2022", "2023", "2024"]
    leipzig = result.loc["14713000"]
    # The demo grows about 5 % a year (day weights 1 + 0.05·(year − 2021)).
    assert 0 < leipzig["trend_pct"] < 12
    assert leipzig["total"] == int((demo["ags"] == "14713000").sum())
    few = result[result["total"] < 3]
    assert (few["direction"] == "zu wenige Vorfälle").all()


def _central_p(b, n, p0):
    """Twice the smaller exact one-sided p (scipy), capped at 1; 1 without incidents."""
    if n == 0:
        return 1.0
    less = stats.binomtest(int(b), int(n), p0, alternative="less").pvalue
    greater = stats.binomtest(int(b), int(n), p0, alternative="greater").pvalue
    return min(1.0, 2.0 * min(less, greater))


def test_change_test_for_unequal_periods_doubles_the_smaller_one_sided_binomtest():
    p0 = 91 / (365 + 91)  # B = first quarter 2024 (leap year) against A = 2023
    a = np.array([40, 12, 3, 0, 100, 25, 7, 0])
    b = np.array([4, 9, 3, 0, 30, 1, 0, 5])
    change, p = change_test(a, b, share_b=p0)
    ref = [_central_p(b[i], a[i] + b[i], p0) for i in range(len(a))]
    np.testing.assert_allclose(p, ref, rtol=1e-12)
    np.testing.assert_allclose(change, b - a * 91 / 365, rtol=1e-12)
    # scipy's default two-sided p ("minlike") is another convention: equal only for p0 = 1/2.
    minlike = [stats.binomtest(int(b[i]), int(a[i] + b[i]), p0).pvalue for i in range(len(a)) if a[i] + b[i]]
    assert max(abs(np.array(ref)[a + b > 0] - minlike)) > 0.01


def test_change_test_keeps_its_level_for_unequal_periods():
    # Exact size: the chance of p <= alpha under "no change" is at most alpha, and at most
    # alpha/2 in each direction (equal tails).
    for n, p0 in [(12, 0.2), (30, 91 / 456), (80, 0.75)]:
        b = np.arange(n + 1)
        _, p = change_test(n - b, b, share_b=p0)
        pmf = stats.binom.pmf(b, n, p0)
        reject = p <= 0.05
        assert pmf[reject].sum() <= 0.05
        assert pmf[reject & (b < n * p0)].sum() <= 0.025 and pmf[reject & (b > n * p0)].sum() <= 0.025


def test_compare_areas_uses_the_period_lengths(demo):
    result = compare_areas(demo, period_a=("2023-01-01", "2023-12-31"), period_b=("2024-01-01", "2024-03-31"))
    leipzig = result.set_index("ags").loc["14713000"]
    n = leipzig["count_a"] + leipzig["count_b"]
    assert leipzig["p"] == pytest.approx(_central_p(leipzig["count_b"], n, 91 / (365 + 91)), rel=1e-12)


def _beta_binomial_counts(rng, m, *, r_a, r_b, scale):
    """Negative-binomial counts of two periods (gamma mixing, same scale): b | a + b ~ BetaBinomial."""
    a = rng.negative_binomial(r_a, 1.0 / (1.0 + scale), size=m)
    b = rng.negative_binomial(r_b, 1.0 / (1.0 + scale), size=m)
    return a, b


def test_dispersion_is_one_for_poisson_and_the_beta_binomial_factor_for_negative_binomial_counts():
    rng = np.random.default_rng(418)
    for _ in range(3):
        a, b = rng.poisson(12.0, 418), rng.poisson(6.0, 418)
        phi, p = dispersion(a, b)
        assert abs(phi - 1.0) < 0.25 and p > 0.001
        # A change common to all units is not scatter.
        phi_changed, _ = dispersion(a, rng.poisson(9.0, 418))
        assert abs(phi_changed - 1.0) < 0.25
    r_a, r_b = 4.0, 2.0
    for _ in range(3):
        a, b = _beta_binomial_counts(rng, 418, r_a=r_a, r_b=r_b, scale=3.0)
        n = (a + b)[a + b > 0]
        # Var(b | n) = n p(1 - p) (1 + (n - 1) rho), rho = 1 / (r_a + r_b + 1): E[Pearson term | n].
        expected = np.mean(1.0 + (n - 1) / (r_a + r_b + 1.0))
        phi, p = dispersion(a, b)
        assert phi == pytest.approx(expected, rel=0.2) and phi > 2.0 and p < 1e-6


def _two_year_points(a, b):
    keys = areas("gemeinde")["ags"].to_numpy()
    rows = [("graffiti", "2023-06-01", key) for key, k in zip(keys, a, strict=True) for _ in range(k)]
    rows += [("graffiti", "2024-06-01", key) for key, k in zip(keys, b, strict=True) for _ in range(k)]
    return incident_points(rows)


def test_compare_areas_warns_when_counts_are_overdispersed():
    rng = np.random.default_rng(7)
    periods = {"period_a": ("2023-01-01", "2023-12-31"), "period_b": ("2024-01-01", "2024-12-31")}
    a, b = _beta_binomial_counts(rng, 418, r_a=3.0, r_b=3.0, scale=3.0)
    clumped = compare_areas(_two_year_points(a, b), **periods)
    assert clumped.attrs["dispersion"] > 2.0
    assert clumped.attrs["hinweis"].startswith("Die Zahlen streuen stärker als bei zufälligen Schwankungen "
                                               "(Dispersion ")
    assert f"{clumped.attrs['dispersion']:.1f}".replace(".", ",") in clumped.attrs["hinweis"]
    poisson = compare_areas(_two_year_points(rng.poisson(9.0, 418), rng.poisson(9.0, 418)), **periods)
    assert poisson.attrs["dispersion"] < 1.3 and poisson.attrs["hinweis"] == ""


def test_demo_changes_are_not_overdispersed(demo):
    periods = {"period_a": ("2023-01-01", "2023-12-31"), "period_b": ("2024-01-01", "2024-12-31")}
    cells = compare_cells(demo, area="14713000", **periods)
    assert 0.8 < cells.attrs["dispersion"] < 1.2 and cells.attrs["hinweis"] == ""
