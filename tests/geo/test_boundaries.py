"""The shipped Saxony boundaries and population, checked against the published facts."""

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo import boundaries
from geo.__main__ import main
from geo.crs import METRIC_CRS
from geo.errors import UnknownAreaError
from geo.sources import BOUNDARIES_GPKG


@pytest.fixture(scope="module")
def gemeinden():
    return boundaries.load_gemeinden()


def test_418_gemeinden_with_unique_8_digit_saxon_ags(gemeinden):
    assert len(gemeinden) == 418
    assert gemeinden["ags"].is_unique
    assert gemeinden["ags"].str.fullmatch(r"14\d{6}").all()
    assert gemeinden.crs == METRIC_CRS


def test_13_kreise_of_which_3_kreisfreie_staedte():
    kreise = boundaries.load_kreise()
    assert len(kreise) == 13
    assert (kreise["kreis_typ"] == "Kreisfreie Stadt").sum() == 3
    assert set(kreise.loc[kreise["kreis_typ"] == "Kreisfreie Stadt", "kreis_ags"]) == {
        "14511", "14612", "14713"}


def test_population_sums_to_saxony_and_to_each_kreis(gemeinden):
    assert gemeinden["einwohner"].sum() == 4_086_152
    assert boundaries.load_land()["einwohner"].iloc[0] == 4_086_152
    per_kreis = gemeinden.groupby("kreis_ags")["einwohner"].sum()
    kreise = boundaries.load_kreise().set_index("kreis_ags")["einwohner"]
    assert per_kreis.sort_index().tolist() == kreise.sort_index().tolist()


def test_freiberg_is_14522180_in_mittelsachsen():
    row = boundaries.gemeinde("14522180")
    assert row["name"] == "Freiberg"
    assert row["kreis_name"] == "Mittelsachsen"
    assert row["kreis_ags"] == "14522"


def test_all_geometries_valid_and_union_matches_land_within_0_1_percent(gemeinden):
    assert gemeinden.is_valid.all()
    union_area = shapely.union_all(gemeinden.geometry.values).area
    land_area = boundaries.load_land().to_crs(METRIC_CRS).area.iloc[0]
    assert abs(union_area / land_area - 1) < 0.001
    assert land_area / 1e6 == pytest.approx(18_441.5, abs=1)


def test_cleaned_coverage_is_edge_matched_and_keeps_every_area(gemeinden):
    raw = gpd.read_file(BOUNDARIES_GPKG, layer="gemeinden").to_crs(METRIC_CRS).sort_values("ags")
    assert not shapely.coverage_is_valid(raw.geometry.values)  # why we clean
    assert shapely.coverage_is_valid(gemeinden.geometry.values)
    change = abs(gemeinden.area.to_numpy() - raw.area.to_numpy())
    assert change.max() < 1.0  # square metres


@pytest.mark.parametrize(
    ("lon", "lat", "ags"),
    [
        (13.3426, 50.9195, "14522180"),  # Freiberg, Obermarkt
        (12.3731, 51.3397, "14713000"),  # Leipzig, Markt
        (13.7416, 51.0519, "14612000"),  # Dresden, Frauenkirche
        (12.9214, 50.8322, "14511000"),  # Chemnitz, Markt
        (14.9872, 51.1526, "14626110"),  # Görlitz, Obermarkt
    ],
)
def test_town_centres_fall_in_their_gemeinde(gemeinden, lon, lat, ags):
    point = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    hits = gemeinden[gemeinden.contains(point)]
    assert hits["ags"].tolist() == [ags]


def test_names_are_ambiguous_so_search_returns_all_matches():
    hits = boundaries.find_gemeinden("  bernsdorf ")
    assert sorted(hits["kreis_name"]) == ["Bautzen", "Zwickau"]
    assert boundaries.find_gemeinden("Freiberg, Stadt, Universitätsstadt")["ags"].tolist() == ["14522180"]


def test_labels_disambiguate_only_duplicate_names():
    labels = boundaries.gemeinde_labels()
    assert len(labels) == 418
    assert len(set(labels.values())) == 418
    assert labels["14625030"] == "Bernsdorf (Bautzen)"
    assert labels["14524010"] == "Bernsdorf (Zwickau)"
    assert labels["14522180"] == "Freiberg"


def test_kreis_labels_keep_city_and_landkreis_leipzig_apart():
    labels = boundaries.kreis_labels()
    assert labels["14713"] == "Leipzig, Stadt"
    assert labels["14729"] == "Leipzig"


@pytest.mark.parametrize(
    ("key", "kind", "name", "einwohner"),
    [
        ("14", "land", "Sachsen", 4_086_152),
        ("14522", "kreis", "Mittelsachsen", None),
        ("14522180", "gemeinde", "Freiberg", 40_485),
    ],
)
def test_area_resolves_land_kreis_and_gemeinde(key, kind, name, einwohner):
    area = boundaries.area(key)
    assert (area.kind, area.name) == (kind, name)
    if einwohner is not None:
        assert area.einwohner == einwohner
    assert area.geometry.is_valid and area.geometry.area > 0


@pytest.mark.parametrize("key", ["14999999", "99", "1452", "abc"])
def test_unknown_keys_raise_a_german_message(key):
    with pytest.raises(UnknownAreaError) as err:
        boundaries.area(key)
    assert key in str(err.value)
    assert "schlüssel" in str(err.value).lower()


def test_a_key_or_name_from_before_a_merger_says_where_the_gemeinde_went(capsys):
    with pytest.raises(UnknownAreaError) as err:
        boundaries.area("14729230")
    assert "Kohren-Sahlis (14729230) gehört seit einer Gemeindefusion zu Frohburg (14729140)." \
        in str(err.value)

    assert main(["gebiet", "bad schlema"]) == 2
    assert "Bad Schlema (14521050) gehört seit einer Gemeindefusion zu Aue-Bad Schlema (14521035)." \
        in capsys.readouterr().out
    assert boundaries.merger_note("Freiberg") is None and boundaries.merger_note("14522180") is None


def test_callers_get_a_fresh_frame_each_time():
    first = boundaries.load_gemeinden()
    first.loc[0, "einwohner"] = -1
    assert boundaries.load_gemeinden().loc[0, "einwohner"] > 0
