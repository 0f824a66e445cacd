"""Texts from uploaded files are shown as text in every tooltip: no script runs (a real browser)."""

from __future__ import annotations

import pytest

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.survey import demo as survey_demo
from geo.view import View
from layers import compose
from tests.browser.harness import serving

pytestmark = pytest.mark.browser

PAYLOADS = ["<img src=x onerror=alert(31)>", "<script>alert(32)</script>", "javascript:alert(33)"]


def test_hostile_place_names_from_a_survey_file_stay_text_in_the_tooltip(browser, tmp_path):
    places = survey_demo.demo_angstraeume("14522180")
    places = places.assign(name=[PAYLOADS[i % len(PAYLOADS)] for i in range(len(places))])
    analysis = analyse(demo_points(), View(area="14522180"))
    overlays = compose.overlay_layers(places=places, label="Test")
    (tmp_path / "karte.html").write_text(
        compose.atlas_map(analysis, overlays=overlays).get_root().render(), encoding="utf-8")
    dialogs: list[str] = []
    with serving(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        try:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{url}/karte.html")
            page.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=60_000)
            page.evaluate("""() => document.querySelectorAll('.leaflet-control-layers-selector')
                                   .forEach(box => { if (!box.checked) box.click(); })""")
            circles = page.locator("path.leaflet-interactive[stroke-width]").all()
            shown = []
            for circle in circles[-len(places):]:
                box = circle.bounding_box()
                if box:
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.wait_for_timeout(150)
                    tip = page.locator(".leaflet-tooltip")
                    if tip.count():
                        shown.append(tip.last.inner_text())
            assert any(p in text for text in shown for p in PAYLOADS), shown  # the names as written
            assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
            assert dialogs == []
        finally:
            context.close()
