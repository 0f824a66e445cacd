"""Exports: spreadsheet-safe German CSV and GeoPackage, both with metadata."""

import csv
import io

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from geo.boundaries import load_gemeinden
from geo.export import neutralise, to_csv_bytes, to_gpkg_bytes

METADATA = {"Methode": "Gi*", "Zeitraum": "2024-01-01..2024-12-31", "Quelle": "Demodaten (synthetisch)"}


@pytest.mark.parametrize("text", ["=1+1", "+49 351", "-2+3", "@SUM(A1)", "\tx"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(("text", "cell"), [("\rx", " x"), ("\r=1+1", "' =1+1"), ("a\nb", "a b"),
                                            ("Daten\r\n=3*14", "Daten =3*14")])
def test_a_value_never_breaks_a_line(text, cell):
    assert neutralise(text) == cell


def test_metadata_lines_are_quoted_and_neutralised_like_cells():
    text = to_csv_bytes(pd.DataFrame({"a": [1]}), {"Datenquelle": "Daten;=2*21", "Titel": "x\n=3*14",
                                                   "=Formel": "=1"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[:3] == [["# Datenquelle", "Daten;=2*21"], ["# Titel", "x =3*14"], ["# '=Formel", "'=1"]]
    assert [r[0] for r in rows[3:]] == ["a", "1"]


@pytest.mark.parametrize("value", ["Freiberg", "Graffiti; Sachbeschädigung", 3, -2.5, None])
def test_ordinary_values_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_is_german_spreadsheet_csv_with_metadata_and_no_formulas():
    gem = load_gemeinden().head(2)
    frame = pd.DataFrame({
        "ags": gem["ags"], "name": ["=HYPERLINK(\"http://x\")", gem["name"].iloc[1]], "rate": [1.25, -0.5]})
    data = to_csv_bytes(frame, METADATA)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[:3] == [
        "# Methode;Gi*", "# Zeitraum;2024-01-01..2024-12-31", "# Quelle;Demodaten (synthetisch)"]
    assert lines[3] == "ags;name;rate"
    assert lines[4] == '14511000;"\'=HYPERLINK(""http://x"")";1,25'
    assert lines[5].endswith(";-0,5")  # numbers stay numbers


def test_gpkg_has_result_layer_in_utm33_and_metadata_table(tmp_path):
    cells = gpd.GeoDataFrame(
        {"cell_id": ["250_1530_22568"], "count": [4], "gi_class": ["Hotspot 99 %"]},
        geometry=[box(382_500, 5_642_000, 382_750, 5_642_250)], crs="EPSG:25833")
    path = tmp_path / "out.gpkg"
    path.write_bytes(to_gpkg_bytes(cells, METADATA))
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"ergebnis", "metadaten"}
    back = gpd.read_file(path, layer="ergebnis")
    assert back.crs == "EPSG:25833" and back["count"].tolist() == [4]
    meta = pyogrio.read_dataframe(path, layer="metadaten")
    assert dict(zip(meta["schluessel"], meta["wert"], strict=True)) == METADATA
