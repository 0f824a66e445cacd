"""Emerging hot spot layer: patterned cells only, in their colours, suppressed cells never drawn,
no cell count on the shared screen, English, merged statewide, offline."""

import re

import folium
import pytest

from geo.grid import study_grid
from geo.hotspots.emerging import emerging_hotspots
from geo.hotspots.patterns import NO_PATTERN, PATTERN_HELP, PATTERNS
from geo.incidents.demo import demo_points
from geo.lang import catalogue
from layers import hotspots as hotspot_layers
from layers import maps
from layers.emerging import (
    LAYER_NAME,
    PATTERN_COLOURS,
    emerging_features,
    emerging_layer,
    emerging_legend_html,
    legend_entries,
    pattern_help_rows,
    step_text,
)
from layers.legend import HtmlLegend


@pytest.fixture(scope="module")
def demo():
    return demo_points(n=20_000)


@pytest.fixture(scope="module")
def grid():
    return study_grid("14612000", cell=250)


@pytest.fixture(scope="module")
def dresden(demo, grid):
    return emerging_hotspots(demo, grid=grid, step="quartal")


def geojson_of(group):
    return next(iter(group._children.values()))


def tooltip_of(layer):
    return next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))


def drawn(result):
    cells = result.cells
    return cells[(cells["pattern"] != NO_PATTERN) & ~cells["suppressed"]]


def test_layer_draws_exactly_the_cells_with_a_pattern_in_their_colours(dresden):
    expected = drawn(dresden)
    assert 0 < len(expected) <= hotspot_layers.MAX_CELL_FEATURES
    layer = geojson_of(emerging_layer(dresden))
    features = layer.data["features"]
    assert sorted(f["properties"]["cell_id"] for f in features) == sorted(expected["cell_id"])
    for f in features:
        colour = PATTERN_COLOURS[f["properties"]["pattern"]]
        assert layer.style_function(f)["fillColor"] == colour
    assert NO_PATTERN not in {f["properties"]["pattern"] for f in features}


def test_every_pattern_but_none_has_a_colour_hot_red_cold_blue():
    assert set(PATTERN_COLOURS) == set(PATTERNS) - {NO_PATTERN}
    for name, colour in PATTERN_COLOURS.items():
        r, _, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert (r > b) if "Hotspot" in name else (b > r), name


def test_suppressed_cells_are_not_drawn(demo, grid):
    strict = emerging_hotspots(demo, grid=grid, step="quartal", min_count=40)
    open_ = emerging_hotspots(demo, grid=grid, step="quartal", min_count=0)
    would_show = (open_.cells["pattern"] != NO_PATTERN) & strict.cells["suppressed"]
    assert would_show.sum() > 0
    ids = {f["properties"]["cell_id"] for f in geojson_of(emerging_layer(strict)).data["features"]}
    assert ids.isdisjoint(set(strict.cells.loc[would_show, "cell_id"]))
    assert ids == set(drawn(strict)["cell_id"])


def test_tooltip_explains_the_pattern_and_counts_steps(dresden):
    cells = emerging_features(dresden)
    first = cells.iloc[0]
    assert first["help_text"] == PATTERN_HELP[first["pattern"]]
    n = len(dresden.steps)
    assert first["steps_text"].endswith(f"von {n} Zeitschritten")
    tooltip = tooltip_of(geojson_of(emerging_layer(dresden)))
    assert tooltip.fields == ["pattern_label", "help_text", "steps_text", "count_nearby", "count",
                              "trend_text", "p_text", "cell_id", "caution"]  # caution: shown only where set
    assert "Vorfälle in der Zelle" in tooltip.aliases


def test_shared_screen_never_gets_a_cells_own_count(dresden):
    layer = geojson_of(emerging_layer(dresden, council=True))
    assert "count" not in tooltip_of(layer).fields and "cell_id" not in tooltip_of(layer).fields
    assert "count_nearby" in tooltip_of(layer).fields
    for f in layer.data["features"]:
        assert "count" not in f["properties"] and "cell_id" not in f["properties"]
        assert f["properties"]["count_nearby"] >= dresden.min_count


def test_english_names_tooltip_and_legend(dresden):
    group = emerging_layer(dresden, lang="en")
    assert group.layer_name == "New and growing hotspots"
    layer = geojson_of(group)
    labels = {f["properties"]["pattern_label"] for f in layer.data["features"]}
    assert labels and all(label.endswith(("hotspot", "coldspot")) for label in labels)
    assert "Meaning" in tooltip_of(layer).aliases
    legend = emerging_legend_html(dresden, lang="en")
    assert "Hotspot patterns over time" in legend and "16 time steps (Q1 2021 to Q4 2024)" in legend
    assert "significance level 5 %" in legend


def test_legend_lists_the_patterns_present_or_all(dresden):
    present = legend_entries(dresden)
    assert present == [p for p in PATTERNS if p in set(drawn(dresden)["pattern"])]
    legend = emerging_legend_html(dresden)
    assert all(p in legend for p in present)
    assert "Signifikanzniveau 5 %" in legend and "weniger als 3 Vorfälle" in legend
    full = emerging_legend_html(dresden, present_only=False)
    assert all(p in full for p in PATTERN_COLOURS)
    assert len(pattern_help_rows(lang="en")) == len(PATTERNS)


def test_legend_names_partial_steps(demo, grid):
    result = emerging_hotspots(demo, grid=grid, step="quartal", start="2021-02-01", end="2024-12-31")
    assert "Nur teilweise im Zeitraum: Q1 2021." in emerging_legend_html(result)


def test_step_text():
    assert step_text("2021q3") == "Q3 2021" and step_text("2024") == "2024"


def test_many_cells_are_merged_per_pattern(dresden, demo, grid, monkeypatch):
    result = emerging_hotspots(demo, grid=grid, step="quartal")  # a new object: not cached
    monkeypatch.setattr(hotspot_layers, "MAX_CELL_FEATURES", 5)
    layer = geojson_of(emerging_layer(result))
    features = layer.data["features"]
    expected = drawn(result)
    assert sorted(f["properties"]["pattern"] for f in features) == sorted(expected["pattern"].unique())
    assert sum(f["properties"]["zellen"] for f in features) == len(expected)
    for f in features:
        assert layer.style_function(f)["fillColor"] == PATTERN_COLOURS[f["properties"]["pattern"]]
    assert tooltip_of(layer).fields == ["pattern_label", "zellen"]


def test_nothing_to_draw_is_an_empty_layer(demo, grid):
    result = emerging_hotspots(demo, grid=grid, step="quartal", min_count=10**6)
    assert len(emerging_layer(result)._children) == 0
    assert "Keine Zelle zeigt ein Muster." in emerging_legend_html(result)


def test_map_with_the_layer_renders_offline(dresden):
    m = maps.base_map()
    m.add_child(emerging_layer(dresden))
    m.add_child(HtmlLegend(emerging_legend_html(dresden)))
    html = maps.finish(m).get_root().render()
    assert "neuer Hotspot" in html or "anhaltender Hotspot" in html
    assert not re.findall(r"""src=["']https?://""", html)
    assert not re.findall(r"""href=["']https?://""", html)


def test_every_text_of_the_layer_has_an_english_entry():
    texts = [LAYER_NAME, *PATTERNS, *PATTERN_HELP.values(), "Muster", "Bedeutung", "Zeitschritte",
             "Trend (Mann-Kendall z)", "p (Trend)", "Zellen", "Hotspot-Muster über die Zeit"]
    assert [t for t in texts if t not in catalogue()] == []
