"""The ASSKomm map layer: members by status, tooltips with date and source, offline."""

import json
import re

import folium
import pandas as pd
import pytest

from geo import asskomm
from layers import asskomm as layer
from layers import maps


@pytest.fixture(scope="module")
def members():
    return asskomm.load_members()


@pytest.fixture(scope="module")
def features(members):
    return {f["properties"]["ags"]: f for f in json.loads(layer.member_geojson(members))["features"]}


def test_every_named_member_is_a_polygon_on_the_map(members, features):
    assert len(features) == 52
    assert set(features) == set(members["ags"])
    assert {f["geometry"]["type"] for f in features.values()} <= {"Polygon", "MultiPolygon"}


def test_freiberg_tooltip_has_name_status_date_and_source(features):
    props = features["14522180"]["properties"]
    assert props["gemeinde"] == "Freiberg"
    assert props["status_text"] == "Kooperationsvereinbarung"
    assert props["datum_text"] == "28.11.2022"
    assert props["praeventionsrat_text"] == "geplant"
    assert props["sicherheitsanalyse_text"] == "keine Angabe"
    assert props["quelle"].startswith("SMI Sachsen, Medieninformation 28.11.2022")


def test_joint_agreement_and_unknown_date_are_spelled_out(features):
    assert features["14626400"]["properties"]["status_text"] == "Kooperationsvereinbarung (VG Olbersdorf)"
    assert features["14627140"]["properties"]["datum_text"] == "Datum unbekannt"


def test_fill_follows_status_and_border_follows_praeventionsrat(features):
    style = layer._polygon_style
    leipzig = style(features["14713000"])  # Modellkommune, Präventionsrat ja
    freiberg = style(features["14522180"])  # agreement, council planned
    eibenstock = style(features["14521170"])  # beteiligt, nothing stated
    assert leipzig["fillColor"] == layer.STATUS_COLOURS["Modellkommune"]
    assert freiberg["fillColor"] == layer.STATUS_COLOURS["Kooperationsvereinbarung"]
    assert eibenstock["fillColor"] == layer.STATUS_COLOURS["beteiligt"]
    assert len(set(layer.STATUS_COLOURS.values())) == 3
    assert leipzig["dashArray"] is None and leipzig["weight"] > eibenstock["weight"]
    assert freiberg["dashArray"] == "4 3"


def test_sicherheitsanalyse_markers_sit_inside_their_gemeinde(members):
    points = json.loads(layer.analysis_geojson(members))["features"]
    assert len(points) == 25  # 17 done, 8 planned
    done = [p for p in points if p["properties"]["sicherheitsanalyse"] == "durchgeführt"]
    assert len(done) == 17
    shapes = layer.member_features(members).set_index("ags").geometry
    from shapely.geometry import shape
    for p in points:
        assert shapes[p["properties"]["ags"]].contains(shape(p["geometry"]))


def test_rows_added_by_the_user_appear_on_the_layer(members):
    added = asskomm.validate_members(pd.DataFrame([
        {"ags": "14612000", "beteiligung": "beteiligt", "quelle": "Amtsblatt"}]), name="Ergänzte Zeilen")
    merged = asskomm.merge_members(members, added)
    props = {f["properties"]["ags"]: f["properties"]
             for f in json.loads(layer.member_geojson(merged))["features"]}
    assert len(props) == 53
    assert (props["14612000"]["gemeinde"], props["14612000"]["herkunft"]) == ("Dresden", "ergänzt")
    assert props["14522180"]["herkunft"] == "mitgeliefert"


def test_layer_with_legend_renders_offline_and_states_incompleteness():
    m = maps.base_map()
    group = layer.asskomm_layer()
    assert isinstance(group, folium.FeatureGroup) and group.layer_name == layer.LAYER_NAME
    group.add_to(m)
    m.add_child(layer.legend())
    html = maps.finish(m).get_root().render()
    assert re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""", html) == []
    assert "cdn" not in html.lower()
    assert html.count("data:text/javascript") == 1
    assert json.dumps(asskomm.UNVOLLSTAENDIG)[1:-1] in html
    assert "Sicherheitsanalyse durchgeführt" in layer.legend_html()
