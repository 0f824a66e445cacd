"""The Maßnahmenregister in a real browser: a planner draws a measure's place by clicking the map,
records it, and the council's shared screen shows it with its legend at 1920×1080.

The app runs on a store of its own (a measure in the shared store would lie under the other
tests' Freiberg tooltips).
"""

from __future__ import annotations

import re

import pytest
from pyproj import Transformer

from geo.boundaries import gemeinde
from geo.measures import MeasureRegister
from geo.store import IncidentStore
from layers.measures import STATUS_COLOURS
from tests.browser.conftest import ARTIFACTS, OfflinePage
from tests.browser.harness import MAP_IFRAME, running_app, type_option
from tests.test_app_measures import VERDICT, constructed_store

pytestmark = pytest.mark.browser

FREIBERG = "14522180"
TITLE = "Licht <b>am</b> Obermarkt"  # tags in a title stay text everywhere


@pytest.fixture(scope="module")
def measures_app(tmp_path_factory):
    store = tmp_path_factory.mktemp("massnahmen") / "store"
    with running_app(store=store, log=ARTIFACTS / "streamlit_massnahmen.log", timeout=90) as app:
        yield app.url, store


def corners() -> list[tuple[float, float]]:
    """(lat, lon) of a 300 m × 200 m rectangle around Freiberg's inner point, in click order."""
    point = gemeinde(FREIBERG).geometry.representative_point()
    to_wgs84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    offsets = [(-150, -100), (150, -100), (150, 100), (-150, 100)]
    return [to_wgs84.transform(point.x + dx, point.y + dy)[::-1] for dx, dy in offsets]


