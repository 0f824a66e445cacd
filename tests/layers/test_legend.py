"""The one legend box and control: markup, escaping, position, and the council-mode CSS hook."""

import re

import pytest

from geo.hotspots import grid_hotspots
from geo.incidents.demo import demo_points
from layers import asskomm, hotspots, maps, survey
from layers.legend import CSS_CLASS, SWATCH_CLASS, Gradient, HtmlLegend, Swatch, legend_box


def test_box_has_title_rows_gradient_and_note_in_order():
    box = legend_box("Titel", [("#d62f27", "rot"), (Swatch(border="2px dashed #222"), "gestrichelt")],
                     gradient=Gradient(["#fff", "#000"], "0", "12,5"), note="Hinweis")
    assert box.startswith(f'<div class="{CSS_CLASS}" style="font:12px sans-serif;')
    parts = ("<b>Titel</b>", ">rot<", ">gestrichelt<", "linear-gradient(to right,#fff,#000)",
             "<span>0</span><span>12,5</span>", ">Hinweis<")
    where = [box.index(part) for part in parts]
    assert where == sorted(where)
    assert box.count(f'class="{SWATCH_CLASS}"') == 2
    assert "background:#d62f27;border:1px solid #888" in box
    assert "background:transparent;border:2px dashed #222" in box


def test_round_swatch_and_no_note_without_text():
    box = legend_box("Punkte", [(Swatch(fill="#fff", border="2px solid #762a83", round=True), "geplant")])
    assert "border-radius:50%" in box
    assert "color:#555" not in box and "linear-gradient" not in box


def test_texts_are_escaped():
    box = legend_box("<Titel>", [("#000", "p < 0,05 & mehr")], note='"zitiert"')
    assert "<b>&lt;Titel&gt;</b>" in box
    assert "p &lt; 0,05 &amp; mehr" in box
    assert "&quot;zitiert&quot;" in box


def test_control_is_placed_where_asked_and_rejects_unknown_corners():
    m = maps.base_map()
    m.add_child(HtmlLegend(legend_box("Oben rechts"), position="topright"))
    html = maps.finish(m).get_root().render()
    assert 'L.control({position: "topright"})' in html
    assert "Oben rechts" in html
    with pytest.raises(ValueError, match="position"):
        HtmlLegend("x", position="unten")


def test_every_layer_legend_is_an_atlas_legend():
    result = grid_hotspots(demo_points(n=2_000), area="14522", categories="graffiti", methods="kde")
    for box in (hotspots.gi_legend_html(), hotspots.lisa_legend_html(), hotspots.kde_legend_html(result),
                asskomm.legend_html()):
        assert box.startswith(f'<div class="{CSS_CLASS}"')
    # Overlays (ASSKomm, survey) keep their legends bottom right, apart from the result's.
    m = maps.base_map()
    for legend in (asskomm.legend(), survey.shares_legend(), survey.coincidence_legend(),
                   survey.angstraeume_legend()):
        m.add_child(legend)
    html = maps.finish(m).get_root().render()
    assert html.count('L.control({position: "bottomright"})') == 4
    for text in ("nachts unsicher", "zu wenige Antworten", "Angst und Vorf", "Angstr"):  # umlauts escaped
        assert text in html


def test_the_council_screen_gets_the_asskomm_note_in_one_line():
    assert asskomm.UNVOLLSTAENDIG_KURZ in asskomm.legend_html(short=True)
    assert "Kooperationsvereinbarungen" not in asskomm.legend_html(short=True)
    assert "Kooperationsvereinbarungen" in asskomm.legend_html()


@pytest.mark.parametrize("large", [False, True])
def test_council_style_enlarges_legends_by_their_class(large):
    m = maps.base_map(large_text=large)
    html = maps.finish(m).get_root().render()
    rules = re.findall(rf"\.{CSS_CLASS}[^{{]*{{[^}}]*}}", html)
    if not large:
        assert rules == []
        return
    assert f".{CSS_CLASS}, .{CSS_CLASS} * {{ font-size: 20px !important; }}" in html
    assert f".{CSS_CLASS} .{SWATCH_CLASS} {{ width: 22px !important; height: 22px !important; }}" in html
    assert 'span[style*="width:12px"]' not in html
