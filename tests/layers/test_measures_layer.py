"""The Maßnahmen layer: places coloured by status, what the tooltips may say, escaping, the legend,
the drawing, and that the measures travel into the map exports."""

import dataclasses
import datetime as dt
import itertools

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.measures import Measure, gemeinde_place, wkt_place
from geo.view import View
from layers import compose, maps
from layers import measures as layer
from layers.hotspots import GI_COLOURS, LISA_COLOURS
from layers.static import view_figure
from layers.tooltips import SafeTooltip

OBERMARKT = "POLYGON ((13.340 50.915, 13.345 50.915, 13.345 50.918, 13.340 50.918, 13.340 50.915))"
HOSTILE = '<img src=x onerror="alert(13)">Licht'


def measure(number: int, status: str, **changes) -> Measure:
    place = wkt_place(OBERMARKT, kind="zeichnung")
    base = Measure(number, f"Maßnahme {number}", "beleuchtung", ("graffiti",), place.geometry, place.kind,
                   place.ags, dt.date(2024, 3, 1), dt.date(2025, 2, 28) if status == "beendet" else None,
                   "Ordnungsamt, Frau Beispiel", 12500.0, status, "Beschluss 3/2025", "Notiz: Kamera prüfen")
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def measures():
    town = gemeinde_place("Freiberg")
    return [measure(1, "geplant"), measure(2, "umgesetzt", title=HOSTILE),
            measure(3, "beendet", place=town.geometry, place_kind="gemeinde", kind="streetwork")]


def geojson_of(group):
    [geojson] = [c for c in group._children.values() if c.__class__.__name__ == "GeoJson"]
    return geojson


def tooltip_of(group) -> SafeTooltip:
    [tooltip] = [c for c in geojson_of(group)._children.values() if isinstance(c, SafeTooltip)]
    return tooltip


def features(group) -> list[dict]:
    return geojson_of(group).data["features"]


def test_every_measure_is_its_place_and_coloured_by_its_status(measures):
    group = layer.measures_layer(measures)
    found = features(group)
    assert [f["properties"]["nr"] for f in found] == [1, 2, 3]
    styles = [layer.measure_style(f) for f in found]
    colours = layer.STATUS_COLOURS
    assert [s["color"] for s in styles] == [colours["geplant"], colours["umgesetzt"], colours["beendet"]]
    assert [s["dashArray"] for s in styles] == ["10 6", None, "2 6"]  # the status without colour too
    assert all(s["fillOpacity"] <= 0.15 and s["weight"] >= 3 for s in styles)  # outline, light fill
    # The drawn place arrives where it was drawn (WGS84, to 1e-6°), the Gemeinde as the whole town.
    ring = np.array(found[0]["geometry"]["coordinates"][0])
    assert ring.min(axis=0) == pytest.approx((13.340, 50.915), abs=2e-6)
    assert ring.max(axis=0) == pytest.approx((13.345, 50.918), abs=2e-6)
    town = shapely.geometry.shape(found[2]["geometry"])
    assert town.contains(shapely.Point(13.3428, 50.9166)) and shapely.get_num_coordinates(town) > 100
    assert found[0]["properties"]["zeitraum"] == "seit 01.03.2024"
    assert found[2]["properties"]["zeitraum"] == "01.03.2024 – 28.02.2025"


def test_the_status_colours_stay_apart_for_colour_blind_eyes_and_from_the_hotspot_palettes():
    """Machado et al. (2009) simulations, CIELAB distance: the three statuses at least 20 apart,
    at least 12 from every Gi* and LISA class colour, for normal, protan, deutan and tritan vision."""
    simulate = {
        "normal": np.eye(3),
        "protan": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
        "deutan": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                            [-0.011820, 0.042940, 0.968881]]),
        "tritan": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
    }

    def lab(colour: str, matrix: np.ndarray) -> np.ndarray:
        srgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
        seen = np.clip(matrix @ linear, 0, 1)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ seen
        t = xyz / np.array([0.95047, 1.0, 1.08883])
        f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    def distance(a: str, b: str) -> float:
        return min(float(np.linalg.norm(lab(a, m) - lab(b, m))) for m in simulate.values())

    statuses = list(layer.STATUS_COLOURS.values())
    assert min(distance(a, b) for a, b in itertools.combinations(statuses, 2)) >= 20
    palettes = [*GI_COLOURS.values(), *LISA_COLOURS.values()]
    assert min(distance(a, b) for a in statuses for b in palettes) >= 12


