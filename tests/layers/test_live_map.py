"""The map as the app draws it: a fixed base, the view's groups on top, files served once."""

import json

import folium
import pytest

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.view import METHODS, View
from layers import boundaries, compose, maps
from layers.offline import served_files

SERVED = "/app/static"


@pytest.fixture(scope="module")
def points():
    return demo_points()


def _render(m: folium.Map) -> str:
    return m.get_root().render()


def test_served_base_map_carries_no_boundaries_and_no_leaflet_code():
    html = _render(compose.base(served=SERVED))
    assert len(html.encode()) < 30_000  # inline it would be 1.2 MB
    assert boundaries.gemeinden_geojson()[:200] not in html
    assert f'fetch("{SERVED}/{boundaries.GEMEINDEN_FILE}")' in html
    assert f'src="{SERVED}/leaflet.js"' in html and "data:text/javascript" not in html


@pytest.mark.parametrize("method", METHODS)
def test_each_view_sends_only_its_layers_drawn_in_the_right_panes(points, method):
    analysis = analyse(points, View(method=method, area="14522180"))
    groups = compose.view_groups(analysis, served=SERVED)
    m = compose.base(served=SERVED)
    base_size = len(_render(compose.base(served=SERVED)).encode())
    for group in groups:
        m.add_child(group)
    added = len(_render(m).encode()) - base_size
    assert added < 200_000
    result, selection = groups[0], groups[-1]
    assert selection.layer_name == "Auswahl: Freiberg"
    fit = [c for c in result._children.values() if isinstance(c, maps.FitView)]
    assert len(fit) == 1 and 50.8 < fit[0].bounds[0][0] < fit[0].bounds[1][0] < 51.0  # Freiberg
    drawn = (folium.GeoJson, folium.raster_layers.ImageOverlay)
    shapes = [c for c in result._children.values() if isinstance(c, drawn)]
    assert all(c.options["pane"] == "ergebnis" for c in shapes)
    if method == "rates":  # colours on the one Gemeinde layer, no shapes of its own
        assert shapes == []
        assert any(isinstance(c, boundaries.GemeindeFills) for c in result._children.values())
    else:
        assert shapes


def test_planner_points_start_hidden_and_keep_what_the_user_chose(points):
    analysis = analyse(points, View(method="gi", area="14522180"))
    groups = compose.live_groups(compose.view_groups(analysis, points=compose.map_points(points, analysis)))
    keep = {g.layer_name: next(c for c in g._children.values() if isinstance(c, maps.KeepVisibility))
            for g in groups}
    assert keep["Vorfälle: Graffiti"].show is False
    assert keep["Hot- und Coldspots (Gi*)"].show is True


def test_publish_writes_the_served_files_once(tmp_path):
    compose.publish(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {*served_files(), boundaries.GEMEINDEN_FILE, boundaries.KREISGRENZEN_FILE}
    gemeinden = json.loads((tmp_path / boundaries.GEMEINDEN_FILE).read_text(encoding="utf-8"))
    assert len(gemeinden["features"]) == 418
    stamp = (tmp_path / "leaflet.js").stat().st_mtime_ns
    compose.publish(tmp_path)  # unchanged content: not rewritten
    assert (tmp_path / "leaflet.js").stat().st_mtime_ns == stamp
