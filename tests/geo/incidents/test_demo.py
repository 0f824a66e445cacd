"""Synthetic demo data: deterministic, plausible, and readable as a police export."""

import numpy as np
import pytest

from geo.boundaries import load_gemeinden
from geo.crs import METRIC_CRS
from geo.incidents import CATEGORIES, read_incidents
from geo.incidents.demo import DEFAULT_N, demo_csv, demo_points


@pytest.fixture(scope="module")
def demo():
    return demo_points()


def test_default_size_columns_and_crs(demo):
    assert DEFAULT_N == 20_000
    assert len(demo) == DEFAULT_N
    assert list(demo.columns) == ["category", "time", "ags", "geometry"]
    assert demo.crs == METRIC_CRS
    assert str(demo["time"].dtype) == "datetime64[s]"
    assert demo["time"].is_monotonic_increasing


def test_same_seed_same_data_other_seed_other_data(demo):
    assert demo.equals(demo_points())
    other = demo_points(seed=1)
    assert not np.array_equal(other.geometry.x.to_numpy(), demo.geometry.x.to_numpy())


def test_all_six_categories_several_years(demo):
    assert set(demo["category"]) == set(CATEGORIES)
    assert sorted(demo["time"].dt.year.unique()) == [2021, 2022, 2023, 2024]
    shares = demo["category"].value_counts(normalize=True)
    assert shares["graffiti"] > shares["littering"] > shares["violence"] > shares["extremism"]


def test_every_point_inside_its_gemeinde(demo):
    gemeinden = load_gemeinden().set_index("ags")
    geometry = gemeinden.geometry.reindex(demo["ags"]).values
    assert demo["ags"].notna().all()
    assert bool(np.all(geometry.intersects(demo.geometry.values)))


def test_population_weighted_big_cities_lead(demo):
    per_gemeinde = demo["ags"].value_counts()
    assert per_gemeinde.index[:3].tolist() == [
        "14713000",
        "14612000",
        "14511000",
    ]  # Leipzig, Dresden, Chemnitz
    assert per_gemeinde.size > 350  # spread over nearly all 418 Gemeinden


def test_violence_peaks_on_weekend_nights_littering_in_summer(demo):
    violence = demo[demo["category"] == "violence"]["time"]
    weekend_night = violence.dt.day_of_week.isin([4, 5]) & ((violence.dt.hour >= 20) | (violence.dt.hour < 4))
    assert weekend_night.mean() > 0.2
    littering = demo[demo["category"] == "littering"]["time"].dt.month
    assert littering.isin([6, 7, 8]).sum() > 2 * littering.isin([12, 1, 2]).sum()


def test_demo_csv_reads_back_exactly(tmp_path):
    path = demo_csv(tmp_path / "demo.csv", n=3_000, seed=4)
    raw = path.read_bytes()
    lines = raw.decode("cp1252").split("\r\n")  # German export encoding and line ends
    assert (
        lines[0]
        == "Demodaten (synthetisch) – Präventionsatlas Sachsen, Startwert 4, 3000 Vorfälle, nicht real"
    )
    assert lines[1] == "Vorgangsnummer;Tatzeit;Delikt;Gemeinde;Rechtswert;Hochwert"
    result = read_incidents(path)
    assert (result.report.rows, result.report.accepted, result.report.demo) == (3_000, 3_000, True)
    assert "Demodaten (synthetisch)" in result.report.to_text().splitlines()[0]
    expected = demo_points(n=3_000, seed=4)
    assert result.points["category"].tolist() == expected["category"].tolist()
    assert result.points["time"].tolist() == expected["time"].tolist()
    assert result.points["ags"].tolist() == expected["ags"].tolist()
    assert np.array_equal(result.points.geometry.x.to_numpy(), expected.geometry.x.to_numpy())
