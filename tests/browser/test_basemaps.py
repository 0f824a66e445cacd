"""The background map in a real browser: tiles for the view, under every layer, from the
right host only, and a map that says so when they do not come.

The pages are the app's map (``compose.base`` with the view's groups, files published as
the app publishes them) served from 127.0.0.1 by a small HTTP server; the tile hosts are
answered with a fixture tile (or refused), so no test reaches the internet.
"""

from __future__ import annotations

import math
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.view import View
from layers import compose, maps
from layers.basemaps import UNREACHABLE
from tests.browser.conftest import ARTIFACTS
from tests.browser.harness import LOCAL_PREFIXES, MAP_IFRAME, running_app, serving

pytestmark = pytest.mark.browser

TILE = (Path(__file__).resolve().parents[1] / "data" / "kachel.png").read_bytes()
SERVED = "/app/static"
FREIBERG = (50.91, 13.34)  # lat, lon: the view of Gemeinde 14522180
#: Tile URL → (z, x, y) per host; basemap.de's WMTS REST URLs put the row before the column.
TILE_URLS = {
    "basemapde": re.compile(r"^https://sgx\.geodatenzentrum\.de/wmts_basemapde/tile/1\.0\.0/"
                            r"de_basemapde_web_raster_grau/default/GLOBAL_WEBMERCATOR/(?P<z>\d+)/(?P<y>\d+)/(?P<x>\d+)\.png$"),
    "basemapde-farbe": re.compile(r"^https://sgx\.geodatenzentrum\.de/wmts_basemapde/tile/1\.0\.0/"
                                  r"de_basemapde_web_raster_farbe/default/GLOBAL_WEBMERCATOR/"
                                  r"(?P<z>\d+)/(?P<y>\d+)/(?P<x>\d+)\.png$"),
    "osm": re.compile(r"^https://tile\.openstreetmap\.org/(?P<z>\d+)/(?P<x>\d+)/(?P<y>\d+)\.png$"),
}
TILE_HOSTS = ("https://sgx.geodatenzentrum.de/", "https://tile.openstreetmap.org/")
LOCAL_TILE = re.compile(r"^http://127\.0\.0\.1:\d+/app/static/kacheln/(?P<z>\d+)/(?P<x>\d+)/(?P<y>\d+)\.png$")

FIND_MAP = ("Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])"
            ".find(v => v instanceof L.Map)")
FIND_TILES = f"Object.values(({FIND_MAP})._layers).find(l => l instanceof L.TileLayer)"


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The XYZ tile (x, y) that holds (lat, lon) at zoom `z` (Web Mercator)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a tile."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return lat(y + 1), x / n * 360 - 180, lat(y), (x + 1) / n * 360 - 180


def saxony_mbtiles(path: Path) -> Path:
    """Every tile over Saxony at zoom 6–10, TMS rows as MBTiles keep them."""
    (south, west), (north, east) = maps.SACHSEN_BOUNDS
    rows = []
    for z in range(6, 11):
        (x0, y0), (x1, y1) = tile_of(north, west, z), tile_of(south, east, z)
        rows += [(z, x, (1 << z) - 1 - y, TILE) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                   "tile_data BLOB)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("format", "png"), ("attribution", "© Testkacheln"),
            ("bounds", f"{west},{south},{east},{north}")])
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
        db.commit()
    return path


