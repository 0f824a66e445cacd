"""Hotspot and rate layers: KDE image in the right place, Gi*/LISA classes, suppressed areas grey, offline."""

import json
import re
import struct
import zlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo.crs import METRIC_CRS
from geo.hotspots import area_rates, gemeinde_lisa, grid_hotspots
from geo.incidents.demo import demo_points
from layers import maps
from layers.boundaries import GemeindeFills
from layers.hotspots import (
    GI_COLOURS,
    LISA_COLOURS,
    MAX_CELL_FEATURES,
    cells_geojson,
    gi_layer,
    gi_legend_html,
    kde_image,
    kde_layer,
    kde_legend_html,
    lisa_gemeinde_layer,
    lisa_layer,
    png_bytes,
)
from layers.legend import HtmlLegend
from layers.rates import (
    RATE_COLOURS,
    SUPPRESSED_COLOUR,
    rate_features,
    rates_layer,
    rates_legend,
    rates_legend_html,
)


def decode_png(data: bytes) -> np.ndarray:
    """RGBA array of an 8-bit RGBA PNG with filter type 0 on every row (what png_bytes writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h = size
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + 4 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 4)


@pytest.fixture(scope="module")
def demo():
    return demo_points(n=20_000)


@pytest.fixture(scope="module")
def saxony(demo):
    return grid_hotspots(demo, area="14", categories="graffiti")


def test_png_round_trip():
    rgba = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(decode_png(png_bytes(rgba)), rgba)


def test_kde_image_puts_a_lone_incident_where_it_is_in_web_mercator():
    # One incident in Plauen (far west of UTM zone 33, where the grid is turned most against north).
    to_utm = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = to_utm.transform(12.1372, 50.4947)
    one = gpd.GeoDataFrame(
        {"category": ["graffiti"], "time": pd.to_datetime(["2024-05-01"]), "ags": ["14523320"]},
        geometry=gpd.points_from_xy([x], [y]), crs=METRIC_CRS)
    result = grid_hotspots(one, area="14", methods="kde", bandwidth=1000)
    png, bounds, vmax = kde_image(result.grid, result.kde.density)
    rgba = decode_png(png)
    h, w, _ = rgba.shape
    row, col = np.unravel_index(np.argmax(rgba[:, :, 3]), (h, w))
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (west, east), (south, north) = merc.transform([bounds[0][1], bounds[1][1]], [bounds[0][0], bounds[1][0]])
    px = west + (col + 0.5) * (east - west) / w
    py = north - (row + 0.5) * (north - south) / h
    lon, lat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True).transform(px, py)
    ex, ey = to_utm.transform(lon, lat)
    assert np.hypot(ex - x, ey - y) < 400  # within the incident's 250 m cell plus one pixel
    assert vmax == pytest.approx(result.kde.density.max())


def test_kde_layer_is_one_image_overlay_with_a_png_data_url(saxony):
    group = kde_layer(saxony)
    overlay = next(iter(group._children.values()))
    assert type(overlay).__name__ == "ImageOverlay"
    assert overlay.url.startswith("data:image/png;base64,")
    legend = kde_legend_html(saxony)
    assert "Vorfälle je km²" in legend and "Bandbreite" in legend and "Standardregel (ArcGIS Pro)" in legend


@pytest.fixture(scope="module")
def freiberg(demo):
    return grid_hotspots(demo, area="14522180", categories="graffiti")


def test_gi_layer_draws_exactly_the_significant_cells_in_arcgis_colours(freiberg):
    significant = freiberg.cells[freiberg.cells["gi_bin"] != 0]
    assert 0 < len(significant) <= MAX_CELL_FEATURES
    layer = next(iter(gi_layer(freiberg)._children.values()))
    features = layer.data["features"]
    assert len(features) == len(significant)
    assert sorted(f["properties"]["cell_id"] for f in features) == sorted(significant["cell_id"])
    bins = {f["properties"]["gi_bin"] for f in features}
    assert bins <= {-3, -2, -1, 1, 2, 3}
    style = layer.style_function(features[0])
    assert style["fillColor"] == GI_COLOURS[features[0]["properties"]["gi_bin"]]
    assert GI_COLOURS[3] == "#d62f27" and GI_COLOURS[-3] == "#4575b5"
    assert "Hotspot (99 %)" in gi_legend_html()


def test_statewide_gi_layer_merges_cells_of_a_class_into_areas(saxony):
    significant = saxony.cells[saxony.cells["gi_bin"] != 0]
    assert len(significant) > MAX_CELL_FEATURES  # why it merges
    layer = next(iter(gi_layer(saxony)._children.values()))
    features = layer.data["features"]
    assert sorted(f["properties"]["gi_bin"] for f in features) == sorted(significant["gi_bin"].unique())
    assert sum(f["properties"]["zellen"] for f in features) == len(significant)
    merged = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").to_crs(METRIC_CRS)
    assert merged.area.sum() == pytest.approx(significant.area.sum(), rel=1e-3)
    for f in features:
        assert layer.style_function(f)["fillColor"] == GI_COLOURS[f["properties"]["gi_bin"]]


def test_lisa_layer_colours_by_class(freiberg, demo):
    result = grid_hotspots(demo, area="14522180", categories="graffiti", methods="lisa")
    layer = next(iter(lisa_layer(result)._children.values()))
    features = layer.data["features"]
    assert len(features) == int((result.cells["lisa_class"] != "nicht signifikant").sum()) > 0
    for f in features[:20]:
        assert layer.style_function(f)["fillColor"] == LISA_COLOURS[f["properties"]["lisa_class"]]


def test_gemeinde_lisa_layer_colours_significant_gemeinden_only(demo):
    lisa = gemeinde_lisa(demo, categories="violence")
    layer = next(iter(lisa_gemeinde_layer(lisa)._children.values()))
    features = {f["properties"]["ags"]: f for f in layer.data["features"]}
    assert len(features) == 418
    for ags, cls in zip(lisa["ags"], lisa["lisa_class"], strict=True):
        style = layer.style_function(features[ags])
        if cls == "nicht signifikant":
            assert style["fillOpacity"] == 0.0
        else:
            assert style["fillColor"] == LISA_COLOURS[cls] and style["fillOpacity"] > 0


def test_cell_squares_become_wgs84_quadrilaterals(saxony):
    cells = saxony.cells.iloc[:2]
    data = json.loads(cells_geojson(cells, ["cell_id"]))
    ring = data["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert all(11.8 < lon < 15.1 and 50.1 < lat < 51.7 for lon, lat in ring)


def test_rates_layer_greys_suppressed_areas_and_hides_their_figures(demo):
    rates = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31")
    features = rate_features(rates)
    sup = features[features["suppressed"]]
    assert len(sup) > 100
    assert (sup["fill"] == SUPPRESSED_COLOUR).all()
    assert (sup["rate_text"] == "weniger als 3 Fälle – keine Angabe").all()
    shown = features[~features["suppressed"]]
    assert not (shown["fill"] == SUPPRESSED_COLOUR).any()
    # Gemeinde rates colour the map's one Gemeinde layer: a colour and tooltip rows per AGS.
    fills = next(iter(rates_layer(rates)._children.values()))
    assert isinstance(fills, GemeindeFills)
    assert len(fills.fills) == len(fills.rows) == 418
    some = sup["ags"].iloc[0]
    assert fills.fills[some] == SUPPRESSED_COLOUR
    hidden = "weniger als 3 Fälle – keine Angabe"
    assert dict(fills.rows[some])["Vorfälle"] == hidden
    assert fills.rows[some] == [["Vorfälle", hidden]]  # one row, no figure at all
    assert not any(label == "zusammengefasst" for rows in fills.rows.values() for label, _ in rows)
    top = shown.sort_values("rate_smoothed").iloc[-1]
    assert fills.fills[top["ags"]] == RATE_COLOURS[-1]
    assert dict(fills.rows[top["ags"]])["Vorfälle"] == top["count_text"]
    legend = rates_legend_html(rates)
    assert "keine Angabe" in legend and "Sachsen:" in legend


def test_only_pooled_gemeinden_say_with_whom_they_were_pooled(demo):
    rates = area_rates(demo, categories="extremism", start="2024-01-01", end="2024-12-31", pool="verband")
    rows = next(iter(rates_layer(rates)._children.values())).rows
    pooled = rates[rates["pooled"] != ""]
    assert len(pooled) > 0
    for ags, note in zip(pooled["ags"], pooled["pooled"], strict=True):
        assert dict(rows[ags])["zusammengefasst"] == note
    alone = rates.loc[rates["pooled"] == "", "ags"].iloc[0]
    assert "zusammengefasst" not in dict(rows[alone])


def test_map_with_all_layers_loads_nothing_from_the_internet(demo, saxony):
    rates = area_rates(demo, categories="graffiti")
    m = maps.base_map()
    for layer in (rates_layer(rates), kde_layer(saxony), gi_layer(saxony), lisa_layer(saxony)):
        m.add_child(layer)
    m.add_child(rates_legend(rates))
    m.add_child(HtmlLegend(gi_legend_html()))
    html = maps.finish(m).get_root().render()
    assert not re.findall(r"""src=["']https?://""", html)
    assert not re.findall(r"""href=["']https?://""", html)
    assert "d3.min.js" not in html and "d3.v" not in html
