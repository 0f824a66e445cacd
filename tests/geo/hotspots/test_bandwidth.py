"""The KDE bandwidth chosen by rolling-origin validation: folds, the one-SE rule, and what it picks."""

import datetime as dt

import numpy as np
import pytest

from benchmarks.patterns import pattern
from geo.grid import study_grid
from geo.hotspots import evaluate
from geo.hotspots.bandwidth import CANDIDATE_CELLS, choose_bandwidth, rolling_folds
from geo.hotspots.evaluate import accuracy
from geo.hotspots.kde import kernel_weights
from geo.hotspots.points import xy

LEIPZIG = "14713000"


@pytest.fixture(scope="module")
def grid():
    return study_grid(LEIPZIG)


def test_folds_learn_a_year_then_test_each_following_quarter():
    folds = rolling_folds(dt.date(2021, 1, 1), dt.date(2023, 1, 1))
    assert folds == [(dt.date(2022, 1, 1), dt.date(2022, 4, 1)), (dt.date(2022, 4, 1), dt.date(2022, 7, 1)),
                     (dt.date(2022, 7, 1), dt.date(2022, 10, 1)), (dt.date(2022, 10, 1), dt.date(2023, 1, 1))]
    # a short period learns on its first half; a long one keeps the last eight quarters
    first = rolling_folds(dt.date(2024, 1, 1), dt.date(2024, 9, 1))[0]
    assert first == (dt.date(2024, 5, 1), dt.date(2024, 8, 1))
    long = rolling_folds(dt.date(2015, 1, 1), dt.date(2025, 1, 1))
    assert len(long) == 8 and long[-1] == (dt.date(2024, 10, 1), dt.date(2025, 1, 1))


def test_one_cell_is_the_count_itself():
    assert np.count_nonzero(kernel_weights(250.0, cell=250.0)) == 1 and CANDIDATE_CELLS[0] == 1.0


def test_the_one_cell_score_is_counting_computed_independently(grid):
    points = pattern("smooth", seed=3)
    x, y = xy(points)
    t = points["time"].to_numpy()
    choice = choose_bandwidth(x, y, t, grid, start=dt.date(2021, 1, 1), end=dt.date(2023, 1, 1),
                              area_share=0.05)
    k = max(1, round(0.05 * grid.n_cells))
    expected = []
    for origin, stop in choice.folds:
        learn = t < np.datetime64(origin)
        test = (t >= np.datetime64(origin)) & (t < np.datetime64(stop))
        counts = grid.counts(x[learn], y[learn])[grid.mask].astype(float)
        expected.append(accuracy(counts, counts, grid.counts(x[test], y[test])[grid.mask], k=k).hit_rate)
    assert choice.scores.loc[0, "trefferquote"] == pytest.approx(np.mean(expected), abs=1e-12)


def test_micro_places_keep_counting_and_a_smooth_risk_gets_a_wider_kernel(grid):
    def auto(kind, seed):
        return evaluate(pattern(kind, seed=seed), split="2023-01-01", grid=grid, bandwidth="auto")

    micro = [auto("micro", seed) for seed in range(3)]
    assert [e.kde_bandwidth_m for e in micro] == [250.0] * 3
    smooth = [auto("smooth", seed) for seed in range(3)]
    assert all(e.kde_bandwidth_m >= 500 for e in smooth)
    # and never worse than counting on these patterns, where the rule of thumb loses on micro-places
    for e in [*micro, *smooth]:
        assert e.results["kde"].pai >= e.results["grid"].pai - 0.05 * e.results["grid"].pai
    rule = evaluate(pattern("micro", seed=0), split="2023-01-01", grid=grid, bandwidth="regel")
    assert rule.results["kde"].pai < rule.results["grid"].pai


def test_the_smallest_bandwidth_within_one_standard_error_of_the_best_is_taken(grid):
    points = pattern("smooth", seed=1)
    x, y = xy(points)
    choice = choose_bandwidth(x, y, points["time"].to_numpy(), grid, start=dt.date(2021, 1, 1),
                              end=dt.date(2023, 1, 1), area_share=0.05)
    scores = choice.scores
    best = scores["trefferquote"].idxmax()
    within = scores[scores["trefferquote"] >= scores.loc[best, "trefferquote"] - scores.loc[best, "se"]]
    assert choice.bandwidth == within["bandbreite_m"].min()
    assert choice.se == pytest.approx(scores.loc[best, "se"])


def test_too_short_a_period_falls_back_to_counting(grid):
    points = pattern("smooth", seed=2, years=1)
    x, y = xy(points)
    choice = choose_bandwidth(x, y, points["time"].to_numpy(), grid, start=dt.date(2021, 1, 1),
                              end=dt.date(2021, 5, 1), area_share=0.05)
    assert len(choice.folds) < 2 and choice.bandwidth == grid.cell and np.isnan(choice.se)


def test_concentration_curve_grows_with_the_area_and_meets_the_chosen_share(grid):
    result = evaluate(pattern("smooth", seed=4), split="2023-01-01", grid=grid, bandwidth="auto")
    curve = result.curve.set_index("anteil")
    assert list(curve.index) == [round(0.01 * i, 2) for i in range(1, 21)]
    for method, acc in result.results.items():
        assert (np.diff(curve[method].to_numpy()) >= -1e-12).all()
        assert curve.loc[0.05, method] == pytest.approx(acc.hit_rate)


def test_rolling_blocks_are_the_quarters_of_the_test_year_each_learnt_from_all_before(grid):
    points = pattern("micro", seed=5)
    result = evaluate(points, split="2023-01-01", grid=grid, bandwidth=750.0)
    assert list(result.rolling["von"].astype(str)) == ["2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"]
    second = result.rolling.iloc[1]
    alone = evaluate(points, split="2023-04-01", end="2023-06-30", grid=grid, bandwidth=750.0)
    assert second["n_test"] == alone.n_test
    for method in ("grid", "kde", "gi"):
        assert second[method] == pytest.approx(alone.results[method].hit_rate)
