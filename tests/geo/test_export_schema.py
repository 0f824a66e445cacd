"""The result files are contracts (README, "Ausgaben"): their columns, types and metadata keys are
pinned here, so that a change is a deliberate one. CSV is for spreadsheets (rounded, German
numbers); GeoPackage and GeoJSON are for machines (full float precision, EPSG:25833)."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.__main__ import main
from geo.analysis import analyse
from geo.export import ROUNDED_COLUMNS, result_bytes
from geo.incidents.demo import demo_csv, demo_points
from geo.view import View

FREIBERG = "14522180"
CELL_COLUMNS = {"zelle": "object", "lage": "object", "vorfaelle": "int64"}
#: The attribute columns of each method's result, with the type a GeoPackage reader gets.
SCHEMAS = {
    "rates": {"ags": "object", "gebiet": "object", "einwohner": "int64", "vorfaelle": "int64",
              "rate_je_1000": "float64", "rate_geglaettet": "float64", "rate_90_unten": "float64",
              "rate_90_oben": "float64", "verhaeltnis_sachsen": "float64",
              "verhaeltnis_sachsen_geglaettet": "float64", "ohne_angabe": "bool",
              "zusammengefasst": "object"},
    "kde": {**CELL_COLUMNS, "dichte_je_km2": "float64", "ohne_angabe": "bool"},
    "gi": {**CELL_COLUMNS, "gi_z": "float64", "gi_p": "float64", "gi_p_fdr": "float64", "gi_stufe": "int16",
           "gi_klasse": "object", "vorfaelle_nachbarschaft": "int64", "ohne_angabe": "bool",
           "hinweis_meldungen": "object"},
    "lisa": {**CELL_COLUMNS, "lisa_i": "float64", "lisa_z": "float64", "lisa_p": "float64",
             "lisa_p_fdr": "float64", "lisa_klasse": "object", "vorfaelle_nachbarschaft": "int64",
             "ohne_angabe": "bool", "hinweis_meldungen": "object"},
}
READER_KEYS = ["Methode", "Gebiet", "Kategorien", "Zeitraum", "Vorfälle", "Mindestanzahl", "Datenquelle"]
MACHINE_KEYS = {
    "rates": ["methode", "gebiet", "kategorien", "von", "bis", "vorfaelle", "mindestzahl", "ebene",
              "rate_sachsen_je_1000"],
    "kde": ["methode", "gebiet", "kategorien", "von", "bis", "vorfaelle", "mindestzahl", "zellgroesse_m",
            "radius_zellen", "bandbreite_m", "bandbreite_regel", "bandbreite_trefferquote", "teilung",
            "flaechenanteil"],
    "gi": ["methode", "gebiet", "kategorien", "von", "bis", "vorfaelle", "mindestzahl", "zellgroesse_m",
           "radius_zellen", "teilung", "flaechenanteil"],
}
MACHINE_KEYS["lisa"] = [*MACHINE_KEYS["gi"][:9], "inferenz", *MACHINE_KEYS["gi"][9:]]


@pytest.fixture(scope="module")
def points():
    return demo_points()


@pytest.fixture(scope="module", params=list(SCHEMAS))
def analysis(request, points):
    view = View(area=FREIBERG, method=request.param, categories=("graffiti", "littering"))
    return analyse(points, view, source="Demodaten (synthetisch)", demo=True)


def test_gpkg_columns_and_types_are_the_documented_ones(analysis, tmp_path):
    path = tmp_path / "ergebnis.gpkg"
    path.write_bytes(result_bytes(analysis.export_table(), analysis.metadata(), "gpkg"))
    info = pyogrio.read_info(path, layer="ergebnis")
    assert dict(zip(info["fields"], info["dtypes"], strict=True)) == SCHEMAS[analysis.view.method]
    assert info["crs"] == "EPSG:25833"
    meta = pyogrio.read_dataframe(path, layer="metadaten")
    keys = list(meta["schluessel"])
    assert keys[:len(READER_KEYS)] == READER_KEYS
    assert [k for k in keys if k.islower()] == MACHINE_KEYS[analysis.view.method]


def test_csv_header_has_the_same_names_in_the_same_order(analysis):
    text = result_bytes(analysis.export_table(), analysis.metadata(), "csv").decode("utf-8-sig")
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.split(";") == list(SCHEMAS[analysis.view.method])


def test_gpkg_and_geojson_keep_every_digit_while_the_csv_rounds(analysis, tmp_path):
    table = analysis.export_table()
    floats = [c for c, kind in SCHEMAS[analysis.view.method].items() if kind == "float64"]
    for fmt in ("gpkg", "geojson"):
        path = tmp_path / f"ergebnis.{fmt}"
        path.write_bytes(result_bytes(table, analysis.metadata(), fmt))
        back = gpd.read_file(path, layer="ergebnis") if fmt == "gpkg" else gpd.read_file(path)
        assert back.crs == "EPSG:25833"
        for column in floats:
            assert np.array_equal(back[column].to_numpy(), table[column].to_numpy(), equal_nan=True), column
    csv = pd.read_csv(pd.io.common.BytesIO(result_bytes(table, analysis.metadata(), "csv")), sep=";",
                      decimal=",", comment="#", encoding="utf-8-sig")
    shortened = [c for c in floats if c in ROUNDED_COLUMNS]  # p-values keep their digits
    values = csv[shortened].to_numpy(dtype=float)
    assert np.array_equal(values, np.round(values, 4), equal_nan=True)
    # the unrounded figures do have more digits (so the pin above is not empty)
    assert not np.array_equal(table[shortened].to_numpy(dtype=float), values, equal_nan=True)


def test_geojson_carries_the_metadata_beside_the_features(analysis):
    collection = json.loads(result_bytes(analysis.export_table(), analysis.metadata(), "geojson"))
    assert collection["metadaten"]["methode"] == analysis.view.method
    assert collection["metadaten"]["Gebiet"] == f"Freiberg ({FREIBERG})"
    assert list(collection["features"][0]["properties"]) == list(SCHEMAS[analysis.view.method])


def test_cli_geojson_is_the_apps_result_to_the_last_digit(points, tmp_path):
    csv = demo_csv(tmp_path / "demo.csv")
    out = tmp_path / "gi.geojson"
    assert main(["hotspots", "--incidents", str(csv), "--category", "graffiti,littering", "--method", "gi",
                 "--area", FREIBERG, "--out", str(out)]) == 0
    cli = gpd.read_file(out).set_index("zelle")
    app = analyse(points, View(area=FREIBERG, method="gi", categories=("graffiti", "littering")))
    cells = app.export_table().set_index("zelle").loc[cli.index]
    assert list(cli.columns.drop("geometry")) == list(SCHEMAS["gi"])[1:]
    assert np.array_equal(cli["gi_z"].to_numpy(), cells["gi_z"].to_numpy(), equal_nan=True)
    assert cli["gi_z"].notna().sum() > 50  # figures of the cells that pass, to the last digit
    assert (cli["gi_klasse"] == cells["gi_klasse"]).all()  # the same privacy threshold blanks the same cells
    assert cli["ohne_angabe"].any()
    assert json.loads(out.read_text(encoding="utf-8"))["metadaten"]["mindestzahl"] == "3"
