"""Two periods (exact conditional test, FDR) and yearly trend per Gemeinde."""

import numpy as np
import pytest
from scipy import stats

from geo.hotspots.compare import change_test, compare_areas, compare_cells, trend


def test_change_test_equals_scipy_binomtest():
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
