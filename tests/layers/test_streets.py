"""OSM streets and places on the map and in the tables: the Freiberg scene (tests/geo/osm/scene.py)."""

import dataclasses
import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo.osm
from geo.analysis import analyse
from geo.crs import METRIC_CRS
from geo.detail import gemeinde_detail
from geo.incidents.demo import demo_points
from geo.report.content import build_report
from geo.view import View
from layers import compose
from layers.streets import payload_bytes, street_features
from tests.geo.osm.scene import ORIGIN, cell, freiberg

FREIBERG = "14522180"


@pytest.fixture(scope="module")
def osm(tmp_path_factory):
    root = tmp_path_factory.mktemp("osm")
    geo.osm.import_extract(freiberg().write(root / "freiberg.osm.pbf"), directory=root)
    return geo.osm.load(root)


@pytest.fixture(scope="module")
def incidents():
    """Demo points and a cluster of ten incidents on Freiberg's Obermarkt (the scene's cell 0, 0)."""
    points = demo_points()
    middle = cell(0, 0).centroid
    spots = [shapely.Point(middle.x + d, middle.y) for d in range(-50, 50, 10)]
    n = len(spots)
    extra = gpd.GeoDataFrame({"category": ["graffiti"] * n, "time": [pd.Timestamp("2024-05-01")] * n,
                              "ags": [FREIBERG] * n}, geometry=spots, crs=METRIC_CRS)
    return pd.concat([points, extra], ignore_index=True)


def test_streets_of_the_view_become_a_small_line_layer_with_escaped_names(osm):
    bounds = geo.boundaries.area(FREIBERG).geometry.bounds
    features = street_features(osm, bounds)["features"]
    names = {f["properties"]["name"] for f in features}
    assert {"Obermarkt", "Burgstraße", "Kirchgasse"} <= names
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in features)
    lon, lat = features[0]["geometry"]["coordinates"][0]
    assert 13.2 < lon < 13.5 and 50.8 < lat < 51.0 and len(str(lon).split(".")[1]) <= 5
    assert payload_bytes(osm, bounds) < 50_000


def test_the_map_of_a_gemeinde_view_draws_streets_and_switchable_places(osm, incidents):
    analysis = analyse(incidents, View(area=FREIBERG, method="gi"))
    planner = compose.view_groups(analysis, osm=osm)
    names = [group.layer_name for group in planner]
    assert names[0] == "Straßen (OpenStreetMap)" and "Haltestellen und Bahnhöfe" in names
    council = [g.layer_name for g in compose.view_groups(analysis, council=True, osm=osm)]
    assert "Straßen (OpenStreetMap)" in council and "Haltestellen und Bahnhöfe" not in council
    html = compose.atlas_map(analysis, council=True).get_root().render()
    assert "Obermarkt" not in html  # no OSM data given: no streets
    saxony = compose.view_groups(analyse(incidents, View(method="gi")), osm=osm)
    assert "Straßen (OpenStreetMap)" not in [g.layer_name for g in saxony]  # statewide: too much


def test_cell_exports_name_the_streets_of_cells_with_incidents_only(osm, incidents):
    analysis = analyse(incidents, View(area=FREIBERG, method="gi"))
    table = analysis.export_table(osm=osm).set_index("zelle")
    obermarkt = table.loc[table.index[table.geometry.contains(cell(0, 0).centroid)][0]]
    assert obermarkt["lage"] == "Obermarkt / Burgstraße · nahe Haltestelle Obermarkt"
    assert (table.loc[table["ohne_angabe"] | (table["vorfaelle"] == 0), "lage"] == "").all()
    csv = compose.export_bytes(analysis, "csv", osm=osm).decode("utf-8-sig")
    assert "Obermarkt / Burgstraße · nahe Haltestelle Obermarkt" in csv
    without = analysis.export_table()
    assert set(without["lage"]) == {"", "keine Straßendaten geladen"}


def test_the_detail_panel_names_its_top_cells(osm, incidents):
    detail = gemeinde_detail(incidents, FREIBERG, categories=["graffiti"], osm=osm)
    assert list(detail.top_cells.columns) == ["zelle", "lage", "faelle"]
    assert "Obermarkt / Burgstraße · nahe Haltestelle Obermarkt" in set(detail.top_cells["lage"])


def test_the_report_names_places_and_draws_streets(osm, incidents):
    report = build_report(FREIBERG, incidents, demo=True, osm=osm)
    text = report.text()
    assert "Obermarkt / Burgstraße · nahe Haltestelle Obermarkt" in text
    assert "© OpenStreetMap-Mitwirkende (ODbL)" in text
    plain = build_report(FREIBERG, incidents, demo=True)
    assert "keine Straßendaten geladen" in plain.text()
    with_streets = next(b for b in report.blocks if b.kind == "image" and "Gi*-Hotspots" in b.text)
    without = next(b for b in plain.blocks if b.kind == "image" and "Gi*-Hotspots" in b.text)
    assert with_streets.png != without.png
    assert ORIGIN  # the scene lies in Freiberg
    assert io.BytesIO(with_streets.png).read(8) == b"\x89PNG\r\n\x1a\n"
    assert json.dumps(report.text())  # plain text throughout


def test_when_served_the_streets_are_a_file_the_browser_fetches_once(osm, incidents, tmp_path):
    static = tmp_path / "static"
    compose.publish(static)
    analysis = analyse(incidents, View(area=FREIBERG, method="gi"))
    groups = compose.view_groups(analysis, osm=osm, served="/app/static")
    files = list((static / "strassen").glob(f"{FREIBERG}-*.json"))
    assert len(files) == 1 and "Obermarkt" in files[0].read_text(encoding="utf-8")
    m = compose.base(served="/app/static")
    m.add_child(groups[0])
    script = m.get_root().render()
    assert f"/app/static/strassen/{files[0].name}" in script
    assert '"Obermarkt"' not in script.split("atlas-street-label")[0]  # the lines are not in the page
    again = compose.view_groups(analysis, osm=osm, served="/app/static")  # a redraw writes nothing new
    assert len(list((static / "strassen").iterdir())) == 1 and again


def test_the_shared_screen_names_hotspot_cells_but_never_their_own_count(osm, incidents):
    analysis = analyse(incidents, View(area=FREIBERG, method="gi", mode="sitzung"))
    html = compose.atlas_map(analysis, council=True, osm=osm).get_root().render()
    assert "Obermarkt / Burgstra" in html and "nahe Haltestelle Obermarkt" in html  # (JSON-escaped ß, ·)
    assert '"count": ' not in html and "Vorfälle in der Zelle" not in html
    export = compose.export_bytes(dataclasses.replace(analysis, view=dataclasses.replace(
        analysis.view, mode="planung")), "html", osm=osm).decode()
    assert "nahe Haltestelle Obermarkt" in export  # the HTML export names cells too


def test_the_png_export_draws_the_offline_streets_and_names_their_source(osm, incidents):
    analysis = analyse(incidents, View(area=FREIBERG, method="gi"))
    with_streets = compose.export_bytes(analysis, "png", osm=osm)
    without = compose.export_bytes(analysis, "png")
    assert with_streets[:8] == b"\x89PNG\r\n\x1a\n" and with_streets != without
