"""Predictive accuracy: hand-computed hit rate, PAI, PEI, RRI; fair ties; plain verdicts."""

import numpy as np
import pytest

from geo.errors import AtlasError
from geo.hotspots.evaluate import accuracy, evaluate, selection_weights


def test_hand_computed_case():
    # 10 cells, top 20 % = 2 cells. Period A picks cells 0 and 1.
    train = np.array([5, 3, 1, 0, 0, 0, 1, 0, 0, 0])
    test = np.array([4, 0, 2, 0, 3, 0, 0, 1, 0, 0])  # N_B = 10
    result = accuracy(train.astype(float), train, test, k=2)
    assert result.hit_rate == pytest.approx(0.4)  # 4 of 10
    assert result.pai == pytest.approx(0.4 / 0.2)  # 2.0
    assert result.pei == pytest.approx(0.4 / 0.7)  # best 2 cells of B: 4 + 3
    # RRI = (n_B / n_A) / (N_B / N_A) = (4 / 8) / (10 / 10)
    assert result.rri == pytest.approx(0.5)


def test_ties_at_the_threshold_share_the_remaining_places():
    weights = selection_weights(np.array([3.0, 1.0, 1.0, 1.0, 0.0]), 2)
    np.testing.assert_allclose(weights, [1, 1 / 3, 1 / 3, 1 / 3, 0])
    assert weights.sum() == pytest.approx(2)


def test_evaluate_on_leipzig_reports_all_methods_and_says_whether_they_beat_the_baseline(demo):
    result = evaluate(demo, split="2024-01-01", area="14713000", categories=["graffiti", "littering"])
    assert set(result.results) == {"grid", "kde", "gi"}
    assert result.area_share == pytest.approx(0.05, abs=1e-3)
    sel = demo[demo["category"].isin(["graffiti", "littering"])]
    assert result.n_train + result.n_test <= len(sel[sel["ags"] == "14713000"]) + 50
    # The verdict reads the range over the rolling quarters of 2024, not the single split.
    assert list(result.rolling["von"].astype(str)) == ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"]
    low, high = result.rolling["grid"].min(), result.rolling["grid"].max()
    for method in ("kde", "gi"):
        verdict, own = result.verdicts[method], result.rolling[method]
        if own.min() > high:
            assert "trifft besser" in verdict
        elif own.max() < low:
            assert "NICHT besser" in verdict
        else:
            assert "nicht unterscheidbar" in verdict
    d = result.as_dict()
    assert {"area_share", "n_train", "n_test", "results"} <= set(d)
    assert set(d["results"]["grid"]) == {"hit_rate", "pai", "pei", "rri"}
    for acc in result.results.values():
        assert acc.pai == pytest.approx(acc.hit_rate / result.area_share)
        assert 0 < acc.pei <= 1


def test_no_incidents_in_a_period_is_a_clear_message(demo):
    with pytest.raises(AtlasError, match=r"vor dem Stichtag 01\.01\.2019 keine Vorfälle"):
        evaluate(demo, split="2019-01-01", area="14522180")
    with pytest.raises(AtlasError, match="Flächenanteil 0,9 ist nicht möglich"):
        evaluate(demo, split="2024-01-01", area="14522180", area_share=0.9)
