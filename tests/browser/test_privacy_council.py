"""The council's shared screen obeys the privacy rules in a real browser: on the constructed case
(:mod:`tests.privacy_case`, imported as a file) the page and its map show no cell or area whose
figure stands for fewer than k = 3 incidents, no incident point and no coordinate of a lone
incident — for every method. The files, the HTML map and the report: ``tests/test_privacy_outputs.py``.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.store import IncidentStore
from tests.browser.conftest import ARTIFACTS, OfflinePage
from tests.browser.harness import MAP_IFRAME, running_app
from tests.privacy_case import (
    FREIBERG,
    K,
    case,
    case_csv,
    coordinate_texts,
    feature_collections,
    near_count,
    small_count,
    written,
)

pytestmark = pytest.mark.browser

METHODS = ("gi", "lisa", "kde", "emerging", "rates")
#: Every GeoJSON feature on the Leaflet map of the frame, and how many markers or circles it holds.
_LAYERS = """() => {
    const features = [];
    let markers = 0;
    map_div.eachLayer(layer => {
        if (layer.feature) features.push(layer.feature);
        else if (layer.getLatLng) markers += 1;
    });
    return [features, markers];
}"""


@pytest.fixture(scope="module")
def council_app(tmp_path_factory):
    points, lone, _pair = case()
    folder = tmp_path_factory.mktemp("privacy")
    source = folder / "ordnungsamt.csv"
    source.write_text(case_csv(points), encoding="utf-8")
    IncidentStore(folder / "store").import_file(source)
    with running_app(store=folder / "store", log=ARTIFACTS / "streamlit_privacy.log") as app:
        yield app.url, np.column_stack([points.geometry.x, points.geometry.y]), lone


def test_the_council_screen_shows_nothing_below_k(council_app, browser):
    url, xy, lone = council_app
    screen = OfflinePage(browser, width=1920, height=1080)
    page = screen.page
    drawn = {}
    try:
        for method in METHODS:
            page.goto(f"{url}/?ags={FREIBERG}&methode={method}&modus=sitzung"
                      "&kategorie=graffiti,littering,violence,drugs")
            frame = screen.map_frame()
            frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
            page.locator("h1.atlas-title").wait_for()
            html = frame.locator("html").inner_html()
            text = page.locator("body").inner_text() + "\n" + frame.locator("body").inner_text()
            live = page.locator(MAP_IFRAME).last.element_handle().content_frame()
            live.wait_for_function("typeof map_div !== 'undefined'")
            # what Leaflet holds: the live map's layers arrive as code, not as page text
            features, markers = live.evaluate(_LAYERS)
            leaked = [t for t in coordinate_texts(lone)
                      if written(t, html) or written(t, text) or written(t, json.dumps(features))]
            assert leaked == [], (method, leaked[:5])
            assert markers == 0 and frame.locator(".leaflet-marker-icon, .vorfall-cluster").count() == 0
            drawn[method] = 0
            for collection in [*feature_collections(html), {"features": features}]:
                for feature in collection["features"]:
                    props, geometry = feature["properties"], feature["geometry"]
                    assert geometry is None or geometry["type"] not in ("Point", "MultiPoint"), method
                    assert "count" not in props and "cell_id" not in props, (method, props)  # a cell's own
                    for key, value in props.items():
                        assert not (key.startswith("count") and small_count(value)), (method, key, value)
                    if "count_nearby" in props:
                        drawn[method] += 1
                        cell = gpd.GeoSeries([shapely.geometry.shape(geometry)], crs="EPSG:4326")
                        cell = cell.to_crs("EPSG:25833").iloc[0]
                        assert near_count(cell, xy, reach_cells=1) >= K, (method, props)
        screen.screenshot("sitzungsmodus_datenschutz_gi.png")
        assert drawn["gi"] > 0 and drawn["lisa"] > 0, drawn  # the case's hotspot is on the screen
        assert screen.external == []
    finally:
        screen.context.close()
