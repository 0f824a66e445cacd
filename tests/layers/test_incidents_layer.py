"""The planner incident layer: one clustered layer per category, local assets, demo label."""

import re

import pytest

from geo.incidents import CATEGORIES
from geo.incidents.demo import demo_points
from layers.incidents import CATEGORY_COLOURS, UNCLUSTER_ZOOM, incident_data, incident_layers, layer_name
from layers.maps import base_map, finish


@pytest.fixture(scope="module")
def points():
    return demo_points(n=1_200, seed=9)


def test_one_layer_per_category_named_with_demo_label(points):
    layers = incident_layers(points, demo=True)
    assert [layer.layer_name for layer in layers] == [layer_name(c, demo=True) for c in CATEGORIES]
    assert layers[0].layer_name == "Vorfälle: Graffiti (Demodaten (synthetisch))"
    assert incident_layers(points)[2].layer_name == "Vorfälle: Gewalt im öffentlichen Raum"


def test_layer_data_is_wgs84_lat_lon_with_german_date(points):
    data = incident_data(points, "violence")
    assert len(data) == (points["category"] == "violence").sum()
    lat, lon, when = data[0]
    assert 50.1 < lat < 51.7 and 11.8 < lon < 15.1
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", when)


def test_selected_categories_only_and_empty_ones_skipped(points):
    graffiti_only = points[points["category"] == "graffiti"]
    layers = incident_layers(graffiti_only, categories=["graffiti", "drugs"])
    assert [layer.layer_name for layer in layers] == ["Vorfälle: Graffiti"]
    with pytest.raises(ValueError):
        incident_layers(points, categories=["lärm"])


def test_rendered_map_is_offline_clustered_and_coloured(points):
    m = base_map()
    for layer in incident_layers(points, demo=True):
        layer.add_to(m)
    html = finish(m).get_root().render()
    assert not re.findall(r"https?://[^\s\"')]+\.(?:js|css)", html)
    assert html.count("L.markerClusterGroup(") == len(CATEGORIES)
    assert f'"disableClusteringAtZoom": {UNCLUSTER_ZOOM}' in html
    for colour in CATEGORY_COLOURS.values():
        assert colour in html
    assert "Demodaten (synthetisch)" in html


def test_colours_cover_the_categories_and_differ():
    assert set(CATEGORY_COLOURS) == set(CATEGORIES)
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORIES)


def test_layers_switched_off_are_not_drawn_until_chosen(points):
    m = base_map()
    layers = incident_layers(points, categories=["graffiti"], show=False)
    for layer in layers:
        layer.add_to(m)
    shown = incident_layers(points, categories=["violence"], show=True)
    shown[0].add_to(m)
    html = finish(m).get_root().render()
    assert f"{layers[0].get_name()}.addTo(" not in html
    assert f"{shown[0].get_name()}.addTo(" in html