#: Page name → (background, shared screen, language).
PAGES = {
    "basemapde": ("basemapde", False, "de"),
    "basemapde-farbe": ("basemapde-farbe", False, "de"),
    "osm": ("osm", False, "de"),
    "keine": ("keine", False, "de"),
    "lokal": ("lokal", False, "de"),
    "sitzung": ("basemapde", True, "de"),
    "english": ("osm", False, "en"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The pages of :data:`PAGES` and an HTML export, served from 127.0.0.1; yields the URL."""
    root = tmp_path_factory.mktemp("site")
    analysis = analyse(demo_points(), View(area="14522180"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ATLAS_TILES", str(saxony_mbtiles(root / "sachsen.mbtiles")))
        compose.publish(root / "app" / "static")  # as the app does at start
        for name, (basemap, council, lang) in PAGES.items():
            m = compose.base(council=council, served=SERVED, lang=lang, basemap=basemap)
            for group in compose.view_groups(analysis, council=council, served=SERVED, lang=lang):
                m.add_child(group)
            html = maps.finish(m, with_layer_control=not council).get_root().render()
            (root / f"{name}.html").write_text(html, encoding="utf-8")
        (root / "export.html").write_bytes(compose.export_bytes(analysis, "html", basemap="osm"))
    with serving(root) as url:
        yield url


class TilePage:
    """A page whose tile requests get the fixture tile (or are refused: `refuse`), whose other
    requests leaving 127.0.0.1 are refused and listed in ``external``."""

    def __init__(self, browser, *, refuse: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.refuse = refuse
        self.tiles: list[tuple[str, str | None]] = []  # (URL, Referer)
        self.external: list[str] = []
        self.requested: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requested.append(request.url))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        elif url.startswith(TILE_HOSTS):
            self.tiles.append((url, route.request.header_value("referer")))
            if self.refuse:
                route.abort()
            else:
                route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            self.external.append(url)
            route.abort()

    def open(self, url: str) -> None:
        """Open the map page and wait until the view is fitted, the Gemeinden are drawn and
        the background has finished loading."""
        self.page.goto(url)
        self.page.wait_for_function(f"(() => {{ const m = {FIND_MAP}; return m && m.atlasDraws >= 1; }})()",
                                    timeout=60_000)
        self.page.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=60_000)
        self.page.wait_for_function(f"(() => {{ const t = {FIND_TILES}; return !t || !t._loading; }})()",
                                    timeout=30_000)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tile_page(browser):
    page = TilePage(browser)
    yield page
    page.close()


def parsed(urls, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
    return [(int(m["z"]), int(m["x"]), int(m["y"])) for url in urls if (m := pattern.match(url))]


def assert_drawn_under_the_layers(page) -> None:
    """Fixture tiles are drawn in the background pane, which lies below every pane of layers."""
    loaded = page.locator(".leaflet-hintergrund-pane img.leaflet-tile-loaded")
    assert loaded.count() > 0
    assert loaded.first.evaluate("img => img.naturalWidth") == 256
    z_index = page.evaluate("""panes => {
        const z = sel => Number(getComputedStyle(document.querySelector(sel)).zIndex);
        return {tiles: z('.leaflet-hintergrund-pane'), overlay: z('.leaflet-overlay-pane'),
                others: panes.map(p => z('.leaflet-' + p + '-pane'))};
    }""", [name for name in maps.PANES if name != "hintergrund"])
    assert z_index["tiles"] < z_index["overlay"] and all(z_index["tiles"] < z for z in z_index["others"])
    # What the pointer finds in the middle of the map is a Gemeinde, not the background.
    top = page.evaluate("""() => {
        const box = document.querySelector('.leaflet-container').getBoundingClientRect();
        const e = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return e.tagName + ' ' + (e.getAttribute('class') || '');
    }""")
    assert top.startswith("path ") and "leaflet-interactive" in top


def assert_tiles_fit_the_view(page, tiles: list[tuple[int, int, int]]) -> int:
    """The tiles of the final view are those around Freiberg at the layer's tile zoom; none
    lies far from Saxony. Returns the tile zoom."""
    view = page.evaluate(f"""() => {{
        const m = {FIND_MAP}, t = {FIND_TILES}, b = m.getBounds();
        return {{zoom: t._tileZoom, south: b.getSouth(), west: b.getWest(), north: b.getNorth(),
                 east: b.getEast()}};
    }}""")
    z = view["zoom"]
    assert 11 <= z <= 14, f"tile zoom {z} for one Gemeinde"
    final = {(x, y) for tz, x, y in tiles if tz == z}
    assert tile_of(*FREIBERG, z) in final
    (x0, y0), (x1, y1) = tile_of(view["north"], view["west"], z), tile_of(view["south"], view["east"], z)
    outside = {(x, y) for x, y in final if not (x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1)}
    assert not outside, (outside, (x0, y0, x1, y1))
    # Besides the view, at most the statewide view the map starts with; nothing beyond Central Europe.
    assert len({tz for tz, _, _ in tiles}) <= 2
    for tile in tiles:
        south, west, north, east = tile_bounds(*tile)
        assert north > 47 and south < 55 and east > 5 and west < 20, tile
    return z


@pytest.mark.parametrize("key", ["basemapde", "basemapde-farbe", "osm"])
def test_online_background_loads_the_tiles_of_freiberg_under_the_layers(site, tile_page, key):
    tile_page.open(f"{site}/{key}.html")
    urls = [url for url, _ in tile_page.tiles]
    tiles = parsed(urls, TILE_URLS[key])
    assert tiles and len(tiles) == len(urls), urls  # every tile request in the host's own scheme
    assert_tiles_fit_the_view(tile_page.page, tiles)
    assert_drawn_under_the_layers(tile_page.page)
    attribution = tile_page.page.locator(".leaflet-control-attribution")
    if key == "osm":
        assert "© OpenStreetMap-Mitwirkende" in attribution.inner_text()
        assert attribution.locator('a[href="https://www.openstreetmap.org/copyright"]').count() == 1
        # The tile usage policy wants a valid Referer: the page's origin, not its address.
        assert {referer for _, referer in tile_page.tiles} == {site + "/"}
    else:
        assert "© basemap.de / BKG (CC BY 4.0)" in attribution.inner_text()
        assert attribution.locator('a[href="https://basemap.de"]').count() == 1
    assert "GeoBasis-DE / BKG 2016" in attribution.inner_text()  # the boundaries' lines stay
    assert tile_page.page.locator(".atlas-basemap-note").count() == 0
    assert tile_page.external == []


def test_without_background_nothing_leaves_the_machine(site, tile_page):
    tile_page.open(f"{site}/keine.html")
    tile_page.page.wait_for_timeout(300)
    assert tile_page.page.locator(".leaflet-tile").count() == 0
    assert tile_page.tiles == [] and tile_page.external == []
    assert all(url.startswith(LOCAL_PREFIXES) for url in tile_page.requested)


def test_local_tiles_come_from_the_app_itself(site, tile_page):
    tile_page.open(f"{site}/lokal.html")
    assert tile_page.tiles == [] and tile_page.external == []
    assert all(url.startswith(LOCAL_PREFIXES) for url in tile_page.requested)
    local = parsed(tile_page.requested, LOCAL_TILE)
    # The archive ends at zoom 10: Leaflet scales its tiles up for the Gemeinde's view.
    assert {z for z, _, _ in local} <= set(range(6, 11)) and tile_of(*FREIBERG, 10) in {
        (x, y) for z, x, y in local if z == 10}
    assert_drawn_under_the_layers(tile_page.page)
    assert "© Testkacheln" in tile_page.page.locator(".leaflet-control-attribution").inner_text()


@pytest.mark.parametrize(("page", "text"), [
    ("osm", UNREACHABLE), ("english", "Background map unreachable – map without background")])
def test_unreachable_tiles_leave_a_working_map_that_says_so(site, browser, page, text):
    screen = TilePage(browser, refuse=True)
    try:
        screen.open(f"{site}/{page}.html")
        note = screen.page.get_by_role("status").filter(has_text=text)
        note.wait_for(timeout=10_000)
        assert note.inner_text().strip() == text  # one line
        assert screen.tiles  # they were asked for, and refused
        assert screen.page.locator(".leaflet-hintergrund-pane img.leaflet-tile-loaded").count() == 0
        # Everything else is there: all Gemeinden, the result's legend, the Kreis borders.
        assert screen.page.locator("path.leaflet-interactive").count() == 418
        assert screen.page.locator(".atlas-legend").count() >= 1
        assert screen.page.locator("path:not(.leaflet-interactive)").count() >= 1
        assert screen.external == []
    finally:
        screen.close()


def test_shared_screen_shows_the_same_background_calmer(site, browser):
    screen = TilePage(browser)
    try:
        screen.open(f"{site}/sitzung.html")
        assert parsed([url for url, _ in screen.tiles], TILE_URLS["basemapde"])
        style = screen.page.evaluate("""() => ({
            filter: getComputedStyle(document.querySelector('.leaflet-hintergrund-pane')).filter,
            opacity: Number(getComputedStyle(document.querySelector('.atlas-basemap')).opacity)})""")
        assert "grayscale(1)" in style["filter"] and 0.5 <= style["opacity"] <= 0.6
        assert_drawn_under_the_layers(screen.page)
    finally:
        screen.close()


def test_html_export_keeps_its_background_and_brings_leaflet_along(site, tile_page):
    tile_page.open(f"{site}/export.html")
    tiles = parsed([url for url, _ in tile_page.tiles], TILE_URLS["osm"])
    assert_tiles_fit_the_view(tile_page.page, tiles)
    assert_drawn_under_the_layers(tile_page.page)
    assert not [url for url in tile_page.requested if url.endswith(".js") or "/app/static/" in url]
    assert tile_page.external == []


@pytest.fixture(scope="module")
def app_with_background(tmp_path_factory):
    """The app as installed by default: basemap.de grey under the map (ATLAS_BASEMAP unset)."""
    with running_app(store=tmp_path_factory.mktemp("store"), basemap="basemapde", timeout=90,
                     log=tmp_path_factory.mktemp("log") / "streamlit.log") as app:
        yield app.url


def test_the_app_draws_freiberg_on_basemapde_and_karte_keine_fetches_nothing(app_with_background, browser):
    screen = TilePage(browser)
    try:
        frame = screen.page.frame_locator(MAP_IFRAME)
        screen.page.goto(f"{app_with_background}/?ags=14522180&methode=gi")
        frame.locator(".atlas-legend").first.wait_for(timeout=90_000)
        frame.locator(".leaflet-hintergrund-pane img.leaflet-tile-loaded").first.wait_for(timeout=30_000)
        tiles = parsed([url for url, _ in screen.tiles], TILE_URLS["basemapde"])
        assert tiles and any(tile_of(*FREIBERG, z) == (x, y) for z, x, y in tiles)
        assert screen.external == []
        screen.page.screenshot(path=str(ARTIFACTS / "planer_freiberg_basemapde.png"))
        screen.tiles.clear()
        screen.page.goto(f"{app_with_background}/?ags=14522180&methode=gi&karte=keine")
        frame.locator(".atlas-legend").first.wait_for(timeout=90_000)
        screen.page.wait_for_timeout(2_000)
        assert frame.locator(".leaflet-hintergrund-pane img").count() == 0
        assert screen.tiles == [] and screen.external == []
    finally:
        screen.context.close()
