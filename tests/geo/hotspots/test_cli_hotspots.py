"""``python -m geo hotspots`` and ``evaluate`` end to end on the store and on a file."""

import json

import geopandas as gpd
import pandas as pd
import pytest

from geo.__main__ import main
from geo.incidents.demo import demo_csv
from geo.store import IncidentStore


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    csv = demo_csv(root / "demo.csv", n=8_000)
    IncidentStore(root / "store").import_file(csv)
    return root


def test_rates_per_gemeinde_to_gpkg(files, capsys):
    out = files / "rates.gpkg"
    code = main(["hotspots", "--store", str(files / "store"), "--category", "graffiti,littering",
                 "--method", "rates", "--out", str(out)])
    assert code == 0
    frame = gpd.read_file(out, layer="ergebnis")
    assert len(frame) == 418
    assert {"ags", "gebiet", "einwohner", "vorfaelle", "rate_je_1000", "rate_geglaettet",
            "ohne_angabe"} <= set(frame.columns)
    assert frame["vorfaelle"].sum() <= 8_000
    assert "418 Gebiete" in capsys.readouterr().out


def test_rates_for_one_kreis_keep_its_gemeinden_only(files):
    out = files / "mittelsachsen.csv"
    assert main(["hotspots", "--store", str(files / "store"), "--category", "graffiti", "--method", "rates",
                 "--area", "14522", "--out", str(out)]) == 0
    frame = pd.read_csv(out, sep=";", decimal=",", comment="#", dtype={"ags": str}, encoding="utf-8-sig")
    assert len(frame) == 52 and frame["ags"].str.startswith("14522").all()  # Mittelsachsen has 52 Gemeinden


def test_rates_per_kreis_to_csv_with_metadata(files):
    out = files / "kreise.csv"
    assert main(["hotspots", "--incidents", str(files / "demo.csv"), "--category", "violence",
                 "--method", "rates", "--level", "kreis", "--out", str(out)]) == 0
    frame = pd.read_csv(out, sep=";", decimal=",", comment="#", dtype={"ags": str}, encoding="utf-8-sig")
    assert len(frame) == 13 and frame["ags"].str.len().eq(5).all()
    assert "# methode;rates" in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("method", "columns"), [
    ("kde", {"dichte_je_km2"}),
    ("gi", {"gi_z", "gi_p", "gi_p_fdr", "gi_klasse"}),
    ("lisa", {"lisa_i", "lisa_p", "lisa_klasse"}),
])
def test_grid_methods_write_one_row_per_study_cell(files, method, columns):
    out = files / f"{method}.geojson"
    assert main(["hotspots", "--store", str(files / "store"), "--category", "graffiti", "--method", method,
                 "--area", "14612000", "--cell", "500", "--from", "2021-01-01", "--to", "2024-12-31",
                 "--out", str(out)]) == 0
    frame = gpd.read_file(out)
    assert frame.crs == "EPSG:25833"
    assert len(frame) == 1_307  # all of Dresden's 500 m study cells (328 km²), zero cells included
    assert {"zelle", "vorfaelle", *columns} <= set(frame.columns)
    assert frame["zelle"].is_unique
    assert (frame["vorfaelle"] == 0).sum() > 700


def test_evaluate_json(files, capsys):
    assert main(["evaluate", "--store", str(files / "store"), "--category", "graffiti", "--method", "all",
                 "--split", "2024-01-01", "--area", "14612000", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # The original keys stay; the curve, the rolling blocks and the bandwidth came with issue 12.
    assert set(result) == {"area_share", "n_train", "n_test", "results", "curve", "rolling", "ranges",
                           "verdicts", "bandwidth"}
    assert set(result["results"]) == {"grid", "kde", "gi"}
    assert set(result["results"]["gi"]) == {"hit_rate", "pai", "pei", "rri"}
    assert set(result["curve"]) == {"area_share", "grid", "kde", "gi"} and len(result["curve"]["gi"]) == 20
    assert [set(block) for block in result["rolling"]] == [{"from", "to", "n_test", "grid", "kde", "gi"}] * 4
    assert set(result["ranges"]) == {"grid", "kde", "gi"} and set(result["verdicts"]) == {"kde", "gi"}
    assert set(result["bandwidth"]) == {"m", "cells", "rule", "score", "se", "folds"}


def test_evaluate_text_says_whether_methods_beat_the_counts(files, capsys):
    assert main(["evaluate", "--incidents", str(files / "demo.csv"), "--category", "graffiti",
                 "--split", "2024-01-01", "--area", "14612000"]) == 0
    text = capsys.readouterr().out
    assert "Trefferquote" in text and "einfache Zählung der Vorperiode" in text


def test_user_errors_are_german_messages_with_exit_2(files, capsys):
    code = main(["hotspots", "--store", str(files / "store"), "--category", "extremism", "--method", "gi",
                 "--area", "14628310", "--cell", "1000", "--out", str(files / "x.csv")])
    assert code == 2
    assert "Fehler: Alle 4 Rasterzellen haben denselben Wert" in capsys.readouterr().err
    code = main(["hotspots", "--store", str(files / "store"), "--category", "graffiti", "--method", "kde",
                 "--out", str(files / "x.shp")])
    assert code == 2
    assert "Ausgabeformat .shp unbekannt" in capsys.readouterr().err


def test_emerging_hot_spots_per_year_to_csv(files, capsys):
    out = files / "emerging.csv"
    assert main(["hotspots", "--store", str(files / "store"), "--category", "graffiti,littering", "--method",
                 "emerging", "--step", "jahr", "--area", "14612000", "--out", str(out)]) == 0
    frame = pd.read_csv(out, sep=";", decimal=",", comment="#", encoding="utf-8-sig")
    years = ["gi_z_2021", "gi_z_2022", "gi_z_2023", "gi_z_2024"]
    assert list(frame.columns) == ["zelle", "lage", "vorfaelle", *years, "mk_z", "mk_p", "muster",
                                   "vorfaelle_nachbarschaft", "ohne_angabe", "hinweis_meldungen"]
    assert set(frame.loc[frame["ohne_angabe"] == "ja", "muster"]) == {"kein Muster"}
    assert "Hotspot" in capsys.readouterr().out
