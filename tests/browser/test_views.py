"""The two audiences in a real browser: the council's shared screen and a planner's session."""

import re

import pytest

from geo.incidents.demo import demo_csv
from tests.browser.conftest import OfflinePage
from tests.browser.harness import MAP_IFRAME, choose

pytestmark = pytest.mark.browser


def test_council_link_shows_freiberg_large_without_sidebar_or_points(app_url, browser):
    screen = OfflinePage(browser, width=1920, height=1080)
    page = screen.page
    try:
        page.goto(f"{app_url}/?ags=14522180&kategorie=graffiti&modus=sitzung")
        frame = screen.map_frame()
        frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
        title = page.locator("h1.atlas-title")
        title.wait_for()
        assert title.inner_text().startswith("Freiberg · Graffiti · ")
        assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
        assert page.locator('section[data-testid="stSidebar"]').is_hidden()
        legend = frame.get_by_text("Vorfälle je 1.000 Einwohner")
        legend.wait_for()
        assert float(legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
        # Aggregated layers only: no incident markers, no cluster plugin in the page.
        assert frame.locator(".vorfall-cluster, .leaflet-marker-icon").count() == 0
        assert "markerClusterGroup" not in frame.locator("html").inner_html()
        assert frame.locator('script[src*="markercluster"]').count() == 0
        # Tooltips are as large as the rest: hover the map's centre (Freiberg).
        cell = screen.tooltip_at_centre().locator("td").first
        assert float(cell.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
        assert page.get_by_role("button", name="Sitzungsmodus beenden").is_visible()
        # The whole screen on the projector, nothing to scroll; the licence lines 20 px in the map.
        box = page.locator(MAP_IFRAME).bounding_box()
        assert box["y"] > 0 and box["y"] + box["height"] <= 1080
        main = page.locator('[data-testid="stMain"]')
        assert main.evaluate("e => e.scrollHeight <= e.clientHeight"), "the council page scrolls"
        attribution = frame.locator(".leaflet-control-attribution")
        assert "GeoBasis-DE / BKG 2016" in attribution.inner_text()
        assert float(attribution.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
        screen.screenshot("sitzungsmodus_freiberg_1920x1080.png")
        assert screen.external == []
    finally:
        screen.context.close()


def test_exported_map_opens_with_no_network(app_url, offline_page, tmp_path):
    page = offline_page.page
    page.goto(f"{app_url}/?kreis=14522&methode=gi")
    offline_page.map_frame().locator("path.leaflet-interactive").first.wait_for(state="attached",
                                                                              timeout=90_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Karte (HTML)").click()
    saved = tmp_path / "karte.html"
    download.value.save_as(saved)
    assert offline_page.external == []

    offline = OfflinePage(page.context.browser)
    blocked: list[str] = []
    offline.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                          else (blocked.append(r.request.url), r.abort()))
    try:
        offline.page.goto(saved.as_uri())
        paths = offline.page.locator("path.leaflet-interactive")
        paths.nth(417).wait_for(state="attached", timeout=60_000)
        assert paths.count() >= 418
        assert offline.page.get_by_text("Gi* (FDR-korrigiert)").is_visible()
        assert blocked == []
    finally:
        offline.context.close()


def test_planner_imports_a_file_chooses_gi_and_clicks_a_gemeinde(app_url, offline_page, tmp_path):
    export = demo_csv(tmp_path / "polizei_export.csv", n=4000, seed=11)
    page = offline_page.page
    page.goto(app_url)
    frame = offline_page.map_frame()
    frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
    # The map's boundaries come before the end of the first run: upload only once it is over
    # (a file handed to the uploader while the script still runs can be dropped).
    page.get_by_text(re.compile(r"^© GeoBasis-DE / BKG 2016 \(Daten verändert\) · ")).wait_for(timeout=90_000)
    offline_page.settle()  # the attribution line is the script's last element

    # Streamlit's uploader takes no texts; the German page relabels its English ones.
    button = page.locator('[data-testid="stFileUploaderDropzone"] button p').first
    assert button.evaluate("e => getComputedStyle(e, '::after').content") == '"Datei wählen"'
    assert button.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # "Upload" not shown
    offline_page.upload(export)
    page.get_by_role("button", name="Importieren").click()
    report = page.get_by_text("Import „polizei_export.csv“: 4000 Zeilen gelesen, 4000 übernommen, "
                              "0 abgelehnt – Datensatz „polizei_export“ gespeichert.")
    report.wait_for(timeout=60_000)

    page.get_by_text("Hotspots (Getis-Ord Gi*)").click()
    # The demo generator marks its files; an imported demo file stays labelled as such.
    line = re.compile(r"Hotspots \(Getis-Ord Gi\*\) · Quelle: polizei_export – Demodaten \(synthetisch\)")
    page.get_by_text(line).wait_for(timeout=60_000)
    frame = offline_page.map_frame()
    frame.get_by_text("Gi* (FDR-korrigiert)").wait_for(timeout=60_000)

    x, y = offline_page.map_point(51.0504, 13.7373)  # Dresden, Altmarkt
    page.mouse.click(x, y)
    heading = page.get_by_text("Dresden (Dresden, Stadt) · 563.311 Einwohner")
    heading.wait_for(timeout=60_000)
    table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    table.wait_for()
    assert page.get_by_text("Vorhersagegüte", exact=True).is_visible()
    offline_page.screenshot("planer_dresden_gi.png")
    assert offline_page.external == []


_FILLED = "f => [...f.contentDocument.querySelectorAll('path.leaflet-interactive')]" \
          ".filter(p => p.getAttribute('fill-opacity') === '0.8').length"


def test_a_redraw_replaces_the_result_in_the_same_map_and_keeps_switched_on_layers(app_url, offline_page):
    page = offline_page.page
    page.goto(f"{app_url}/?kategorie=graffiti&ags=14612000")
    frame = offline_page.map_frame()
    frame.get_by_text("Vorfälle je 1.000 Einwohner").wait_for(timeout=90_000)
    map_frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last
    # The rates colour the one Gemeinde layer: every Gemeinde filled, no second copy of the shapes
    # (the shapes arrive by their own request, maybe after the legend).
    frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=60_000)
    assert map_frame.evaluate("f => f.contentWindow.map.atlasDraws") == 1
    assert map_frame.evaluate(_FILLED) == 418
    assert frame.locator("path.leaflet-interactive").count() == 418
    map_frame.evaluate("f => { f.contentWindow.map.marker = 'erste Karte'; }")

    # The planner switches on the incident points, then changes the method and the period.
    points = frame.get_by_label(re.compile("Vorfälle: Graffiti"))
    frame.locator(".leaflet-control-layers").hover()
    points.check()
    frame.locator(".vorfall-cluster").first.wait_for(timeout=30_000)
    page.get_by_text("Hotspots (Getis-Ord Gi*)").click()
    frame.get_by_text("Gi* (FDR-korrigiert)").wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]')"
                           ".contentWindow.map.atlasDraws === 2", timeout=60_000)
    offline_page.settle()
    choose(page, page.get_by_role("combobox", name="Zeitraum", exact=True), "2024",
           until=lambda: page.wait_for_url(re.compile(r"[?&]von=2024-01-01&bis=2024-12-31"), timeout=20_000))
    page.wait_for_function("() => document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]')"
                           ".contentWindow.map.atlasDraws === 3", timeout=60_000)
    offline_page.settle()

    # Same Leaflet map (not a new frame), the old legend and fills gone, the points still on.
    assert map_frame.evaluate("f => f.contentWindow.map.marker") == "erste Karte"
    assert frame.locator(".atlas-legend").count() == 1
    assert map_frame.evaluate(_FILLED) == 0
    frame.locator(".leaflet-control-layers").hover()
    assert frame.get_by_label(re.compile("Vorfälle: Graffiti")).is_checked()
    assert frame.locator(".vorfall-cluster").count() > 0
    # Still zoomed to Dresden: a redraw of the same area keeps the map where it is.
    centre = map_frame.evaluate("f => { const c = f.contentWindow.map.getCenter(); return [c.lat, c.lng]; }")
    assert 50.95 < centre[0] < 51.15 and 13.55 < centre[1] < 13.95
    offline_page.screenshot("planer_dresden_neu_gezeichnet.png")
    assert offline_page.external == []
