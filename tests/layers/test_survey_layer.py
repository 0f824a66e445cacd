"""Survey layers: Angsträume, shares with Wilson interval, coincidence classes; offline."""

import json
import re
from pathlib import Path

import folium
import pytest

from geo.survey import coincide, demo
from geo.survey.angstraeume import load_angstraeume
from geo.survey.shares import load_shares
from layers import maps
from layers import survey as layer

SURVEY = Path(__file__).resolve().parents[1] / "data" / "survey"


@pytest.fixture(scope="module")
def places():
    return load_angstraeume(SURVEY / "angstraeume_freiberg.csv")


def test_angstraeume_tooltip_and_marker_size_grow_with_mentions(places):
    features = json.loads(layer.angstraeume_geojson(places))["features"]
    assert [f["properties"]["name"] for f in features][:2] == ["Bahnhofsvorplatz Freiberg", "Albertpark"]
    first = features[0]["properties"]
    assert (first["kategorie"], first["nennungen_text"]) == ("Personengruppen", "23")
    radii = [f["properties"]["radius"] for f in features]
    assert radii == sorted(radii, reverse=True)
    assert features[3]["geometry"]["type"] == "LineString"
    lon, lat = features[0]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((13.3329, 50.9097), abs=1e-4)


def test_share_tooltip_has_percent_interval_and_small_sample_note():
    shares = load_shares(SURVEY / "anteile_unsicher.csv")  # three Ortsteile of Freiberg: summed
    features = json.loads(layer.shares_geojson(shares))["features"]
    props = {f["properties"]["ags"]: f["properties"] for f in features}
    assert props["14522180"]["anteil_text"] == "28,1 %"  # 95 of 338
    assert props["14521170"]["n_text"] == "20 (zu wenige Antworten)"
    assert props["14521170"]["fill"] == layer.SMALL_SAMPLE_FILL
    assert props["14511000"]["intervall_text"] == "23,2 % – 31,8 %"


def test_share_colours_follow_the_breaks():
    assert layer.share_colour(0.10) == layer.SHARE_COLOURS[0]
    assert layer.share_colour(0.15) == layer.SHARE_COLOURS[0]
    assert layer.share_colour(0.151) == layer.SHARE_COLOURS[1]
    assert layer.share_colour(0.45) == layer.SHARE_COLOURS[4]
    assert layer.share_colour(0.45, too_small=True) == layer.SMALL_SAMPLE_FILL


def test_demo_overlay_renders_offline_with_label_and_classes():
    from geo.incidents.demo import demo_points

    incidents = demo_points(n=5_000)
    shares, places = demo.demo_shares(), demo.demo_angstraeume()
    m = maps.base_map()
    layer.shares_layer(shares, label=demo.DEMO_LABEL).add_to(m)
    fear = layer.angstraeume_layer(places, label=demo.DEMO_LABEL)
    assert fear.layer_name == "Angsträume (Befragung) – Demodaten (synthetisch)"
    fear.add_to(m)
    by_gemeinde = coincide.coincidence_by_gemeinde(incidents, shares)
    layer.coincidence_layer(by_gemeinde, label=demo.DEMO_LABEL).add_to(m)
    html = maps.finish(m).get_root().render()
    assert re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""", html) == []
    assert html.count("data:text/javascript") == 1
    assert json.dumps(fear.layer_name)[1:-1] in html
    features = json.loads(layer.coincidence_geojson(by_gemeinde))["features"]
    assert len(features) == 418
    classes = {f["properties"]["klasse"] for f in features}
    assert classes == set(coincide.CLASSES)
    assert {f["properties"]["fill"] for f in features} == set(layer.CLASS_COLOURS.values())
    cells = json.loads(layer.coincidence_geojson(coincide.coincidence_by_cell(incidents, places)))["features"]
    assert all(f["properties"]["gebiet"].startswith("Zelle ") for f in cells)
    assert {f["geometry"]["type"] for f in cells} == {"Polygon"}


def test_share_and_coincidence_layers_fill_by_feature_with_their_own_border_and_tooltip():
    from geo.incidents.demo import demo_points

    shares = demo.demo_shares()
    by_gemeinde = coincide.coincidence_by_gemeinde(demo_points(n=5_000), shares)
    share_layer = layer.shares_layer(shares, label="Test")
    classes = layer.coincidence_layer(by_gemeinde, show=False)
    assert share_layer.layer_name == "Unsicherheitsgefühl nachts (Befragung) – Test"
    assert share_layer.show is False
    assert (classes.layer_name, classes.show) == ("Angst und Vorfälle", False)
    feature = {"properties": {"fill": "#b30000"}}
    assert share_layer.style_function(feature) == {"fillColor": "#b30000", "fillOpacity": 0.7,
                                                   "color": "#6b6b6b", "weight": 0.5}
    assert classes.style_function(feature) == {"fillColor": "#b30000", "fillOpacity": 0.65,
                                               "color": "#444444", "weight": 0.6}
    tooltips = [next(c for c in lay._children.values() if isinstance(c, folium.GeoJsonTooltip))
                for lay in (share_layer, classes)]
    assert tooltips[0].fields == ["gemeinde", "anteil_text", "intervall_text", "n_text"]
    assert tooltips[1].aliases == ["Gebiet", "Einordnung", "Angst", "Vorfälle"]