def test_the_council_tooltip_names_title_art_status_and_period_only(measures):
    planner = layer.measures_layer(measures)
    assert tooltip_of(planner).fields == ["titel", "art", "status", "zeitraum", "zustaendig"]
    assert features(planner)[0]["properties"]["zustaendig"] == "Ordnungsamt, Frau Beispiel"
    council = layer.measures_layer(measures, council=True)
    assert tooltip_of(council).fields == ["titel", "art", "status", "zeitraum"]
    assert tooltip_of(council).aliases == ["Maßnahme", "Art", "Status", "Zeitraum"]
    assert set(features(council)[0]["properties"]) == {"nr", "titel", "art", "status", "zeitraum",
                                                       "status_key", "fokus"}
    analysis = analyse(demo_points(n=2_000), View(area="14522180", mode="sitzung"))
    overlays = compose.overlay_layers(measures=measures, council=True)
    html = compose.atlas_map(analysis, council=True, overlays=overlays).get_root().render()
    for secret in ("Frau Beispiel", "Ordnungsamt", "12500.0", "Beschluss 3/2025", "Kamera", "zustaendig"):
        assert secret not in html


def test_a_hostile_title_stays_text(measures):
    hostile = dataclasses.replace(measures[1], title=HOSTILE + "</script><script>alert(1)</script>{{ 7*7 }}")
    m = maps.base_map()
    group = layer.measures_layer([hostile])
    m.add_child(group)
    html = maps.finish(m).get_root().render()
    # In the page the title is JSON text: no tag of it, no end of the script, no template evaluated.
    assert "<img src=x" not in html and "</script><script>alert(1)" not in html
    assert "\\u003cimg src=x onerror=\\\"alert(13)\\\"\\u003eLicht" in html and "{{ 7*7 }}" in html
    # The tooltip writes every value escaped into the page (layers.tooltips.SafeTooltip).
    assert tooltip_of(group).fields == ["titel", "art", "status", "zeitraum", "zustaendig"]
    assert "return esc(feature);" in html and "<td>${handleObject(layer.feature.properties[v])}</td>" in html


def test_the_named_measure_is_drawn_stronger_and_the_map_zooms_to_it(measures):
    group = layer.measures_layer(measures, focus=1)
    styles = {f["properties"]["nr"]: layer.measure_style(f) for f in features(group)}
    assert styles[1]["weight"] == layer.FOCUS_WEIGHT and styles[2]["weight"] == layer.WEIGHT
    (south, west), (north, east) = group.focus  # the place (about 350 m × 330 m) and 300 m around it
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    corners = [*to_utm.transform(west, south), *to_utm.transform(east, north)]
    xmin, ymin, xmax, ymax = measures[0].place.bounds
    assert corners == pytest.approx([xmin - 300, ymin - 300, xmax + 300, ymax + 300], abs=30)  # grid north
    analysis = analyse(demo_points(n=2_000), View(area="14522180"))
    views = compose.view_groups(analysis, overlays=[group])
    fits = [c for g in views for c in g._children.values() if isinstance(c, maps.FitView)]
    assert [f.bounds for f in fits] == [[[south, west], [north, east]]]
    assert layer.measures_layer(measures).focus is None


def test_the_legend_lists_the_statuses_shown_in_both_languages(measures):
    german = layer.legend_html(statuses={"geplant", "umgesetzt"})
    assert "<b>Maßnahmen</b>" in german and ">geplant</div>" in german and ">umgesetzt</div>" in german
    assert "beendet" not in german and "3px dashed #882255" in german and "3px solid #44AA99" in german
    english = layer.legend_html(lang="en")
    assert "<b>Measures</b>" in english and ">planned</div>" in english and ">ended</div>" in english
    english_layer = layer.measures_layer(measures, lang="en")
    assert tooltip_of(english_layer).aliases == ["Measure", "Type", "Status", "Period", "Responsible"]
    props = features(english_layer)[2]["properties"]
    assert (props["art"], props["status"], props["zeitraum"]) == ("Street work/social work", "ended",
                                                                  "01.03.2024 – 28.02.2025")


def test_the_drawing_shows_its_points_and_closes_from_three_on():
    two = layer.drawing_layer([(50.915, 13.340), (50.915, 13.345)])
    kinds = [c.__class__.__name__ for c in two._children.values()]
    assert kinds == ["PolyLine", "PolyLine", "CircleMarker", "CircleMarker"]
    four = layer.drawing_layer([(50.915, 13.340), (50.915, 13.345), (50.918, 13.345), (50.918, 13.340)])
    kinds = [c.__class__.__name__ for c in four._children.values()]
    assert kinds == ["Polygon", "Polygon", *["CircleMarker"] * 4]
    assert all(c.options.get("interactive") is False for c in four._children.values())  # clicks reach the map


def test_the_map_exports_carry_the_measures_as_the_council_sees_them(measures):
    analysis = analyse(demo_points(n=2_000), View(area="14522180", method="gi"))
    html = compose.export_bytes(analysis, "html", measures=measures).decode()
    assert '"titel": "Ma\\u00dfnahme 1"' in html or '"titel": "Maßnahme 1"' in html
    assert "Frau Beispiel" not in html and "Kamera" not in html
    figure = view_figure(analysis, measures=measures)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels[-4:] == ["Maßnahmen", "geplant", "umgesetzt", "beendet"]
    without = view_figure(analysis).axes[0].get_legend()
    assert without is None or "Maßnahmen" not in [t.get_text() for t in without.get_texts()]
