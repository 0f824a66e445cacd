"""Importing survey results: Angsträume and per-area shares, with German CSV quirks and row errors."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from scipy import stats

from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from geo.survey.angstraeume import load_angstraeume
from geo.survey.shares import load_shares, per_gemeinde, wilson_interval

SURVEY = Path(__file__).resolve().parents[2] / "data" / "survey"


def test_angstraeume_csv_cp1252_semicolon_decimal_comma_points_and_a_line():
    places = load_angstraeume(SURVEY / "angstraeume_freiberg.csv")
    assert places.crs == METRIC_CRS
    assert list(places["name"]) == ["Bahnhofsvorplatz Freiberg", "Albertpark", "Obermarkt",
                                    "Wernerplatz–Petriplatz (Fußweg)", "Unterführung Chemnitzer Straße",
                                    "Schloßplatz"]
    assert list(places["nennungen"]) == [23, 12, 7, 5, 4, 2]
    assert set(places["ags"]) == {"14522180"}
    assert list(places["art"]) == ["punkt", "punkt", "punkt", "linie", "punkt", "punkt"]
    bahnhof = places.geometry.iloc[0]
    expected = gpd.GeoSeries.from_xy([13.3329], [50.9097], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    assert bahnhof.distance(expected) < 0.01


def test_angstraeume_errors_name_file_row_and_column_all_at_once():
    with pytest.raises(InputFileError) as err:
        load_angstraeume(SURVEY / "angstraeume_fehler.csv")
    assert str(err.value).splitlines() == [
        "angstraeume_fehler.csv: 5 Fehler.",
        "Zeile 3: Spalte 'name' ist leer.",
        "Zeile 3: Spalte 'nennungen' enthält 'zwei', erwartet eine ganze Zahl ab 1.",
        "Zeile 4: Spalte 'kategorie' ist leer.",
        "Zeile 4: die Lage liegt nicht in Sachsen (weder Länge/Breite noch EPSG:25833). x und y vertauscht?",
        "Zeile 5: die Lage liegt nicht in Sachsen (weder Länge/Breite noch EPSG:25833).",
    ]


def test_angstraeume_from_geojson_upload(tmp_path):
    places = load_angstraeume(SURVEY / "angstraeume_freiberg.csv")
    raw = places.to_crs("EPSG:4326").to_json().encode()
    again = load_angstraeume(raw, name="angstraeume.geojson")
    assert list(again["name"]) == list(places["name"])
    assert np.allclose(again.geometry.iloc[0].coords[0], places.geometry.iloc[0].coords[0], atol=0.01)


def test_angstraum_with_ags_of_another_gemeinde_is_rejected():
    raw = "name;kategorie;nennungen;x;y;ags\nMarkt;Graffiti;3;382900;5641500;14511000\n".encode("cp1252")
    with pytest.raises(InputFileError, match=r"Zeile 2: Spalte 'ags' enthält '14511000', die Lage liegt aber "
                                             r"in 14522180"):
        load_angstraeume(raw, name="a.csv")


def test_shares_bom_percent_signs_and_ortsteile():
    shares = load_shares(SURVEY / "anteile_unsicher.csv")
    assert list(shares["ags"]) == ["14511000", "14521170", "14522150", "14522180", "14522180", "14522180"]
    altstadt = shares.iloc[3]
    assert (altstadt["gebiet"], altstadt["n"], altstadt["unsicher"]) == ("Freiberg Altstadt", 130, 50)
    assert altstadt["anteil"] == pytest.approx(50 / 130)
    assert list(shares["zu_klein"]) == [False, True, False, False, False, False]
    freiberg = per_gemeinde(shares).set_index("ags").loc["14522180"]
    assert (freiberg["n"], freiberg["unsicher"]) == (338, 50 + 36 + 9)


def test_a_key_from_before_a_merger_says_where_the_gemeinde_went(tmp_path):
    path = tmp_path / "anteile_2018.csv"
    path.write_text("ags;gemeinde;n;unsicher\n14521030;Aue;120;30\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_shares(path)
    assert ("Zeile 2: Spalte 'ags' enthält '14521030', das ist kein Amtlicher Gemeindeschlüssel einer "
            "sächsischen Gemeinde. Aue (14521030) gehört seit einer Gemeindefusion zu Aue-Bad Schlema "
            "(14521035).") in str(err.value)


def test_share_errors_are_collected():
    with pytest.raises(InputFileError) as err:
        load_shares(SURVEY / "anteile_fehler.csv")
    assert str(err.value).splitlines() == [
        "anteile_fehler.csv: 4 Fehler.",
        "Zeile 2: Spalte 'unsicher' enthält '55', erwartet eine ganze Zahl von 0 bis 50.",
        "Zeile 3: Spalte 'ags' enthält '14522181', das ist kein Amtlicher Gemeindeschlüssel einer "
        "sächsischen Gemeinde.",
        "Zeile 4: Spalte 'n' enthält '0', erwartet die Zahl der Befragten (ganze Zahl ab 1).",
        "Zeile 5: das Gebiet steht schon in Zeile 4.",
    ]


def test_shares_as_fractions_are_not_mistaken_for_percent():
    raw = b"ags;anteil;n\n14522180;0,25;200\n14511000;0,5;100\n"
    shares = load_shares(raw, name="x.csv")
    assert list(shares["unsicher"]) == [50, 50]


def test_missing_share_column_is_named():
    with pytest.raises(InputFileError, match=r"Spalte 'anteil_unsicher' .* oder 'unsicher' .* fehlt"):
        load_shares(b"ags;n\n14522180;200\n", name="x.csv")


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 12), (50, 130), (112, 411), (20, 20), (1, 1)])
def test_wilson_interval_matches_scipy(k, n):
    low, high = wilson_interval(k, n)
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert (float(low), float(high)) == pytest.approx((ref.low, ref.high), abs=1e-12)