def font_px(locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def test_a_measure_drawn_on_the_map_is_stored_and_shown_on_the_council_screen(measures_app, browser):
    url, store = measures_app
    screen = OfflinePage(browser, width=1920, height=1080)
    page = screen.page
    try:
        page.goto(f"{url}/?ags={FREIBERG}")
        paths = screen.map_frame().locator("path.leaflet-interactive")
        paths.nth(417).wait_for(state="attached", timeout=90_000)
        attribution = re.compile(r"^© GeoBasis-DE / BKG 2016 \(Daten verändert\) · ")
        page.get_by_text(attribution).wait_for(timeout=90_000)
        screen.settle()
        page.get_by_text("Neue Maßnahme", exact=True).click()
        page.get_by_text("Fläche zeichnen", exact=True).wait_for(timeout=30_000)
        screen.settle()
        page.get_by_text("Fläche zeichnen", exact=True).click()
        page.get_by_role("button", name="Verwerfen").wait_for(timeout=30_000)
        screen.settle()
        # The planner zooms in to where the measure is, with the whole map in sight.
        page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
        leaflet = page.locator(MAP_IFRAME).last.element_handle().content_frame()
        lat, lon = corners()[0]
        leaflet.evaluate(f"new Promise(done => {{ map_div.once('zoomend moveend', () => done());"
                         f" map_div.setView([{lat}, {lon}], 16, {{animate: false}}); }})")
        for number, (lat, lon) in enumerate(corners(), start=1):
            x, y = screen.map_point(lat, lon)
            page.mouse.click(x, y)
            page.get_by_text(f"{number} Punkte gesetzt – in die Karte klicken").wait_for(timeout=30_000)
        screen.settle()
        frame = screen.map_frame()
        assert frame.locator('path[stroke="#000000"][stroke-dasharray="6 4"]').count() == 1  # the polygon
        assert frame.locator("path.leaflet-interactive").count() >= 418  # no Gemeinde was chosen instead
        assert page.get_by_text("Freiberg (Mittelsachsen) · 40.485 Einwohner").count() == 1
        page.mouse.move(100, 500)  # away from the map: no tooltip over the drawing
        screen.screenshot("massnahme_zeichnen_1920x1080.png")

        page.get_by_role("button", name="Fläche übernehmen").click()
        page.get_by_text(re.compile(r"^Ort: auf der Karte gezeichnet · 6,0\d ha · Freiberg$")).wait_for(
            timeout=30_000)
        screen.settle()
        who = page.get_by_label("Bearbeitet von")
        who.fill("Anna Schmidt")
        who.press("Enter")
        screen.settle()
        page.get_by_label("Titel", exact=True).fill(TITLE)
        type_option(page, page.get_by_role("combobox", name="Status", exact=True), "umgesetzt")
        page.keyboard.press("Enter")
        page.get_by_label("Beginn", exact=True).locator('[role="spinbutton"]').first.click()
        page.keyboard.type("01032024")  # day, month, year: the date field's segments
        page.keyboard.press("Tab")
        page.get_by_role("button", name="Speichern").click()
        page.get_by_text(f"Maßnahme Nr. 1 „{TITLE}“ angelegt (Anna Schmidt).").wait_for(timeout=60_000)
        screen.settle()
        [stored] = MeasureRegister(IncidentStore(store)).current()
        assert (stored.title, stored.status, stored.place_kind) == (TITLE, "umgesetzt", "zeichnung")
        assert stored.ags == FREIBERG
        assert stored.start.isoformat() == "2024-03-01" and 59_000 < stored.place.area < 61_000
        frame = screen.map_frame()
        outline = frame.locator(f'path[stroke="{STATUS_COLOURS["umgesetzt"]}"]')
        outline.wait_for(state="attached", timeout=30_000)
        assert re.search(r"[?&]massnahme=1(&|$)", page.url)
        table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
        table.wait_for(timeout=30_000)  # the register's list, with the new measure
        page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
        page.mouse.move(100, 500)
        screen.screenshot("massnahme_gespeichert_1920x1080.png")

        for shown in ("", "&massnahme=1"):
            page.goto(f"{url}/?ags={FREIBERG}&modus=sitzung{shown}")
            frame = screen.map_frame()
            frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
            outline = frame.locator(f'path[stroke="{STATUS_COLOURS["umgesetzt"]}"]')
            outline.wait_for(state="attached", timeout=60_000)
            legend = frame.locator(".atlas-legend", has_text="Maßnahmen")
            legend.wait_for(timeout=30_000)
            assert font_px(legend.locator("b")) >= 20 and "umgesetzt" in legend.inner_text()
            screen.settle()
            box = page.locator(MAP_IFRAME).bounding_box()
            assert box["y"] > 0 and box["y"] + box["height"] <= 1080
            main = page.locator('[data-testid="stMain"]')
            assert main.evaluate("e => e.scrollHeight <= e.clientHeight"), "the council page scrolls"
            screen.screenshot(f"sitzungsmodus_massnahme{shown and '_gewaehlt'}_1920x1080.png")

        title = page.locator("h1.atlas-title")
        assert title.inner_text() == TITLE
        line = page.locator("p.atlas-measure").inner_text()
        assert line == "Maßnahme: Beleuchtung · umgesetzt · seit 01.03.2024"
        # Zoomed to the measure: its outline fills much of the map; the tooltip shows the title as text.
        edge = outline.bounding_box()
        assert edge["width"] > 200
        x, y = edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2
        page.mouse.move(x, y)
        page.mouse.move(x + 4, y)
        tooltip = frame.locator(".leaflet-tooltip")
        tooltip.wait_for(timeout=10_000)
        assert TITLE in tooltip.inner_text() and tooltip.locator("b").count() == 0
        assert "Zuständig" not in tooltip.inner_text() and font_px(tooltip.locator("td").first) >= 20
        screen.screenshot("sitzungsmodus_massnahme_tooltip_1920x1080.png")
        assert screen.external == []
    finally:
        screen.context.close()


@pytest.fixture(scope="module")
def evaluated_app(tmp_path_factory):
    """The constructed case of tests/test_app_measures.py: measure 1 with a verdict on the council screen."""
    store = tmp_path_factory.mktemp("wirkung") / "store"
    constructed_store(store)
    with running_app(store=store, log=ARTIFACTS / "streamlit_wirkung.log", timeout=90) as app:
        yield app.url


def test_the_council_screen_with_a_measures_verdict_fits_1920x1080(evaluated_app, browser):
    screen = OfflinePage(browser, width=1920, height=1080)
    page = screen.page
    try:
        page.goto(f"{evaluated_app}/?ags={FREIBERG}&massnahme=1&modus=sitzung")
        frame = screen.map_frame()
        outline = frame.locator(f'path[stroke="{STATUS_COLOURS["umgesetzt"]}"]')
        outline.wait_for(state="attached", timeout=90_000)
        verdict = page.locator("p.atlas-verdict")
        verdict.wait_for(timeout=30_000)
        assert verdict.inner_text().startswith(VERDICT) and font_px(verdict) >= 20
        screen.settle()
        box = page.locator(MAP_IFRAME).bounding_box()
        assert box["y"] > verdict.bounding_box()["y"] and box["y"] + box["height"] <= 1080
        main = page.locator('[data-testid="stMain"]')
        assert main.evaluate("e => e.scrollHeight <= e.clientHeight"), "the council page scrolls"
        screen.screenshot("sitzungsmodus_massnahme_urteil_1920x1080.png")
        assert screen.external == []
    finally:
        screen.context.close()
