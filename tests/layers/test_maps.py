"""The folium map: offline assets, attribution, boundary layers and their payload."""

import json
import re

import folium
import folium.plugins
import pytest

from geo.sources import MAP_ATTRIBUTION
from layers import boundaries as boundary_layers
from layers import maps
from layers.offline import OfflineAssetError

PAYLOAD_LIMIT_BYTES = 1_000_000


@pytest.fixture(scope="module")
def statewide_html():
    m = maps.base_map()
    boundary_layers.gemeinden_layer().add_to(m)
    boundary_layers.kreis_borders_layer().add_to(m)
    return maps.finish(m).get_root().render()


def test_rendered_map_loads_nothing_from_the_internet(statewide_html):
    remote = re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""", statewide_html)
    assert remote == []
    assert "cdn" not in statewide_html.lower()
    assert statewide_html.count("data:text/javascript") == 1  # Leaflet itself
    assert statewide_html.count("data:text/css") == 1


def test_attribution_lines_are_on_the_map(statewide_html):
    for line in MAP_ATTRIBUTION:
        assert json.dumps(line) in statewide_html
    assert "© GeoBasis-DE / BKG 2016 (Daten verändert)" in MAP_ATTRIBUTION[0]
    assert "dl-de/by-2-0" in MAP_ATTRIBUTION[1]


def test_gemeinde_tooltip_has_name_kreis_einwohner_and_ags():
    features = json.loads(boundary_layers.gemeinden_geojson())["features"]
    assert len(features) == 418
    freiberg = next(f for f in features if f["properties"]["ags"] == "14522180")
    assert freiberg["properties"] == {
        "ags": "14522180", "name": "Freiberg", "kreis": "Mittelsachsen", "einwohner_text": "40.485"}
    layer = boundary_layers.gemeinden_layer()
    assert layer.tooltip == [["name", "Gemeinde"], ["kreis", "Kreis"], ["einwohner_text", "Einwohner"],
                             ["ags", "AGS"]]
    assert layer.interactive and layer.pane == "overlayPane"


def test_kreis_borders_are_drawn_stronger_than_gemeinde_borders_and_above_them():
    gem, kreis = boundary_layers.gemeinden_layer(), boundary_layers.kreis_borders_layer()
    assert kreis.line_style["weight"] >= 3 * gem.line_style["weight"]
    assert not kreis.interactive
    assert maps.PANES[kreis.pane][0] > 400  # above Leaflet's overlayPane, where the Gemeinden are


def test_statewide_boundary_payload_under_one_megabyte():
    payload = len(boundary_layers.gemeinden_geojson().encode()) + len(
        boundary_layers.kreis_borders_geojson().encode())
    assert payload < PAYLOAD_LIMIT_BYTES


def test_marker_cluster_plugin_is_served_locally():
    m = maps.base_map()
    folium.plugins.MarkerCluster().add_to(m)
    html = maps.finish(m).get_root().render()
    assert re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""", html) == []


def test_plugin_without_local_files_is_refused_rather_than_loaded_from_a_cdn():
    m = maps.base_map()
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match="nicht lokal"):
        maps.finish(m)
