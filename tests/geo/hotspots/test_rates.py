"""Rates per Gemeinde/Kreis: counts, empirical Bayes (= esda), suppression, pooling, aggregates."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes
from scipy import stats

from geo.crs import METRIC_CRS
from geo.errors import AtlasError, CRSError
from geo.hotspots.rates import (
    aggregate_rates,
    area_rates,
    count_points,
    eb_prior,
    empirical_bayes,
)
from tests.geo.hotspots.constructed import incident_points


def test_counts_and_crude_rates_per_gemeinde(demo):
    rates = area_rates(demo, categories="violence", min_count=1)
    assert len(rates) == 418 and rates.crs == METRIC_CRS
    leipzig = rates.set_index("ags").loc["14713000"]
    n = int(((demo["category"] == "violence") & (demo["ags"] == "14713000")).sum())
    assert leipzig["count"] == n
    assert leipzig["rate"] == pytest.approx(n / leipzig["einwohner"] * 1000, rel=1e-12)
    total = int((demo["category"] == "violence").sum())
    assert rates.attrs["saxony_rate"] == pytest.approx(total / rates["einwohner"].sum() * 1000)
    assert leipzig["ratio"] == pytest.approx(leipzig["rate"] / rates.attrs["saxony_rate"])


def test_smoothed_rates_equal_esda_empirical_bayes(demo):
    counts = count_points(demo[demo["category"] == "graffiti"]).to_numpy().astype(float)
    rates = area_rates(demo, categories="graffiti", min_count=1)
    pop = rates["einwohner"].to_numpy().astype(float)
    ref = Empirical_Bayes(counts.reshape(-1, 1), pop.reshape(-1, 1)).r.ravel() * 1000
    shown = ~rates["suppressed"].to_numpy()
    np.testing.assert_allclose(rates["rate_smoothed"].to_numpy(float)[shown], ref[shown], rtol=1e-12)


def test_small_towns_do_not_top_the_smoothed_list(demo):
    rates = area_rates(demo, categories="violence", min_count=1).dropna(subset=["rate"])
    top_crude = rates.nlargest(10, "rate")["einwohner"].median()
    top_smoothed = rates.nlargest(10, "rate_smoothed")["einwohner"].median()
    assert top_crude < 5_000 < top_smoothed
    inside = (rates["rate_low"] <= rates["rate_smoothed"]) & (rates["rate_smoothed"] <= rates["rate_high"])
    assert inside.all()


def test_interval_is_the_gamma_posterior():
    smoothed, low, high, b = empirical_bayes(np.array([0, 5, 50, 500]), np.array([1000, 5000, 20000, 100000]))
    assert b == pytest.approx(555 / 126000)
    assert (low < smoothed).all() and (smoothed < high).all()
    # The biggest area has the narrowest interval relative to its rate.
    width = (high - low) / smoothed
    assert width.argmin() == 3


def test_counts_below_the_minimum_are_suppressed_not_shown(demo):
    rates = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31")
    suppressed = rates[rates["suppressed"]]
    assert len(suppressed) > 100
    assert suppressed[["count", "rate", "rate_smoothed", "rate_low", "rate_high", "ratio"]].isna().all().all()
    shown = rates[~rates["suppressed"]]
    assert (shown["count"] >= 3).all()


def test_pooling_by_verband_lifts_members_and_says_so(demo):
    plain = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31")
    pooled = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31", pool="verband")
    lifted = pooled[plain["suppressed"] & ~pooled["suppressed"]]
    assert len(lifted) > 0
    assert lifted["pooled"].str.contains("zusammengefasst").all()
    assert (lifted["count"] >= 3).all()
    # Pooled areas get a smoothed rate with interval too (same prior), so the map can colour them.
    assert lifted[["rate_smoothed", "rate_low", "rate_high", "ratio_smoothed"]].notna().all().all()
    assert (lifted["rate_low"] <= lifted["rate_smoothed"]).all()
    assert (lifted["rate_smoothed"] <= lifted["rate_high"]).all()
    assert (pooled.loc[~plain["suppressed"], "pooled"] == "").all()


def test_pooling_years_extends_the_period_backwards(demo):
    year = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31")
    pooled = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31", pool="years")
    assert pooled["suppressed"].sum() < year["suppressed"].sum()
    row = pooled[pooled["pooled"].str.startswith("2 Zeiträume")].iloc[0]
    sel = demo[(demo["category"] == "extremism") & (demo["ags"] == row["ags"])
               & (demo["time"] >= pd.Timestamp("2023-01-01"))]
    assert row["count"] == len(sel)
    assert row["rate"] == pytest.approx(len(sel) / 2 / row["einwohner"] * 1000)
    assert np.isfinite(row["rate_smoothed"])


def test_kreis_level_sums_gemeinden(demo):
    rates = area_rates(demo, level="kreis")
    assert len(rates) == 13
    assert rates["count"].sum() == 20_000
    assert rates.set_index("ags").loc["14713", "name"] == "Leipzig, Stadt"


def test_rates_from_aggregated_tables():
    table = pd.DataFrame({
        "area_key": ["14522180", "14522180", "14612000", "14628310"],
        "level": "gemeinde", "category": ["graffiti", "violence", "graffiti", "graffiti"],
        "period_start": [dt.date(2023, 1, 1)] * 4, "period_end": [dt.date(2023, 12, 31)] * 4,
        "count": [40, 7, 900, 2]})
    rates = aggregate_rates(table, categories="graffiti", start="2023-01-01", end="2023-12-31")
    by = rates.set_index("ags")
    assert by.loc["14522180", "count"] == 40
    assert by.loc["14612000", "count"] == 900
    assert by.loc["14628310", "suppressed"]
    kreise = aggregate_rates(table, level="kreis", categories="graffiti")
    assert kreise.set_index("ags").loc["14522", "count"] == 40
    with pytest.raises(AtlasError, match="keine aggregierten Zahlen"):
        aggregate_rates(table, start="2024-01-01")


def test_wrong_crs_and_bad_options_are_german_errors(demo):
    with pytest.raises(CRSError, match="erwartet wird EPSG:25833"):
        area_rates(demo.to_crs("EPSG:4326"))
    with pytest.raises(AtlasError, match="Unbekannte Zusammenfassung"):
        area_rates(demo, pool="monate")
    with pytest.raises(AtlasError, match="vor seinem Beginn"):
        area_rates(demo, start="2024-01-01", end="2023-01-01")


def test_no_incidents_give_zero_counts_all_suppressed(demo):
    rates = area_rates(demo.iloc[:0])
    assert rates["suppressed"].all() and rates.attrs["saxony_rate"] == 0


def test_pooling_years_counts_time_at_risk_only_from_the_data_start():
    freiberg, leipzig = "14522180", "14713000"
    rows = [("graffiti", "2021-01-01 10:00", leipzig),   # the first incident of the data
            ("graffiti", "2021-03-15", freiberg),          # before the view, after the data start
            ("graffiti", "2021-09-01", freiberg), ("graffiti", "2022-03-01", freiberg),
            *[("graffiti", f"2021-{m:02d}-10", leipzig) for m in range(7, 13)]]
    pooled = area_rates(incident_points(rows), start="2021-07-01", end="2022-06-30", pool="years")
    row = pooled.set_index("ags").loc[freiberg]
    assert row["count"] == 3 and not row["suppressed"]
    # One year before the view would start on 01.07.2020; the data cover 01.01.2021–30.06.2022.
    covered = (dt.date(2022, 6, 30) - dt.date(2021, 1, 1)).days + 1
    length = (dt.date(2022, 6, 30) - dt.date(2021, 7, 1)).days + 1
    assert row["rate"] == pytest.approx(3 / (row["einwohner"] * covered / length) * 1000, rel=1e-9)
    assert "01.01.2021" in row["pooled"] and "Datenbeginn" in row["pooled"]


def test_interval_without_between_area_variance_is_the_exact_poisson_interval():
    # Crude rates vary less than Poisson chance: Marshall's a is 0, the prior has no spread.
    for counts, pop in [(np.array([2, 4, 6, 8]), np.array([1000.0, 2000.0, 3000.0, 4000.0])),
                        (np.array([0, 1, 1]), np.array([1000.0, 1000.0, 1000.0]))]:
        assert eb_prior(counts, pop) == (pytest.approx(counts.sum() / pop.sum()), 0.0)
        smoothed, low, high, b = empirical_bayes(counts, pop, level=0.90)
        garwood_low = np.where(counts > 0, stats.chi2.ppf(0.05, 2 * np.maximum(counts, 1)) / 2, 0.0) / pop
        garwood_high = stats.chi2.ppf(0.95, 2 * counts + 2) / 2 / pop
        np.testing.assert_allclose(smoothed, b, rtol=1e-12)
        np.testing.assert_allclose(low, garwood_low, rtol=1e-10, atol=0)
        np.testing.assert_allclose(high, garwood_high, rtol=1e-10)
        assert (high - low > 0).all()
