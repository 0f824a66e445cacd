"""The map in a real browser: all 418 Gemeinden, tooltips, and nothing fetched from outside."""

import re

import pytest

from tests.browser.conftest import MAP_IFRAME, OfflinePage

pytestmark = pytest.mark.browser

GEMEINDE_PATHS = "path.leaflet-interactive"


def wait_for_gemeinden(offline_page, count=418, timeout_ms=90_000):
    frame = offline_page.map_frame()
    paths = frame.locator(GEMEINDE_PATHS)
    paths.nth(count - 1).wait_for(state="attached", timeout=timeout_ms)
    return frame, paths


def test_statewide_map_draws_all_gemeinden_offline(app_url, offline_page):
    offline_page.page.goto(app_url)
    frame, paths = wait_for_gemeinden(offline_page)
    assert paths.count() == 418
    # Kreis borders are a separate, non-interactive layer on top.
    assert frame.locator("path:not(.leaflet-interactive)").count() >= 1
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "GeoBasis-DE / BKG 2016" in attribution and "GV100AD" in attribution
    offline_page.page.wait_for_timeout(500)
    offline_page.screenshot("sachsen.png")
    assert offline_page.external == []


def test_link_with_ags_opens_freiberg_and_tooltip_names_it(app_url, offline_page):
    page = offline_page.page
    page.goto(f"{app_url}/?ags=14522180")
    _, paths = wait_for_gemeinden(offline_page)
    assert paths.count() == 418
    page.get_by_text("Freiberg (Mittelsachsen) · 40.485 Einwohner").wait_for()
    # The map is fitted to Freiberg: its centre lies inside Freiberg. Hover there.
    tooltip = offline_page.tooltip_at_centre()
    text = re.sub(r"\s+", " ", tooltip.inner_text())
    assert "Freiberg" in text
    assert "Mittelsachsen" in text
    assert "40.485" in text
    assert "14522180" in text
    offline_page.screenshot("freiberg_tooltip.png")
    assert offline_page.external == []


def test_search_box_zooms_to_the_chosen_gemeinde_and_puts_it_in_the_url(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    wait_for_gemeinden(offline_page)
    search = page.get_by_role("combobox", name="Gemeinde suchen")
    search.click()
    page.keyboard.type("Bernsdorf (Ba")
    page.get_by_role("option", name="Bernsdorf (Bautzen)").click()
    page.get_by_text("Bernsdorf (Bautzen) · ").wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"[?&]ags=14625030"), timeout=10_000)
    assert offline_page.external == []


def test_english_link_shows_the_gemeinde_tooltip_in_english_with_english_numbers(app_url, offline_page):
    page = offline_page.page
    page.goto(f"{app_url}/?ags=14522180&sprache=en")
    frame, _ = wait_for_gemeinden(offline_page)
    frame.get_by_text("Incidents per 1,000 inhabitants").wait_for(timeout=60_000)
    tooltip = offline_page.tooltip_at_centre()
    text = re.sub(r"\s+", " ", tooltip.inner_text())
    assert "Municipality Freiberg" in text and "District Mittelsachsen" in text
    assert "Inhabitants 40,485" in text and "Rate per 1,000 inh." in text
    assert "Einwohner" not in text and "40.485" not in text
    assert offline_page.external == []


def test_a_map_layer_that_cannot_be_loaded_says_so(app_url, offline_page):
    # The served Gemeinden do not arrive (say, a proxy in between refuses them): the map
    # says so, instead of silently showing Saxony without its Gemeinden.
    page = offline_page.page
    page.route("**/app/static/gemeinden.geojson", lambda route: route.fulfill(status=404, body="weg"))
    page.goto(f"{app_url}/?ags=14522180")
    frame = offline_page.map_frame()
    note = frame.get_by_role("alert").filter(has_text="Kartenebene „Gemeinden“ konnte nicht geladen werden")
    note.wait_for(timeout=60_000)
    assert "Bitte die Seite neu laden." in note.inner_text()
    assert frame.locator(GEMEINDE_PATHS).count() == 0
    assert frame.locator("path:not(.leaflet-interactive)").count() >= 1  # the Kreis borders did load
    assert offline_page.external == []


def test_a_long_tooltip_stays_inside_a_narrow_map(app_url, browser):
    # A laptop window: the map is under 500 px wide, the rate tooltip has nine rows.
    screen = OfflinePage(browser, width=1100, height=900)
    try:
        screen.page.goto(f"{app_url}/?kategorie=graffiti,littering,violence")
        wait_for_gemeinden(screen)
        screen.map_frame().locator(".atlas-legend").first.wait_for(timeout=60_000)
        tooltip = screen.tooltip_at_centre()
        assert "Rate je 1.000 Einw." in tooltip.inner_text()
        inside, outside = screen.page.locator(MAP_IFRAME).last.bounding_box(), tooltip.bounding_box()
        assert outside["x"] >= inside["x"] - 1
        assert outside["x"] + outside["width"] <= inside["x"] + inside["width"] + 1
    finally:
        screen.context.close()


def test_a_tooltip_in_a_wide_map_keeps_its_names_on_one_line(app_url, offline_page):
    page = offline_page.page
    page.goto(f"{app_url}/?ags=14628205&methode=gi")  # Klingenberg: the Gemeinde rows only
    wait_for_gemeinden(offline_page)
    cell = offline_page.tooltip_at_centre().locator("td", has_text="Sächsische Schweiz-Osterzgebirge")
    one_line = "e => e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)"
    assert cell.evaluate(one_line)
